namespace ModelBuild.ModelBench;

/// <summary>Time of one op group (milliseconds per inference, averaged over the profiled runs).</summary>
internal sealed record OpStat(string Type, string Label, double Ms, int Nodes)
{
    public string Category => OpCategory.Of(Type);
}

/// <summary>Per-op-type time of one engine on one model.</summary>
internal sealed record OpProfile(string Engine, double TotalMs, IReadOnlyList<OpStat> Ops)
{
    public double AttributedMs => Ops.Sum(o => o.Ms);

    /// <summary>Milliseconds per category.</summary>
    public Dictionary<string, double> ByCategory() =>
        Ops.GroupBy(o => o.Category).ToDictionary(g => g.Key, g => g.Sum(o => o.Ms), StringComparer.Ordinal);

    /// <summary>Milliseconds per op type (labels merged).</summary>
    public List<OpStat> ByType() =>
        Ops.GroupBy(o => o.Type).Select(g => new OpStat(g.Key, g.Key, g.Sum(o => o.Ms), g.Sum(o => o.Nodes)))
            .OrderByDescending(o => o.Ms).ToList();
}
