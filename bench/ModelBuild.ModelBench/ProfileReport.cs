namespace ModelBuild.ModelBench;

/// <summary>Markdown for one model's per-op profile: category comparison, then each engine's op types.</summary>
internal static class ProfileReport
{
    public static void Write(Report report, string model, int threads, OpProfile ours, OpProfile ort)
    {
        string mode = threads == 1 ? "single thread" : $"{threads} threads";
        report.Line($"### Per-op profile, {model}, {mode} ({ours.Engine} vs {ort.Engine})");
        report.Line();
        report.Line($"Profiled run total: ours {Report.Ms(ours.TotalMs)} ms ({Report.Ms(ours.AttributedMs)} ms attributed to ops; "
            + $"the observer hook disables buffer sharing), ORT {Report.Ms(ort.TotalMs)} ms ({Report.Ms(ort.AttributedMs)} ms in kernels).");
        report.Line();

        var oursCat = ours.ByCategory();
        var ortCat = ort.ByCategory();
        var categories = oursCat.Keys.Union(ortCat.Keys).OrderByDescending(c => oursCat.GetValueOrDefault(c)).ToList();
        report.Table(["category", "ours ms", "ours share", "ORT ms", "ORT share", "ours/ORT", "excess ms (ours − ORT)"],
            categories.Select(c =>
            {
                double a = oursCat.GetValueOrDefault(c), b = ortCat.GetValueOrDefault(c);
                return (IReadOnlyList<string>)[c, Report.Ms(a), Report.Pct(a, ours.AttributedMs), Report.Ms(b), Report.Pct(b, ort.AttributedMs),
                    b > 0 ? Report.Ratio(a / b) : "–", Report.Ms(a - b)];
            }));

        report.Line("Ours by MNN op (convolutions split by kernel/stride):");
        report.Line();
        report.Table(["MNN op", "nodes", "ms", "share"],
            ours.Ops.Select(o => (IReadOnlyList<string>)[o.Label, o.Nodes.ToString(), Report.Ms(o.Ms), Report.Pct(o.Ms, ours.AttributedMs)]));

        report.Line("ORT by op type (after ORT's own fusions):");
        report.Line();
        report.Table(["ORT op", "nodes", "ms", "share"],
            ort.Ops.Select(o => (IReadOnlyList<string>)[o.Label, o.Nodes.ToString(), Report.Ms(o.Ms), Report.Pct(o.Ms, ort.AttributedMs)]));
    }
}
