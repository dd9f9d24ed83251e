using System.Globalization;
using System.Text;
using ModelBuild.Conformance.Tests.Infrastructure;

namespace ModelBuild.Conformance.Tests.Backend;

/// <summary>Markdown for the ONNX backend section: totals, a per-operator table and per-outcome case lists.</summary>
public static class BackendReport
{
    public static string Build(IReadOnlyList<BackendCase> cases, IReadOnlyList<CaseResult> results)
    {
        var expanded = cases.Where(c => c.IsExpanded).Select(c => c.Key).ToHashSet(StringComparer.Ordinal);
        var counted = results.Where(r => !expanded.Contains(r.Name)).ToList();
        var sb = new StringBuilder();
        sb.Append("## ONNX backend test suite\n\n");
        sb.Append("Every case of `onnx-backend/{node,pytorch-converted,pytorch-operator,simple}` is converted in memory and every ");
        sb.Append("`test_data_set_N` is run in our runtime. Rule (as ONNX Runtime): shapes equal, |got − exp| ≤ 1e-5 + 1e-3·|exp|, ");
        sb.Append("NaN matches NaN. *Rejected* = refused with a coded ModelBuild error; *crashed* = any other exception or a hang (a bug).\n\n");
        foreach (var (key, reason) in DisputedExpectations.Reasons.OrderBy(d => d.Key, StringComparer.Ordinal))
        {
            sb.Append($"- `{key}` is judged against ONNX Runtime's outputs, not the stored ones: {reason}.\n");
        }

        sb.Append('\n');
        sb.Append(Invariant($"Pass rate (excluding {expanded.Count} `*_expanded` cases): **{counted.Count(r => r.Outcome == CaseOutcome.Passed)} / {counted.Count}** "));
        sb.Append(Invariant($"({Percent(counted.Count(r => r.Outcome == CaseOutcome.Passed), counted.Count)}).\n\n"));

        sb.Append("| suite | cases | passed | wrong | rejected | crashed |\n|---|---:|---:|---:|---:|---:|\n");
        foreach (var suite in BackendCase.Suites)
        {
            AppendCounts(sb, suite, results.Where(r => r.Name.StartsWith(suite + "/", StringComparison.Ordinal)).ToList());
        }

        AppendCounts(sb, "`*_expanded` (not in pass rate)", results.Where(r => expanded.Contains(r.Name)).ToList());
        AppendCounts(sb, "**all**", results);

        sb.Append("\n### Rejections by error code\n\n| code | cases | example |\n|---|---:|---|\n");
        foreach (var g in results.Where(r => r.Outcome == CaseOutcome.Rejected).GroupBy(r => r.Code).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var first = g.OrderBy(r => r.Name, StringComparer.Ordinal).First();
            sb.Append(Invariant($"| {g.Key} | {g.Count()} | `{first.Name}`: {Escape(first.Detail)} |\n"));
        }

        sb.Append("\n### Per operator\n\n| operator | cases | passed | wrong | rejected | crashed |\n|---|---:|---:|---:|---:|---:|\n");
        foreach (var g in results.GroupBy(r => r.OpType).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            AppendCounts(sb, $"`{g.Key}`", g.ToList());
        }

        foreach (var outcome in new[] { CaseOutcome.Crashed, CaseOutcome.Wrong, CaseOutcome.Rejected, CaseOutcome.Passed })
        {
            var list = results.Where(r => r.Outcome == outcome).OrderBy(r => r.Name, StringComparer.Ordinal).ToList();
            sb.Append(Invariant($"\n### {outcome} ({list.Count})\n\n"));
            if (list.Count == 0)
            {
                sb.Append("(none)\n");
                continue;
            }

            sb.Append("<details><summary>cases</summary>\n\n");
            foreach (var r in list)
            {
                sb.Append(outcome == CaseOutcome.Passed ? $"- `{r.Name}`\n" : $"- `{r.Name}` ({r.OpType}): {Escape(r.Detail)}\n");
            }

            sb.Append("\n</details>\n");
        }

        return sb.ToString();
    }

    internal static void AppendCounts(StringBuilder sb, string label, IReadOnlyList<CaseResult> rs) =>
        sb.Append(Invariant($"| {label} | {rs.Count} | {Count(rs, CaseOutcome.Passed)} | {Count(rs, CaseOutcome.Wrong)} | {Count(rs, CaseOutcome.Rejected)} | {Count(rs, CaseOutcome.Crashed)} |\n"));

    /// <summary>Markdown-safe and machine-independent: the shared and repository folders become relative paths.</summary>
    internal static string Escape(string text) => Relative(text).Replace("|", "\\|").Replace("\n", " ").Replace("<", "&lt;").Replace(">", "&gt;");

    private static string Relative(string text)
    {
        if (TestPaths.SharedDir is { } shared)
        {
            text = text.Replace(shared.TrimEnd('/') + "/", "", StringComparison.Ordinal);
        }

        return text.Replace(TestPaths.RepoRoot.TrimEnd('/') + "/", "", StringComparison.Ordinal);
    }

    private static int Count(IReadOnlyList<CaseResult> rs, CaseOutcome o) => rs.Count(r => r.Outcome == o);

    private static string Percent(int n, int d) => d == 0 ? "n/a" : (100.0 * n / d).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
