using System.Globalization;
using System.Text;
using ModelBuild.Conformance.Tests.Backend;
using ModelBuild.Conformance.Tests.Infrastructure;

namespace ModelBuild.Conformance.Tests.Models;

/// <summary>Markdown for the whole-model sections: one row per model with outcome, error and detail.</summary>
public static class ModelsReport
{
    public static string Build(string title, string description, IReadOnlyList<CaseResult> results, IReadOnlyDictionary<string, string>? upstreamError = null)
    {
        var sb = new StringBuilder();
        sb.Append($"## {title}\n\n{description}\n\n");
        var passed = results.Count(r => r.Outcome == CaseOutcome.Passed);
        sb.Append(string.Create(CultureInfo.InvariantCulture, $"Passed **{passed} / {results.Count}**.\n\n"));
        sb.Append(upstreamError is null ? "| case | result | detail |\n|---|---|---|\n" : "| case | result | detail | upstream vs ONNX (MANIFEST) |\n|---|---|---|---:|\n");
        foreach (var r in results.OrderBy(r => r.Name, StringComparer.Ordinal))
        {
            sb.Append($"| `{r.Name}` | {r.Outcome.ToString().ToLowerInvariant()} | {BackendReport.Escape(r.Detail)} |");
            if (upstreamError is not null)
            {
                var caseName = r.Name[(r.Name.IndexOf('/') + 1)..];
                var known = upstreamError.TryGetValue(caseName, out var e) ? e : "";
                var upstreamWrong = double.TryParse(known, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 1e-3;
                sb.Append($" {known}{(upstreamWrong ? " (upstream itself differs from ONNX)" : "")} |");
            }

            sb.Append('\n');
        }

        return sb.ToString();
    }
}
