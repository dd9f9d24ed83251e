using ModelBuild.Converter.Onnx;

namespace ModelBuild.Converter.Graph.Passes;

/// <summary>
/// Rewrites Attention (opset 23/24) as the primitive ops of its ONNX definition, which MNN has (upstream's converter
/// has no Attention): 3-D Q/K/V split into heads, past keys/values concatenated (the present outputs), grouped-query
/// K/V heads repeated (head h reads K/V head h / (q_num_heads / kv_num_heads)), Q·Kᵀ·scale (default 1/√head size),
/// softcap·tanh(·/softcap), + the mask (bool → 0 / −∞, float added) and the causal mask (key j hidden from query i when
/// j &gt; i + past length), softmax over the keys with fully masked rows giving 0 rather than NaN, then ·V and the
/// heads merged back. qk_matmul_output gives the scores at the stage qk_matmul_output_mode names (0 scaled Q·Kᵀ,
/// 1 after softcap, 2 after the mask, 3 the probabilities).
/// softmax_precision is met by computing in float32. nonpad_kv_seqlen (opset 24) is MB3002.
/// </summary>
public static class AttentionExpansion
{
    /// <summary>Expands every Attention; true when there was one (its new nodes then need shape inference).</summary>
    public static bool Run(ModelGraph graph) => GraphEdits.ReplaceNodes(
        graph,
        node => node.OpType == "Attention" && node.Domain is ("" or "ai.onnx") && OperatorVersions.Resolve("Attention", graph.Opset) is not null,
        node => Expand(graph, node));

    private static List<Node> Expand(ModelGraph graph, Node n)
    {
        if (n.HasInput(6))
        {
            throw Unsupported(graph, n, "nonpad_kv_seqlen (input 6) is not supported; MNN has no per-batch key length masking");
        }

        var w = new NodeWriter(graph, n.Name + "/");
        var rank = graph.Values.GetValueOrDefault(n.Inputs[0])?.Rank
            ?? throw new ModelBuildException(ErrorCodes.UnsupportedDynamicShape, $"{graph.Describe(n)}: the rank of Q is unknown; fix the input shape with --input-shape");
        if (rank is not (3 or 4))
        {
            throw new ModelBuildException(ErrorCodes.OnnxInvalidGraph, $"{graph.Describe(n)}: Q has rank {rank}, expected 3 or 4");
        }

        long qHeads = n.GetInt("q_num_heads", 0), kvHeads = n.GetInt("kv_num_heads", 0);
        string q = n.Inputs[0], k = n.Inputs[1], v = n.Inputs[2];
        if (rank == 3)
        {
            if (qHeads < 1 || kvHeads < 1)
            {
                throw new ModelBuildException(ErrorCodes.OnnxInvalidGraph, $"{graph.Describe(n)}: 3-D inputs need q_num_heads and kv_num_heads ≥ 1 (have {qHeads}, {kvHeads})");
            }

            q = Heads(w, q, qHeads, "q");
            k = Heads(w, k, kvHeads, "k");
            v = Heads(w, v, kvHeads, "v");
        }
        else
        {
            qHeads = graph.Values.GetValueOrDefault(q)?.Shape?[1].Value ?? qHeads;
            kvHeads = graph.Values.GetValueOrDefault(k)?.Shape?[1].Value ?? kvHeads;
        }

        // Past keys/values come first along the sequence axis; the results are the present outputs.
        string? pastLength = null;
        if (n.HasInput(4))
        {
            pastLength = w.Add("Gather", [w.Add("Shape", [n.Inputs[4]]), w.ScalarInt("seq_axis", 2)], null, ("axis", 0L));
            k = w.Add("Concat", [n.Inputs[4], k], null, ("axis", 2L));
        }

        if (n.HasInput(5))
        {
            v = w.Add("Concat", [n.Inputs[5], v], null, ("axis", 2L));
        }

        Present(w, n, 1, k);
        Present(w, n, 2, v);
        if (qHeads > 0 && kvHeads > 0 && qHeads != kvHeads)
        {
            if (qHeads % kvHeads != 0)
            {
                throw new ModelBuildException(ErrorCodes.OnnxInvalidGraph, $"{graph.Describe(n)}: q_num_heads {qHeads} is not a multiple of kv_num_heads {kvHeads}");
            }

            k = RepeatHeads(w, k, qHeads, qHeads / kvHeads, "k");
            v = RepeatHeads(w, v, qHeads, qHeads / kvHeads, "v");
        }
        else if (qHeads <= 0 || kvHeads <= 0)
        {
            throw new ModelBuildException(ErrorCodes.UnsupportedDynamicShape, $"{graph.Describe(n)}: the head counts of Q and K are unknown; fix the input shapes with --input-shape");
        }

        // Scores = Q · Kᵀ · scale.
        var scale = n.Has("scale") ? w.Scalar("scale", n.GetFloat("scale", 1f)) : DefaultScale(w, q);
        var scores = w.Add("Mul", [w.Add("MatMul", [q, w.Add("Transpose", [k], null, ("perm", new long[] { 0, 1, 3, 2 }))]), scale]);
        // As the definition orders them: softcap on the raw scores, then the mask; stages indexed by qk_matmul_output_mode.
        var raw = scores;
        var softcap = n.GetFloat("softcap", 0f);
        if (softcap > 0)
        {
            var cap = w.Scalar("softcap", softcap);
            scores = w.Add("Mul", [w.Add("Tanh", [w.Add("Div", [scores, cap])]), cap]);
        }

        var capped = scores;
        var bias = Bias(w, graph, n, q, k, pastLength);
        if (bias is not null)
        {
            scores = w.Add("Add", [scores, bias]);
        }

        var stages = new List<string> { raw, capped, scores };
        var probabilities = w.Add("Softmax", [scores], null, ("axis", -1L));
        if (bias is not null)
        {
            // A row whose every key is masked: softmax of −∞ everywhere is NaN; the definition gives zeros.
            var rowMax = w.Add("ReduceMax", [bias, w.Ints("last_axis", -1)], null, ("keepdims", 1L));
            var allMasked = w.Add("Equal", [rowMax, w.Scalar("minus_inf", float.NegativeInfinity)]);
            probabilities = w.Add("Where", [allMasked, w.Scalar("zero", 0f), probabilities]);
        }

        stages.Add(probabilities);
        if (n.Outputs.Count > 3 && n.Outputs[3].Length > 0)
        {
            var mode = n.GetInt("qk_matmul_output_mode", 0);
            if (mode is < 0 or > 3)
            {
                throw new ModelBuildException(ErrorCodes.OnnxInvalidGraph, $"{graph.Describe(n)}: qk_matmul_output_mode {mode} is not 0..3");
            }

            w.Add("Identity", [stages[(int)mode]], n.Outputs[3]);
        }

        var y = w.Add("MatMul", [probabilities, v]);
        if (rank == 3)
        {
            w.Add("Reshape", [w.Add("Transpose", [y], null, ("perm", new long[] { 0, 2, 1, 3 })), w.Ints("merged", 0, 0, -1)], n.Outputs[0]);
        }
        else
        {
            w.Add("Identity", [y], n.Outputs[0]);
        }

        return w.Nodes;
    }

    /// <summary>[B, S, heads·E] → [B, heads, S, E].</summary>
    private static string Heads(NodeWriter w, string x, long heads, string what) =>
        w.Add("Transpose", [w.Add("Reshape", [x, w.Ints(what + "_split", 0, 0, heads, -1)])], null, ("perm", new long[] { 0, 2, 1, 3 }));

    /// <summary>[B, kv, L, E] → [B, kv·rep, L, E], each K/V head repeated rep times in a row.</summary>
    private static string RepeatHeads(NodeWriter w, string x, long heads, long rep, string what)
    {
        var expanded = w.Add("Expand", [w.Add("Unsqueeze", [x, w.Ints(what + "_rep_axis", 2)]), w.Ints(what + "_rep", 1, 1, rep, 1, 1)]);
        var shape = w.Add("Concat", [w.Add("Shape", [x], null, ("start", 0L), ("end", 1L)), w.Ints(what + "_heads", heads), w.Add("Shape", [x], null, ("start", 2L), ("end", 4L))], null, ("axis", 0L));
        return w.Add("Reshape", [expanded, shape]);
    }

    private static void Present(NodeWriter w, Node n, int output, string value)
    {
        if (n.Outputs.Count > output && n.Outputs[output].Length > 0)
        {
            w.Add("Identity", [value], n.Outputs[output]);
        }
    }

    /// <summary>1 / √(head size of Q), computed from Q's shape (folded when it is known).</summary>
    private static string DefaultScale(NodeWriter w, string q)
    {
        var size = w.Add("Cast", [w.Add("Shape", [q], null, ("start", 3L), ("end", 4L))], null, ("to", (long)DataType.Float));
        return w.Add("Reciprocal", [w.Add("Sqrt", [size])]);
    }

    /// <summary>The additive mask: attn_mask (bool → 0 / −∞) plus the causal mask; null when there is neither.</summary>
    private static string? Bias(NodeWriter w, ModelGraph graph, Node n, string q, string k, string? pastLength)
    {
        string? bias = null;
        if (n.HasInput(3))
        {
            var mask = n.Inputs[3];
            bias = graph.Values.GetValueOrDefault(mask)?.Type == DataType.Bool
                ? w.Add("Where", [mask, w.Scalar("mask_zero", 0f), w.Scalar("mask_minus_inf", float.NegativeInfinity)])
                : mask;
        }

        if (n.GetInt("is_causal", 0) != 0)
        {
            var queries = w.Add("Gather", [w.Add("Shape", [q]), w.ScalarInt("q_seq_axis", 2)], null, ("axis", 0L));
            var keys = w.Add("Gather", [w.Add("Shape", [k]), w.ScalarInt("k_seq_axis", 2)], null, ("axis", 0L));
            var zero = w.ScalarInt("range_zero", 0);
            var one = w.ScalarInt("range_one", 1);
            var rows = w.Add("Unsqueeze", [w.Add("Range", [zero, queries, one]), w.Ints("row_axis", 1)]);
            if (pastLength is not null)
            {
                rows = w.Add("Add", [rows, pastLength]);
            }

            var cols = w.Add("Unsqueeze", [w.Add("Range", [zero, keys, one]), w.Ints("col_axis", 0)]);
            var causal = w.Add("Where", [w.Add("Less", [rows, cols]), w.Scalar("causal_minus_inf", float.NegativeInfinity), w.Scalar("causal_zero", 0f)]);
            bias = bias is null ? causal : w.Add("Add", [bias, causal]);
        }

        return bias;
    }

    private static ModelBuildException Unsupported(ModelGraph graph, Node n, string what) =>
        new(ErrorCodes.UnsupportedAttribute, $"{graph.Describe(n)}: {what}");
}
