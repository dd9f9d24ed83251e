using System.Globalization;
using System.Text;
using ModelBuild.Conformance.Tests.Backend;

namespace ModelBuild.Conformance.Tests.Upstream;

/// <summary>Markdown for the "Our files in upstream MNN" section: totals, whole models, per operator, case lists.</summary>
public static class UpstreamReport
{
    public const string SectionId = "ours-in-upstream";

    private static readonly UpstreamOutcome[] s_outcomes = [UpstreamOutcome.Passed, UpstreamOutcome.Wrong, UpstreamOutcome.Failed, UpstreamOutcome.NotExpressible, UpstreamOutcome.NotConverted];

    public static string Build(IReadOnlyList<UpstreamResult> results, string revision)
    {
        var sb = new StringBuilder();
        sb.Append("## Our files in upstream MNN\n\n");
        sb.Append("Each case our own runtime passes (the backend cases of `baseline-passing.txt`) and each whole model of ");
        sb.Append("`../shared/models` is converted by our converter to a `.mnn` file, which upstream MNN's `ModuleBasic.out` ");
        sb.Append("loads and runs on CPU with every `test_data_set_N`; its dumped outputs are judged here with the backend rule ");
        sb.Append("(shapes equal, |got − exp| ≤ 1e-5 + 1e-3·|exp|) or, for whole models, peak-relative error ≤ 1e-3 against the float64 references. ");
        sb.Append("*Failed* = upstream could not load or run the file (or hung); *not expressible* = the inputs cannot be given ");
        sb.Append("through ModuleBasic's text files (NaN/infinity, integers beyond 2^24); *not converted by us* = our converter ");
        sb.Append("now refuses a case `baseline-passing.txt` lists (the backend suite reports that). ");
        sb.Append("To run it, set `MODELBUILD_MNN_TOOLS` to the build folder of upstream MNN configured with ");
        sb.Append("`-DMNN_BUILD_TOOLS=ON` (the folder holding `ModuleBasic.out`) and `MODELBUILD_MNN_COMMIT` to its commit; ");
        sb.Append("regressions are checked against `tests/ModelBuild.Conformance.Tests/upstream-passing.txt`.\n\n");
        sb.Append($"Run against **{revision}**.\n\n");

        var backend = results.Where(r => !r.Name.StartsWith("models/", StringComparison.Ordinal)).ToList();
        var models = results.Where(r => r.Name.StartsWith("models/", StringComparison.Ordinal)).ToList();
        sb.Append("| cases | count | passed in upstream | wrong in upstream | upstream failed to load or run | not expressible | not converted by us |\n|---|---:|---:|---:|---:|---:|---:|\n");
        AppendCounts(sb, "ONNX backend cases our runtime passes", backend);
        AppendCounts(sb, "whole models", models);
        AppendCounts(sb, "**all**", results);

        sb.Append("\n### Whole models\n\n| model | result | detail |\n|---|---|---|\n");
        foreach (var r in models.OrderBy(r => r.Name, StringComparer.Ordinal))
        {
            sb.Append($"| `{r.Name}` | {Label(r.Outcome)} | {BackendReport.Escape(r.Detail)} |\n");
        }

        sb.Append("\n### Per operator\n\n| operator | cases | passed in upstream | wrong in upstream | upstream failed to load or run | not expressible | not converted by us |\n|---|---:|---:|---:|---:|---:|---:|\n");
        foreach (var g in backend.GroupBy(r => r.OpType).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            AppendCounts(sb, $"`{g.Key}`", g.ToList());
        }

        foreach (var outcome in new[] { UpstreamOutcome.Failed, UpstreamOutcome.Wrong, UpstreamOutcome.NotExpressible, UpstreamOutcome.NotConverted, UpstreamOutcome.Passed })
        {
            var list = results.Where(r => r.Outcome == outcome).OrderBy(r => r.Name, StringComparer.Ordinal).ToList();
            sb.Append(string.Create(CultureInfo.InvariantCulture, $"\n### {char.ToUpperInvariant(Label(outcome)[0])}{Label(outcome)[1..]} ({list.Count})\n\n"));
            if (list.Count == 0)
            {
                sb.Append("(none)\n");
                continue;
            }

            sb.Append("<details><summary>cases</summary>\n\n");
            foreach (var r in list)
            {
                sb.Append(outcome == UpstreamOutcome.Passed ? $"- `{r.Name}`\n" : $"- `{r.Name}` ({r.OpType}): {BackendReport.Escape(r.Detail)}\n");
            }

            sb.Append("\n</details>\n");
        }

        return sb.ToString();
    }

    public static string Label(UpstreamOutcome outcome) => outcome switch
    {
        UpstreamOutcome.Passed => "passed in upstream",
        UpstreamOutcome.Wrong => "wrong in upstream",
        UpstreamOutcome.Failed => "upstream failed to load or run",
        UpstreamOutcome.NotExpressible => "not expressible",
        _ => "not converted by us",
    };

    private static void AppendCounts(StringBuilder sb, string label, IReadOnlyList<UpstreamResult> rs)
    {
        sb.Append($"| {label} | {rs.Count.ToString(CultureInfo.InvariantCulture)} |");
        foreach (var o in s_outcomes)
        {
            sb.Append($" {rs.Count(r => r.Outcome == o).ToString(CultureInfo.InvariantCulture)} |");
        }

        sb.Append('\n');
    }
}
