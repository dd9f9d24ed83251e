using System.Globalization;

namespace ModelBuild.Converter.Parity.Reporting;

/// <summary>
/// How reports print numbers: three significant digits. A cosine similarity gets three significant digits of its
/// distance to 1, since G3 would print 0.9999 and 0.99999873 both as "1" and hide what the limit is about.
/// </summary>
internal static class ReportNumbers
{
    /// <summary>Three significant digits (G3, invariant culture); "NaN", "Infinity" as they are.</summary>
    public static string G3(double v) => v.ToString("G3", CultureInfo.InvariantCulture);

    /// <summary>0.9999 → "0.9999", 0.99999873 → "0.99999873", 0.5 → "0.5", 1 → "1".</summary>
    public static string Cosine(double c)
    {
        if (!double.IsFinite(c) || c >= 1)
        {
            return G3(c);
        }

        var gap = 1 - c;

        // decimals that show the gap's first three significant digits; 17 is past double precision anyway
        var decimals = Math.Clamp(2 - (int)Math.Floor(Math.Log10(gap)), 0, 17);
        var text = c.ToString("F" + decimals, CultureInfo.InvariantCulture);
        return text.Contains('.') ? text.TrimEnd('0').TrimEnd('.') : text;
    }
}
