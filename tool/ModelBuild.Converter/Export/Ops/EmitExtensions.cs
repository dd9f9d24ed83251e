using ModelBuild.Converter.Graph;
using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Converter.Export.Ops;

/// <summary>Short forms for the op patterns emitters write over and over.</summary>
internal static class EmitExtensions
{
    /// <summary>Writes an op producing node output 0 (op named after that output, as upstream does).</summary>
    public static void Final(this ExportContext ctx, Node node, OpType type, OpParameterUnion? main, params int[] inputs) =>
        ctx.AddOp(type, node.Outputs[0], main, inputs, [ctx.Out(node)]);

    public static int Binary(this ExportContext ctx, string name, BinaryOpOperation op, int a, int b) =>
        ctx.AddTemp(OpType.BinaryOp, name, MnnParams.Binary(op), a, b);

    public static int Unary(this ExportContext ctx, string name, UnaryOpOperation op, int x) =>
        ctx.AddTemp(OpType.UnaryOp, name, MnnParams.Unary(op), x);

    public static int Reshape(this ExportContext ctx, string name, int x, int shapeTensor) =>
        ctx.AddTemp(OpType.Reshape, name, MnnParams.Reshape(), x, shapeTensor);

    public static int Unsqueeze(this ExportContext ctx, string name, int x, params int[] axes) =>
        ctx.AddTemp(OpType.Unsqueeze, name, MnnParams.Squeeze(axes), x);

    public static int Squeeze(this ExportContext ctx, string name, int x, params int[] axes) =>
        ctx.AddTemp(OpType.Squeeze, name, MnnParams.Squeeze(axes), x);

    public static int Shape(this ExportContext ctx, string name, int x) => ctx.AddTemp(OpType.Shape, name, null, x);

    /// <summary>Dims [<paramref name="start"/>, <paramref name="end"/>) of a run-time shape tensor (StridedSlice; bounds named name_start / name_end).</summary>
    public static int ShapeDims(this ExportContext ctx, string name, int shapeTensor, int start, int end) =>
        ctx.AddTemp(OpType.StridedSlice, name, MnnParams.OnnxStridedSlice(),
            shapeTensor, ctx.ConstInts(name + "_start", [start], 1), ctx.ConstInts(name + "_end", [end], 1));

    /// <summary>x[start:end] along <paramref name="axis"/> (ONNX-mode StridedSlice; bounds named name_starts / _ends / _axes).</summary>
    public static int SliceAxis(this ExportContext ctx, string name, int x, int axis, int start, int end) =>
        ctx.AddTemp(OpType.StridedSlice, name, MnnParams.OnnxStridedSlice(), x,
            ctx.ConstInts(name + "_starts", [start], 1), ctx.ConstInts(name + "_ends", [end], 1), ctx.ConstInts(name + "_axes", [axis], 1));

    /// <summary>Normalizes a possibly negative axis against a rank; MB1010-style error when out of range.</summary>
    public static int NormalizeAxis(this ExportContext ctx, Node node, long axis, int rank)
    {
        var a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank)
        {
            throw ctx.Invalid(node, $"axis {axis} is out of range for rank {rank}");
        }

        return (int)a;
    }

    /// <summary>Axis attribute or input as int32, keeping negative values when the rank is unknown.</summary>
    public static int AxisFor(this ExportContext ctx, Node node, long axis, int input = 0)
    {
        var rank = ctx.RankOf(node.Inputs[input]);
        return rank is { } r ? ctx.NormalizeAxis(node, axis, r) : checked((int)axis);
    }

    /// <summary>
    /// How many trailing axes a LayerNormalization-style <paramref name="axis"/> (normalize over [axis, rank))
    /// covers: a negative axis needs no rank; MB error when it reaches past the input's known rank.
    /// </summary>
    public static int TrailingAxisCount(this ExportContext ctx, Node node, long axis)
    {
        var count = axis < 0 ? checked((int)-axis) : 0;
        if (axis >= 0)
        {
            var r = ctx.RequireRank(node, 0, "resolve a non-negative axis");
            count = r - ctx.NormalizeAxis(node, axis, r);
        }

        if (ctx.RankOf(node.Inputs[0]) is { } rank && count > rank)
        {
            throw ctx.Invalid(node, $"axis {axis} is out of range for rank {rank}");
        }

        return count;
    }

    public static string Out0(this Node node) => node.Outputs[0];
}
