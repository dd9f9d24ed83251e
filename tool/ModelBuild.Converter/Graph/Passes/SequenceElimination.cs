namespace ModelBuild.Converter.Graph.Passes;

/// <summary>
/// Resolves ONNX sequences at conversion time when their structure is static: a sequence becomes the list of tensor
/// values it holds, and the ops reading it become tensor ops (SequenceAt → Identity, SequenceLength → a constant,
/// ConcatFromSequence → [Unsqueeze +] Concat, SplitToSequence → Slices [+ Squeeze]). MNN has no sequence value our
/// runtime could hold, and upstream's TensorArray encoding needs its own run-time machinery; a static sequence needs
/// neither. Applies only when every sequence of the graph is static: built by SequenceEmpty / SequenceConstruct /
/// SequenceInsert / SequenceErase / SplitToSequence with constant positions and split sizes (and a known axis length
/// where SplitToSequence has no split), read only by those ops, and neither a graph input/output nor used inside a
/// subgraph. Otherwise the graph is left as it is and the sequence ops are reported as unsupported, as before.
/// </summary>
public static class SequenceElimination
{
    private static readonly HashSet<string> s_producers = ["SequenceEmpty", "SequenceConstruct", "SequenceInsert", "SequenceErase", "SplitToSequence"];
    private static readonly HashSet<string> s_readers = ["SequenceInsert", "SequenceErase", "SequenceAt", "SequenceLength", "ConcatFromSequence"];

    /// <summary>What a sequence needs to be converted (for the MB3001 of one that is not).</summary>
    public const string Requirement = "every sequence built by SequenceEmpty/SequenceConstruct/SequenceInsert/SequenceErase/SplitToSequence with "
        + "constant positions and split sizes (or a known axis length), read only by sequence ops, not a graph input or output and not used inside "
        + "an If/Loop body (MNN holds no sequence values); fix shapes with --input-shape or make positions and splits constants";

    /// <summary>True for the sequence ops this pass resolves.</summary>
    public static bool Handles(string opType) => s_producers.Contains(opType) || s_readers.Contains(opType);

    /// <summary>Rewrites the graph's static sequences; true when there were any.</summary>
    public static bool Run(ModelGraph graph)
    {
        if (!graph.Nodes.Any(n => IsDefault(n) && (s_producers.Contains(n.OpType) || s_readers.Contains(n.OpType))))
        {
            return false;
        }

        var plan = Plan(graph);
        if (plan is null)
        {
            return false;
        }

        var rewritten = new List<Node>(graph.Nodes.Count);
        foreach (var node in graph.Nodes)
        {
            if (plan.TryGetValue(node, out var replacement))
            {
                rewritten.AddRange(replacement);
            }
            else
            {
                rewritten.Add(node);
            }
        }

        graph.Nodes.Clear();
        graph.Nodes.AddRange(rewritten);
        return true;
    }

    private static bool IsDefault(Node n) => n.Domain is "" or "ai.onnx";

    /// <summary>The replacement nodes of every sequence node, or null when some sequence is not static.</summary>
    private static Dictionary<Node, List<Node>>? Plan(ModelGraph g)
    {
        var sequences = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var plan = new Dictionary<Node, List<Node>>();
        foreach (var n in g.Nodes)
        {
            var reads = IsDefault(n) && s_readers.Contains(n.OpType);
            if (!reads && !(IsDefault(n) && s_producers.Contains(n.OpType)))
            {
                if (n.Inputs.Any(sequences.ContainsKey) || UsesInSubgraphs(n, sequences))
                {
                    return null; // a sequence read by an op that is not resolved here
                }

                continue;
            }

            if (reads && !sequences.ContainsKey(n.Inputs[0]))
            {
                return null; // a sequence from a graph input, an If/Loop or anything else not static
            }

            var w = new NodeWriter(g, n.Name + "/");
            var items = reads ? sequences[n.Inputs[0]] : null;
            switch (n.OpType)
            {
                case "SequenceEmpty":
                    sequences[n.Outputs[0]] = [];
                    break;
                case "SequenceConstruct":
                    sequences[n.Outputs[0]] = [.. n.Inputs];
                    break;
                case "SequenceInsert":
                {
                    if (Position(g, n, 2, items!.Count, items.Count, inclusiveEnd: true) is not { } at)
                    {
                        return null;
                    }

                    sequences[n.Outputs[0]] = [.. items[..at], n.Inputs[1], .. items[at..]];
                    break;
                }

                case "SequenceErase":
                {
                    if (Position(g, n, 1, items!.Count - 1, items.Count, inclusiveEnd: false) is not { } at)
                    {
                        return null;
                    }

                    sequences[n.Outputs[0]] = [.. items[..at], .. items[(at + 1)..]];
                    break;
                }

                case "SequenceAt":
                {
                    if (!n.HasInput(1) || Position(g, n, 1, 0, items!.Count, inclusiveEnd: false) is not { } at)
                    {
                        return null;
                    }

                    w.Add("Identity", [items[at]], n.Outputs[0]);
                    break;
                }

                case "SequenceLength":
                    w.Add("Identity", [w.ScalarInt("length", items!.Count)], n.Outputs[0]);
                    break;
                case "ConcatFromSequence":
                    if (items!.Count == 0 || !Concat(g, n, w, items))
                    {
                        return null;
                    }

                    break;
                case "SplitToSequence":
                    if (Split(g, n, w) is not { } pieces)
                    {
                        return null;
                    }

                    sequences[n.Outputs[0]] = pieces;
                    break;
            }

            plan[n] = w.Nodes;
        }

        return sequences.Keys.Any(s => g.Outputs.Contains(s)) ? null : plan;
    }

    private static bool UsesInSubgraphs(Node n, Dictionary<string, List<string>> sequences) =>
        n.Attributes.Values.Any(a => a.Graph is { } body && body.Nodes.Any(m => m.Inputs.Any(sequences.ContainsKey) || UsesInSubgraphs(m, sequences)));

    /// <summary>A constant position input (default <paramref name="fallback"/>), negative counted from the end; null when not constant or out of range.</summary>
    private static int? Position(ModelGraph g, Node n, int input, int fallback, int count, bool inclusiveEnd)
    {
        if (!n.HasInput(input))
        {
            return fallback;
        }

        if (g.ConstantInput(n, input) is not { } c || c.ToLongArray() is not [var p])
        {
            return null;
        }

        var at = p < 0 ? p + count : p;
        return at >= 0 && (at < count || (inclusiveEnd && at == count)) ? (int)at : null;
    }

    /// <summary>ConcatFromSequence: Concat along axis, each item unsqueezed there first when new_axis = 1.</summary>
    private static bool Concat(ModelGraph g, Node n, NodeWriter w, List<string> items)
    {
        var axis = n.GetInt("axis", 0);
        if (n.GetInt("new_axis", 0) == 0)
        {
            w.Add("Concat", [.. items], n.Outputs[0], ("axis", axis));
            return true;
        }

        // The new axis is in [-r-1, r] of the item rank r; Unsqueeze takes it directly.
        var unsqueezed = items.Select(item => g.Opset >= 13
            ? w.Add("Unsqueeze", [item, w.Ints("axes", axis)])
            : w.Add("Unsqueeze", [item], null, ("axes", new[] { axis }))).ToArray();
        var rank = g.Values.GetValueOrDefault(items[0])?.Rank;
        if (axis < 0 && rank is null)
        {
            return false; // a negative new axis needs the rank to give Concat the same axis
        }

        w.Add("Concat", unsqueezed, n.Outputs[0], ("axis", axis < 0 ? axis + rank!.Value + 1 : axis));
        return true;
    }

    /// <summary>SplitToSequence into Slices: sizes from split (scalar: equal chunks, the last smaller; 1-D: as given) or 1s with keepdims.</summary>
    private static List<string>? Split(ModelGraph g, Node n, NodeWriter w)
    {
        var shape = g.Values.GetValueOrDefault(n.Inputs[0])?.StaticShape;
        var axis = n.GetInt("axis", 0);
        if (shape is null || axis < -shape.Length || axis >= shape.Length)
        {
            return null;
        }

        var a = (int)(axis < 0 ? axis + shape.Length : axis);
        var length = shape[a];
        long[] sizes;
        var squeeze = false;
        if (!n.HasInput(1))
        {
            sizes = [.. Enumerable.Repeat(1L, (int)length)];
            squeeze = n.GetInt("keepdims", 1) == 0;
        }
        else if (g.ConstantInput(n, 1) is not { } split)
        {
            return null;
        }
        else if (split.Shape.Length == 0)
        {
            var chunk = split.ToLongArray()[0];
            if (chunk < 1)
            {
                return null;
            }

            sizes = [.. Enumerable.Range(0, (int)((length + chunk - 1) / chunk)).Select(i => Math.Min(chunk, length - (i * chunk)))];
        }
        else
        {
            sizes = split.ToLongArray();
            if (sizes.Any(s => s < 0) || sizes.Sum() != length)
            {
                return null;
            }
        }

        var pieces = new List<string>();
        var start = 0L;
        foreach (var size in sizes)
        {
            var piece = w.Add("Slice", [n.Inputs[0], w.Ints("starts", start), w.Ints("ends", start + size), w.Ints("axes", a)]);
            pieces.Add(squeeze
                ? g.Opset >= 13 ? w.Add("Squeeze", [piece, w.Ints("squeeze_axes", a)]) : w.Add("Squeeze", [piece], null, ("axes", new long[] { a }))
                : piece);
            start += size;
        }

        return pieces;
    }
}
