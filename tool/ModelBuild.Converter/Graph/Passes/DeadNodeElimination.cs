namespace ModelBuild.Converter.Graph.Passes;

/// <summary>Removes nodes none of whose outputs reach a graph output, then values nothing refers to.</summary>
public static class DeadNodeElimination
{
    public static void Run(ModelGraph graph)
    {
        var live = new HashSet<string>(graph.Outputs, StringComparer.Ordinal);
        var kept = new List<Node>();
        for (var i = graph.Nodes.Count - 1; i >= 0; i--)
        {
            var n = graph.Nodes[i];
            if (n.Outputs.Any(live.Contains))
            {
                kept.Add(n);
                foreach (var input in n.Inputs.Where(s => s.Length > 0))
                {
                    live.Add(input);
                }
            }
        }

        kept.Reverse();
        graph.Nodes.Clear();
        graph.Nodes.AddRange(kept);

        var referenced = new HashSet<string>(graph.Inputs.Concat(graph.Outputs), StringComparer.Ordinal);
        foreach (var n in kept)
        {
            referenced.UnionWith(n.Inputs);
            referenced.UnionWith(n.Outputs);
        }

        foreach (var name in graph.Values.Keys.Where(k => !referenced.Contains(k)).ToList())
        {
            graph.Values.Remove(name);
        }
    }
}
