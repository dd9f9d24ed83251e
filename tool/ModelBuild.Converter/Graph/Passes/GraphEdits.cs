namespace ModelBuild.Converter.Graph.Passes;

/// <summary>Small rewiring helpers shared by the passes.</summary>
internal static class GraphEdits
{
    /// <summary>
    /// Replaces every node <paramref name="select"/> accepts by the nodes <paramref name="expand"/> gives for it, in
    /// place (later nodes are not revisited); true when anything was replaced.
    /// </summary>
    public static bool ReplaceNodes(ModelGraph g, Func<Node, bool> select, Func<Node, List<Node>> expand)
    {
        var changed = false;
        for (var i = 0; i < g.Nodes.Count; i++)
        {
            var node = g.Nodes[i];
            if (!select(node))
            {
                continue;
            }

            var nodes = expand(node);
            g.Nodes.RemoveAt(i);
            g.Nodes.InsertRange(i, nodes);
            i += nodes.Count - 1;
            changed = true;
        }

        return changed;
    }

    /// <summary>Makes every consumer read <paramref name="to"/> instead of <paramref name="from"/>.</summary>
    public static void ReplaceUses(ModelGraph g, string from, string to)
    {
        foreach (var n in g.Nodes)
        {
            for (var i = 0; i < n.Inputs.Count; i++)
            {
                if (n.Inputs[i] == from)
                {
                    n.Inputs[i] = to;
                }
            }
        }
    }

    public static Node? Producer(ModelGraph g, string value) => g.Nodes.FirstOrDefault(n => n.Outputs.Contains(value));

    public static int UseCount(ModelGraph g, string value) =>
        g.Nodes.Sum(n => n.Inputs.Count(i => i == value)) + g.Outputs.Count(o => o == value);

    /// <summary>
    /// Lets <paramref name="producer"/> write <paramref name="newName"/> directly (its output <paramref name="oldName"/>
    /// disappears); used to drop a trailing node while keeping the graph output name.
    /// </summary>
    public static void RenameOutput(ModelGraph g, Node producer, string oldName, string newName)
    {
        var k = producer.Outputs.IndexOf(oldName);
        producer.Outputs[k] = newName;
        ReplaceUses(g, oldName, newName);
        if (g.Values.Remove(oldName, out var old))
        {
            var target = g.GetOrAddValue(newName);
            if (target.Type == DataType.Undefined)
            {
                target.Type = old.Type;
            }

            target.Shape ??= old.Shape;
        }
    }

    /// <summary>A value name not used yet, derived from <paramref name="stem"/>.</summary>
    public static string FreshName(ModelGraph g, string stem)
    {
        var name = stem;
        for (var i = 1; g.Values.ContainsKey(name); i++)
        {
            name = $"{stem}_{i}";
        }

        return name;
    }

    public static Value AddConstant(ModelGraph g, string stem, TensorData data)
    {
        var v = g.GetOrAddValue(FreshName(g, stem));
        Onnx.OnnxImporter.SetConstant(v, data);
        return v;
    }
}
