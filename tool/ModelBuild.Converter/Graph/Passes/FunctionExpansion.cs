using ModelBuild.Converter.Onnx;

namespace ModelBuild.Converter.Graph.Passes;

/// <summary>
/// Rewrites ONNX function ops that MNN has no op for as the primitive ops of their ONNX definitions, so both our
/// runtime and upstream MNN run them: Mish (x·tanh(softplus(x))), ThresholdedRelu, Shrink, MeanVarianceNormalization
/// and Round. Upstream's converter writes Round as its UnaryOp ROUND, which rounds halves away from zero; ONNX rounds
/// them to even, so Round is written as (x + c) − c with c = ±2²³, where float addition itself rounds to even.
/// </summary>
public static class FunctionExpansion
{
    private const float TwoTo23 = 8388608f;

    private static readonly Dictionary<string, Func<ModelGraph, Node, NodeWriter, string, string>> s_expansions = new()
    {
        ["Mish"] = Mish,
        ["ThresholdedRelu"] = ThresholdedRelu,
        ["Shrink"] = Shrink,
        ["MeanVarianceNormalization"] = MeanVarianceNormalization,
        ["Round"] = Round,
    };

    /// <summary>Expands every such node of the default domain; true when there was one.</summary>
    public static bool Run(ModelGraph graph) => GraphEdits.ReplaceNodes(
        graph,
        node => node.Domain is ("" or "ai.onnx") && s_expansions.ContainsKey(node.OpType) && OperatorVersions.Resolve(node.OpType, graph.Opset) is not null,
        node =>
        {
            RequireFloat(graph, node);
            var w = new NodeWriter(graph, node.Name + "/");
            s_expansions[node.OpType](graph, node, w, node.Outputs[0]);
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
    private static string Round(ModelGraph g, Node n, NodeWriter w, string y)
    {
        var x = n.Inputs[0];
        var c = w.Add("Mul", [w.Add("Sign", [x]), w.Scalar("two_to_23", TwoTo23)]);
        var rounded = w.Add("Sub", [w.Add("Add", [x, c]), c]);
        // No float lies strictly between 2²³ − 0.5 and 2²³, so this is |x| ≥ 2²³.
        var integral = w.Add("Greater", [w.Add("Abs", [x]), w.Scalar("below_two_to_23", TwoTo23 - 0.5f)]);
        return w.Add("Where", [integral, x, rounded], y);
    }

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
