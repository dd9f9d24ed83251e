using ModelBuild.Converter.Onnx;

namespace ModelBuild.Converter.Graph.Passes;

/// <summary>
/// Rewrites ONNX function ops that MNN has no op for as the primitive ops of their ONNX definitions, so both our
/// runtime and upstream MNN run them: Mish (x·tanh(softplus(x))), ThresholdedRelu, Shrink, MeanVarianceNormalization
/// Round, GroupNormalization, LpPool and GlobalLpPool; EyeLike, whose value depends only on the input's shape, becomes
/// a constant. Upstream's converter writes Round as its UnaryOp ROUND, which rounds halves away from zero; ONNX rounds
/// them to even, so Round is written as (x + c) − c with c = ±2²³, where float addition itself rounds to even.
/// </summary>
public static class FunctionExpansion
{
    private const float TwoTo23 = 8388608f;

    /// <summary>An expansion and whether it computes on the input's values (so needs them in float32).</summary>
    private sealed record Expansion(Func<ModelGraph, Node, NodeWriter, string, string> Write, bool ReadsValues = true);

    private static readonly Dictionary<string, Expansion> s_expansions = new()
    {
        ["Mish"] = new(Mish),
        ["ThresholdedRelu"] = new(ThresholdedRelu),
        ["Shrink"] = new(Shrink),
        ["MeanVarianceNormalization"] = new(MeanVarianceNormalization),
        ["Round"] = new(Round),
        ["GroupNormalization"] = new(GroupNormalization),
        ["LpPool"] = new(LpPool),
        ["GlobalLpPool"] = new(GlobalLpPool),
        ["EyeLike"] = new(EyeLike, ReadsValues: false), // only the input's shape matters
    };

    /// <summary>Expands every such node of the default domain; true when there was one.</summary>
    public static bool Run(ModelGraph graph) => GraphEdits.ReplaceNodes(
        graph,
        node => node.Domain is ("" or "ai.onnx") && s_expansions.ContainsKey(node.OpType) && OperatorVersions.Resolve(node.OpType, graph.Opset) is not null,
        node =>
        {
            var expansion = s_expansions[node.OpType];
            if (expansion.ReadsValues)
            {
                RequireFloat(graph, node);
            }

            var w = new NodeWriter(graph, node.Name + "/");
            expansion.Write(graph, node, w, node.Outputs[0]);
            return w.Nodes;
        });

    private static string Mish(ModelGraph g, Node n, NodeWriter w, string y) =>
        w.Add("Mul", [n.Inputs[0], w.Add("Tanh", [w.Add("Softplus", [n.Inputs[0]])])], y);

    private static string ThresholdedRelu(ModelGraph g, Node n, NodeWriter w, string y)
    {
        var x = n.Inputs[0];
        var above = w.Add("Greater", [x, w.Scalar("alpha", n.GetFloat("alpha", 1f))]);
        return w.Add("Where", [above, x, w.Scalar("zero", 0f)], y);
    }

    /// <summary>x &lt; −lambd → x + bias, x &gt; lambd → x − bias, else 0.</summary>
    private static string Shrink(ModelGraph g, Node n, NodeWriter w, string y)
    {
        var x = n.Inputs[0];
        var lambd = n.GetFloat("lambd", 0.5f);
        var bias = w.Scalar("bias", n.GetFloat("bias", 0f));
        var upper = w.Add("Where", [w.Add("Greater", [x, w.Scalar("lambd", lambd)]), w.Add("Sub", [x, bias]), w.Scalar("zero", 0f)]);
        return w.Add("Where", [w.Add("Less", [x, w.Scalar("minus_lambd", -lambd)]), w.Add("Add", [x, bias]), upper], y);
    }

    /// <summary>ONNX's definition: (x − E[x]) / (√(E[x²] − E[x]²) + 1e-9), means over axes (default [0, 2, 3]).</summary>
    private static string MeanVarianceNormalization(ModelGraph g, Node n, NodeWriter w, string y)
    {
        var x = n.Inputs[0];
        var axes = n.GetInts("axes") ?? [0, 2, 3];
        string Mean(string v) => g.Opset >= 18
            ? w.Add("ReduceMean", [v, w.Ints("axes", axes)], null, ("keepdims", 1L))
            : w.Add("ReduceMean", [v], null, ("axes", axes), ("keepdims", 1L));
        var mean = Mean(x);
        var variance = w.Add("Sub", [Mean(w.Add("Mul", [x, x])), w.Add("Mul", [mean, mean])]);
        var std = w.Add("Add", [w.Add("Sqrt", [variance]), w.Scalar("epsilon", 1e-9f)]);
        return w.Add("Div", [w.Add("Sub", [x, mean]), std], y);
    }

    /// <summary>
    /// Half to even: for |x| &lt; 2²³, x + sign(x)·2²³ lands where the float spacing is 1, so the addition rounds x to
    /// the nearest integer, ties to even; subtracting the constant again is exact. |x| ≥ 2²³ (and ±∞) is integral.
    /// </summary>
    private static string Round(ModelGraph g, Node n, NodeWriter w, string y) => RoundHalfEven(w, n.Inputs[0], y);

    /// <summary>round_half_even(x) into <paramref name="y"/> (a fresh value when null), as <see cref="Round"/> writes it.</summary>
    internal static string RoundHalfEven(NodeWriter w, string x, string? y)
    {
        var c = w.Add("Mul", [w.Add("Sign", [x]), w.Scalar("two_to_23", TwoTo23)]);
        var rounded = w.Add("Sub", [w.Add("Add", [x, c]), c]);
        // No float lies strictly between 2²³ − 0.5 and 2²³, so this is |x| ≥ 2²³.
        var integral = w.Add("Greater", [w.Add("Abs", [x]), w.Scalar("below_two_to_23", TwoTo23 - 0.5f)]);
        return w.Add("Where", [integral, x, rounded], y);
    }

    /// <summary>
    /// Normalized over [N, G, C/G·spatial], then scaled: GroupNormalization-21 per channel (scale and bias [C]),
    /// -18 per group ([G]; the definition -21 replaced). epsilon inside the square root, as ONNX defines it.
    /// </summary>
    private static string GroupNormalization(ModelGraph g, Node n, NodeWriter w, string y)
    {
        var x = n.Inputs[0];
        var groups = n.GetInt("num_groups", 0);
        if (groups < 1)
        {
            throw new ModelBuildException(ErrorCodes.OnnxInvalidGraph, $"{g.Describe(n)}: num_groups must be ≥ 1 (is {groups})");
        }

        var rank = RequireRank(g, n, "reshape it into groups");
        var grouped = w.Add("Reshape", [x, w.Ints("grouped_shape", 0, groups, -1)]);
        var axes = w.Ints("axes", 2);
        var mean = w.Add("ReduceMean", [grouped, axes], null, ("keepdims", 1L));
        var centered = w.Add("Sub", [grouped, mean]);
        var variance = w.Add("ReduceMean", [w.Add("Mul", [centered, centered]), axes], null, ("keepdims", 1L));
        var std = w.Add("Sqrt", [w.Add("Add", [variance, w.Scalar("epsilon", n.GetFloat("epsilon", 1e-5f))])]);
        var normalized = w.Add("Div", [centered, std]);
        var shape = w.Add("Shape", [x]);
        if (OperatorVersions.Resolve("GroupNormalization", g.Opset)!.Value.Semantics < 21)
        {
            var perGroup = w.Ints("group_shape", 1, groups, 1);
            var affine = w.Add("Add", [w.Add("Mul", [normalized, w.Add("Reshape", [n.Inputs[1], perGroup])]), w.Add("Reshape", [n.Inputs[2], perGroup])]);
            return w.Add("Reshape", [affine, shape], y);
        }

        var perChannel = w.Ints("channel_shape", [1, -1, .. Enumerable.Repeat(1L, rank - 2)]);
        var restored = w.Add("Reshape", [normalized, shape]);
        return w.Add("Add", [w.Add("Mul", [restored, w.Add("Reshape", [n.Inputs[1], perChannel])]), w.Add("Reshape", [n.Inputs[2], perChannel])], y);
    }

    /// <summary>(Σ over the window of |x|^p)^(1/p): the window sum is AveragePool with padding counted, times the kernel size.</summary>
    private static string LpPool(ModelGraph g, Node n, NodeWriter w, string y)
    {
        var kernel = n.GetInts("kernel_shape")
            ?? throw new ModelBuildException(ErrorCodes.OnnxInvalidGraph, $"{g.Describe(n)}: kernel_shape is required");
        var attrs = new List<(string, object)> { ("kernel_shape", kernel), ("count_include_pad", 1L) };
        foreach (var name in new[] { "strides", "pads", "dilations" })
        {
            if (n.GetInts(name) is { } values)
            {
                attrs.Add((name, values));
            }
        }

        if (n.GetInt("ceil_mode", 0) != 0)
        {
            attrs.Add(("ceil_mode", 1L));
        }

        if (n.GetString("auto_pad", "NOTSET") is not "NOTSET" and var autoPad)
        {
            attrs.Add(("auto_pad", autoPad));
        }

        var pool = w.Add("AveragePool", [Power(n, w, n.Inputs[0])], null, [.. attrs]);
        var sum = w.Add("Mul", [pool, w.Scalar("window", kernel.Aggregate(1L, (a, b) => a * b))]);
        return Root(n, w, sum, y);
    }

    /// <summary>(Σ over the spatial axes of |x|^p)^(1/p), kept as 1s.</summary>
    private static string GlobalLpPool(ModelGraph g, Node n, NodeWriter w, string y)
    {
        var rank = RequireRank(g, n, "find its spatial axes");
        var axes = w.Ints("axes", [.. Enumerable.Range(2, rank - 2).Select(a => (long)a)]);
        var sum = w.Add("ReduceSum", [Power(n, w, n.Inputs[0]), axes], null, ("keepdims", 1L));
        return Root(n, w, sum, y);
    }

    private static float P(Node n) => n.GetInt("p", 2);

    /// <summary>|x|^p, as x·x for the usual p = 2.</summary>
    private static string Power(Node n, NodeWriter w, string x) => P(n) switch
    {
        1f => w.Add("Abs", [x]),
        2f => w.Add("Mul", [x, x]),
        var p => w.Add("Pow", [w.Add("Abs", [x]), w.Scalar("p", p)]),
    };

    private static string Root(Node n, NodeWriter w, string sum, string y) => P(n) switch
    {
        1f => w.Add("Identity", [sum], y),
        2f => w.Add("Sqrt", [sum], y),
        var p => w.Add("Pow", [sum, w.Scalar("inverse_p", 1f / p)], y),
    };

    /// <summary>Ones on diagonal k of a 2-D tensor shaped like the input: a constant when that shape is known.</summary>
    private static string EyeLike(ModelGraph g, Node n, NodeWriter w, string y)
    {
        var input = g.Values.GetValueOrDefault(n.Inputs[0]);
        var shape = input?.StaticShape;
        if (shape is not [var rows, var cols])
        {
            throw new ModelBuildException(ErrorCodes.UnsupportedDynamicShape,
                $"{g.Describe(n)}: EyeLike is written as a constant, which needs a known 2-D input shape (have {(shape is null ? "an unknown shape" : $"[{string.Join(",", shape)}]")}); fix it with --input-shape");
        }

        var type = n.Has("dtype") ? (DataType)n.GetInt("dtype", 0) : input!.Type;
        var k = n.GetInt("k", 0);
        var count = checked((int)(rows * cols));
        var data = type is DataType.Float or DataType.Double or DataType.Float16
            ? new TensorData(DataType.Float, [rows, cols], Diagonal(count, rows, cols, k, 1f))
            : new TensorData(type, [rows, cols], Diagonal(count, rows, cols, k, 1L));
        return w.Add("Identity", [w.Const("eye", data)], y);
    }

    private static T[] Diagonal<T>(int count, long rows, long cols, long k, T one)
    {
        var values = new T[count];
        for (var r = 0L; r < rows; r++)
        {
            if (r + k >= 0 && r + k < cols)
            {
                values[(r * cols) + r + k] = one;
            }
        }

        return values;
    }

    private static int RequireRank(ModelGraph g, Node n, string why) =>
        g.Values.GetValueOrDefault(n.Inputs[0])?.Rank
        ?? throw new ModelBuildException(ErrorCodes.UnsupportedDynamicShape, $"{g.Describe(n)}: the rank of the input must be known to {why}; fix the input shape with --input-shape");

    private static void RequireFloat(ModelGraph g, Node n)
    {
        var type = g.Values.GetValueOrDefault(n.Inputs[0])?.Type ?? DataType.Undefined;
        if (type is not (DataType.Float or DataType.Undefined))
        {
            throw new ModelBuildException(ErrorCodes.UnsupportedAttribute,
                $"{g.Describe(n)}: a {type} input (only float32 is supported; the expansion computes in float32)");
        }
    }
}
