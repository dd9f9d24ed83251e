using System.Globalization;
using System.Text;

namespace ModelBuild.ModelBench;

/// <summary>Builds the Markdown report (tables only; the caller adds context such as date and load).</summary>
internal sealed class Report
{
    private readonly StringBuilder _sb = new();

    public override string ToString() => _sb.ToString();

    public void Line(string text = "") => _sb.AppendLine(text);

    public void Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        _sb.AppendLine("| " + string.Join(" | ", header) + " |");
        _sb.AppendLine("|" + string.Concat(header.Select((_, i) => i == 0 ? "---|" : "---:|")));
        foreach (var r in rows)
        {
            _sb.AppendLine("| " + string.Join(" | ", r) + " |");
        }

        _sb.AppendLine();
    }

    public static string Ms(double v) => v.ToString(v >= 100 ? "F0" : v >= 10 ? "F1" : "F2", CultureInfo.InvariantCulture);

    public static string Ratio(double v) => double.IsFinite(v) ? v.ToString("F2", CultureInfo.InvariantCulture) + "×" : "–";

    public static string Pct(double part, double whole) =>
        whole > 0 ? (100 * part / whole).ToString("F1", CultureInfo.InvariantCulture) + "%" : "–";
}
