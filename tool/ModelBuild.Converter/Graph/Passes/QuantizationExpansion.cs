using ModelBuild.Converter.Onnx;

namespace ModelBuild.Converter.Graph.Passes;

/// <summary>
/// Quantized ONNX ops as float arithmetic with the quantization's exact rounding and saturation, so QDQ graphs (as
/// ONNX Runtime's quantization tool writes them), QLinearConv/QLinearMatMul, ConvInteger/MatMulInteger and
/// DynamicQuantizeLinear convert and compute what ONNX defines: QuantizeLinear = saturate(round_half_even(x / s) + zp),
/// DequantizeLinear = (q − zp)·s, the QLinear/Integer ops as dequantize → float Conv/MatMul → quantize (integer
/// products and sums are exact in float32 while below 2²⁴). Quantized values are held as int32 (MNN's integer
/// type). Constant weights and their DequantizeLinear fold into float weights at conversion. Not int8 execution:
/// the file computes in float32 (upstream MNNConvert instead writes MNN's int8 ops; see docs/conformance.md).
/// Per-tensor and per-axis scales; blocked quantization and float8/int4 types are MB3002.
/// </summary>
public static class QuantizationExpansion
{
    private static readonly Dictionary<string, Func<ModelGraph, Node, NodeWriter, string>> s_expansions = new()
    {
        ["QuantizeLinear"] = (g, n, w) => Quantize(g, n, w, n.Inputs[0], Input(n, 1), Input(n, 2), QuantizedType(g, n, Input(n, 2)), n.Outputs[0]),
        ["DequantizeLinear"] = (g, n, w) => Dequantize(g, n, w, n.Inputs[0], Input(n, 1), Input(n, 2), n.Outputs[0]),
        ["QLinearConv"] = QLinearConv,
        ["QLinearMatMul"] = QLinearMatMul,
        ["ConvInteger"] = (g, n, w) => Integer(g, n, w, "Conv"),
        ["MatMulInteger"] = (g, n, w) => Integer(g, n, w, "MatMul"),
        ["DynamicQuantizeLinear"] = DynamicQuantizeLinear,
    };

    /// <summary>Expands every quantized op of the default domain; true when there was one.</summary>
    public static bool Run(ModelGraph graph) => GraphEdits.ReplaceNodes(
        graph,
        node => node.Domain is ("" or "ai.onnx") && s_expansions.ContainsKey(node.OpType) && OperatorVersions.Resolve(node.OpType, graph.Opset) is not null,
        node =>
        {
            if (node.GetInt("block_size", 0) != 0)
            {
                throw Unsupported(graph, node, $"block_size={node.GetInt("block_size", 0)} (blocked quantization)");
            }

            var w = new NodeWriter(graph, node.Name + "/");
            s_expansions[node.OpType](graph, node, w);
            return w.Nodes;
        });

    private static string? Input(Node n, int i) => n.HasInput(i) ? n.Inputs[i] : null;

    /// <summary>The integer type of a quantized value: the zero point's, else output_dtype (opset 21), else uint8.</summary>
    private static DataType QuantizedType(ModelGraph g, Node n, string? zeroPoint)
    {
        var type = zeroPoint is not null ? g.Values.GetValueOrDefault(zeroPoint)?.Type ?? DataType.Undefined
            : n.GetInt("output_dtype", 0) is var t and not 0 ? (DataType)t : DataType.UInt8;
        return type is DataType.UInt8 or DataType.Int8 or DataType.UInt16 or DataType.Int16
            ? type
            : throw Unsupported(g, n, $"quantized type {type} (uint8, int8, uint16 and int16 are supported)");
    }

    private static (float Min, float Max) Range(DataType type) => type switch
    {
        DataType.UInt8 => (0, 255),
        DataType.Int8 => (-128, 127),
        DataType.UInt16 => (0, 65535),
        _ => (-32768, 32767),
    };

    /// <summary>saturate(round_half_even(x / scale) + zp) as int32; scale and zp broadcast along axis when 1-D.</summary>
    private static string Quantize(ModelGraph g, Node n, NodeWriter w, string x, string? scale, string? zeroPoint, DataType type, string? y)
    {
        var s = PerAxis(g, n, w, x, scale ?? throw Invalid(g, n, "the scale input is required"));
        var v = FunctionExpansion.RoundHalfEven(w, w.Add("Div", [x, s]), null);
        if (zeroPoint is not null)
        {
            v = w.Add("Add", [v, w.Add("Cast", [PerAxis(g, n, w, x, zeroPoint)], null, ("to", (long)DataType.Float))]);
        }

        var (min, max) = Range(type);
        var saturated = w.Add("Max", [w.Add("Min", [v, w.Scalar("max", max)]), w.Scalar("min", min)]);
        return w.Add("Cast", [saturated], y, ("to", (long)DataType.Int32));
    }

    /// <summary>
    /// (float(q) − zp)·scale; a 1-D scale/zero point runs along the node's <c>axis</c>, or along
    /// <paramref name="axis"/> when given (the weight operands of QLinearConv/QLinearMatMul, whose axis is implied).
    /// </summary>
    private static string Dequantize(ModelGraph g, Node n, NodeWriter w, string q, string? scale, string? zeroPoint, string? y, long? axis = null)
    {
        var v = w.Add("Cast", [q], null, ("to", (long)DataType.Float));
        if (zeroPoint is not null)
        {
            v = w.Add("Sub", [v, w.Add("Cast", [PerAxis(g, n, w, q, zeroPoint, axis)], null, ("to", (long)DataType.Float))]);
        }

        return w.Add("Mul", [v, PerAxis(g, n, w, q, scale ?? throw Invalid(g, n, "the scale input is required"), axis)], y);
    }

    /// <summary>A 1-D scale or zero point of length &gt; 1 reshaped to broadcast along the node's axis of x.</summary>
    private static string PerAxis(ModelGraph g, Node n, NodeWriter w, string x, string parameter, long? axisOverride = null)
    {
        if (g.Values.GetValueOrDefault(parameter)?.Shape is not [{ } length] || length.Value == 1)
        {
            return parameter; // scalar or [1]: broadcasts as it is
        }

        var rank = g.Values.GetValueOrDefault(x)?.Rank
            ?? throw new ModelBuildException(ErrorCodes.UnsupportedDynamicShape, $"{g.Describe(n)}: a per-axis scale needs the rank of its input; fix the input shape with --input-shape");
        var axis = axisOverride ?? n.GetInt("axis", 1);
        axis = axis < 0 ? axis + rank : axis;
        if (axis < 0 || axis >= rank)
        {
            throw Invalid(g, n, $"axis {n.GetInt("axis", 1)} is outside a rank-{rank} input");
        }

        var shape = Enumerable.Repeat(1L, rank).ToArray();
        shape[axis] = -1;
        return w.Add("Reshape", [parameter, w.Ints("axis_shape", shape)]);
    }

    /// <summary>
    /// QLinearConv(x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp[, B]): x and w dequantized (w per output
    /// channel), float Conv with the int32 bias scaled by x_scale·w_scale, then quantized to y's type.
    /// </summary>
    private static string QLinearConv(ModelGraph g, Node n, NodeWriter w)
    {
        var x = Dequantize(g, n, w, n.Inputs[0], n.Inputs[1], n.Inputs[2], null);
        var weights = Dequantize(g, n, w, n.Inputs[3], n.Inputs[4], n.Inputs[5], null, axis: 0);
        var inputs = new List<string> { x, weights };
        if (n.HasInput(8))
        {
            var biasScale = w.Add("Mul", [n.Inputs[1], Flat(w, n.Inputs[4])]);
            inputs.Add(w.Add("Mul", [w.Add("Cast", [n.Inputs[8]], null, ("to", (long)DataType.Float)), biasScale]));
        }

        var conv = w.Add("Conv", [.. inputs], null, [.. ConvAttributes(n)]);
        return Quantize(g, n, w, conv, n.Inputs[6], n.Inputs[7], QuantizedType(g, n, n.Inputs[7]), n.Outputs[0]);
    }

    /// <summary>QLinearMatMul(a, a_scale, a_zp, b, b_scale, b_zp, y_scale, y_zp); b's scale per column when 1-D.</summary>
    private static string QLinearMatMul(ModelGraph g, Node n, NodeWriter w)
    {
        var a = Dequantize(g, n, w, n.Inputs[0], n.Inputs[1], n.Inputs[2], null);
        var b = Dequantize(g, n, w, n.Inputs[3], n.Inputs[4], n.Inputs[5], null, axis: -1);
        var product = w.Add("MatMul", [a, b]);
        return Quantize(g, n, w, product, n.Inputs[6], n.Inputs[7], QuantizedType(g, n, n.Inputs[7]), n.Outputs[0]);
    }

    /// <summary>ConvInteger / MatMulInteger: (x − x_zp) ∘ (w − w_zp) in float (exact for integer sums below 2²⁴), as int32.</summary>
    private static string Integer(ModelGraph g, Node n, NodeWriter w, string op)
    {
        string Shifted(int value, int zeroPoint, long axis)
        {
            var v = w.Add("Cast", [n.Inputs[value]], null, ("to", (long)DataType.Float));
            if (!n.HasInput(zeroPoint))
            {
                return v;
            }

            var zp = w.Add("Cast", [PerAxis(g, n, w, n.Inputs[value], n.Inputs[zeroPoint], axis)], null, ("to", (long)DataType.Float));
            return w.Add("Sub", [v, zp]);
        }

        var x = Shifted(0, 2, 0);
        var weights = Shifted(1, 3, op == "Conv" ? 0 : -1);
        var result = op == "Conv" ? w.Add("Conv", [x, weights], null, [.. ConvAttributes(n)]) : w.Add("MatMul", [x, weights]);
        return w.Add("Cast", [result], n.Outputs[0], ("to", (long)DataType.Int32));
    }

    /// <summary>
    /// DynamicQuantizeLinear(x) → (y uint8, y_scale, y_zero_point): scale = (max(0, max x) − min(0, min x)) / 255,
    /// zero point = saturate(round(−min(0, min x) / scale)), y = saturate(round(x / scale) + zero point).
    /// </summary>
    private static string DynamicQuantizeLinear(ModelGraph g, Node n, NodeWriter w)
    {
        var x = n.Inputs[0];
        var zero = w.Scalar("zero", 0f);
        var max = w.Add("Max", [w.Add("ReduceMax", [x], null, ("keepdims", 0L)), zero]);
        var min = w.Add("Min", [w.Add("ReduceMin", [x], null, ("keepdims", 0L)), zero]);
        var scale = w.Add("Div", [w.Add("Sub", [max, min]), w.Scalar("levels", 255f)]);
        var zp = FunctionExpansion.RoundHalfEven(w, w.Add("Div", [w.Add("Neg", [min]), scale]), null);
        zp = w.Add("Max", [w.Add("Min", [zp, w.Scalar("zp_max", 255f)]), zero]);
        var y = FunctionExpansion.RoundHalfEven(w, w.Add("Div", [x, scale]), null);
        y = w.Add("Max", [w.Add("Min", [w.Add("Add", [y, zp]), w.Scalar("y_max", 255f)]), zero]);
        w.Add("Cast", [y], n.Outputs[0], ("to", (long)DataType.Int32));
        w.Add("Identity", [scale], n.Outputs[1]);
        return w.Add("Cast", [zp], n.Outputs[2], ("to", (long)DataType.Int32));
    }

    private static string Flat(NodeWriter w, string x) => w.Add("Reshape", [x, w.Ints("flat", -1)]);

    private static IEnumerable<(string, object)> ConvAttributes(Node n)
    {
        foreach (var name in new[] { "kernel_shape", "strides", "pads", "dilations" })
        {
            if (n.GetInts(name) is { } values)
            {
                yield return (name, values);
            }
        }

        if (n.Has("group"))
        {
            yield return ("group", n.GetInt("group", 1));
        }

        if (n.GetString("auto_pad", "NOTSET") is not "NOTSET" and var autoPad)
        {
            yield return ("auto_pad", autoPad);
        }
    }

    private static ModelBuildException Unsupported(ModelGraph g, Node n, string what) =>
        new(ErrorCodes.UnsupportedAttribute, $"{g.Describe(n)}: {what}");

    private static ModelBuildException Invalid(ModelGraph g, Node n, string what) =>
        new(ErrorCodes.OnnxInvalidGraph, $"{g.Describe(n)}: {what}");
}
