namespace ModelBuild.Converter.Graph.Passes;

/// <summary>
/// Rewrites opset &lt; 7 broadcasting into the numpy broadcasting of later versions, so every later pass and
/// emitter sees one semantics. Binary ops with broadcast=1 align B with A starting at <c>axis</c> (default:
/// suffix, which numpy already does); where numpy would align differently B gets trailing size-1 axes
/// (Unsqueeze). PRelu-6 applies a 1-D slope along the channel axis (1), so the slope gets trailing size-1 axes
/// too. <c>broadcast</c>/<c>axis</c> are removed. What cannot be rewritten is rejected, never guessed.
/// </summary>
public static class LegacyBroadcast
{
    /// <summary>Ops whose versions before opset 7 had the <c>broadcast</c>/<c>axis</c> attributes.</summary>
    private static readonly HashSet<string> s_binary = new(StringComparer.Ordinal)
    {
        "Add", "Sub", "Mul", "Div", "Pow", "Equal", "Less", "Greater", "And", "Or", "Xor",
    };

    /// <summary>First opset with numpy-style broadcasting.</summary>
    public const int NumpyBroadcastOpset = 7;

    public static void Run(ModelGraph graph)
    {
        if (graph.Opset >= NumpyBroadcastOpset)
        {
            return;
        }

        foreach (var node in graph.Nodes.ToList())
        {
            if (node.Domain is not ("" or "ai.onnx"))
            {
                continue;
            }

            if (s_binary.Contains(node.OpType))
            {
                Binary(graph, node);
            }
            else if (node.OpType == "PRelu")
            {
                PRelu(graph, node);
            }
        }
    }

    private static void Binary(ModelGraph g, Node n)
    {
        var broadcast = n.GetInt("broadcast", 0) != 0;
        var axis = n.Has("axis") ? n.GetInt("axis", 0) : (long?)null;
        n.Attributes.Remove("broadcast");
        n.Attributes.Remove("axis");

        // Without broadcast=1 both shapes must be equal, where numpy gives the same result; without an axis
        // the match is a suffix match, which is numpy's alignment.
        if (!broadcast || axis is null || n.Inputs.Count != 2)
        {
            return;
        }

        var rankA = RankOf(g, n, 0, "the legacy 'axis' attribute");
        var rankB = RankOf(g, n, 1, "the legacy 'axis' attribute");
        var start = axis.Value < 0 ? axis.Value + rankA : axis.Value;
        var trailing = rankA - start - rankB;
        if (start < 0 || trailing < 0)
        {
            throw new ModelBuildException(ErrorCodes.OnnxInvalidGraph,
                $"{g.Describe(n)}: the legacy axis {axis} does not place a rank-{rankB} B inside a rank-{rankA} A");
        }

        AppendUnitAxes(g, n, 1, rankB, trailing);
    }

    private static void PRelu(ModelGraph g, Node n)
    {
        if (!n.HasInput(1))
        {
            return;
        }

        var slope = g.GetValue(n.Inputs[1]);
        var slopeShape = slope.Constant?.Shape ?? slope.StaticShape;
        if (slopeShape is not null && slopeShape.Aggregate(1L, (a, d) => a * d) == 1)
        {
            return; // one shared slope: same under both rules
        }

        var rankX = RankOf(g, n, 0, "a per-channel slope (opset < 7)");
        var rankSlope = RankOf(g, n, 1, "a per-channel slope (opset < 7)");
        if (rankSlope != 1 || rankX < 2)
        {
            throw new ModelBuildException(ErrorCodes.UnsupportedAttribute,
                $"{g.Describe(n)}: unsupported legacy PRelu: a rank-{rankSlope} slope on a rank-{rankX} input (opset < 7 defines only one slope per channel)");
        }

        AppendUnitAxes(g, n, 1, 1, rankX - 2);
    }

    /// <summary>Feeds input <paramref name="index"/> through an Unsqueeze adding <paramref name="count"/> trailing size-1 axes.</summary>
    private static void AppendUnitAxes(ModelGraph g, Node n, int index, long rank, long count)
    {
        if (count == 0)
        {
            return;
        }

        var source = g.GetValue(n.Inputs[index]);
        var output = g.GetOrAddValue(GraphEdits.FreshName(g, n.Inputs[index] + "/legacy_broadcast"));
        output.Type = source.Type;
        var unsqueeze = new Node
        {
            Name = output.Name,
            OpType = "Unsqueeze",
            Inputs = [source.Name],
            Outputs = [output.Name],
        };

        // Unsqueeze-1 (the version at these opsets) takes its axes as an attribute.
        unsqueeze.Attributes["axes"] = new Attribute { Name = "axes", Kind = AttributeKind.Ints, Ints = [.. Enumerable.Range(0, (int)count).Select(i => rank + i)] };
        g.Nodes.Insert(g.Nodes.IndexOf(n), unsqueeze);
        n.Inputs[index] = output.Name;
    }

    private static long RankOf(ModelGraph g, Node n, int index, string why)
    {
        var v = g.GetValue(n.Inputs[index]);
        return v.Constant?.Shape.Length ?? v.Rank ?? throw new ModelBuildException(ErrorCodes.UnsupportedDynamicShape,
            $"{g.Describe(n)}: the rank of input '{n.Inputs[index]}' must be known to apply {why}; pass --input-shape");
    }
}
