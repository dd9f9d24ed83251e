using ModelBuild.Converter.Graph;
using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Converter.Export.Ops;

/// <summary>
/// RMSNormalization → LayerNorm with useRMSNorm over the axes from <c>axis</c> to the last (scale in the parameter
/// when it has the normalized shape, else a Mul after it); LpNormalization → x / Σ|x| (p = 1) or
/// x · rsqrt(Σx²) (p = 2) along the axis, as upstream writes it, with the sum floored so zero slices stay 0.
/// </summary>
internal static class RmsLpNormEmitter
{
    private const float SmallestNormal = 1.17549435E-38f;

    public static void Register(OpEmitterTable t)
    {
        t.Add("RMSNormalization", 23, 23, RmsNorm);
        t.AddSinceFirst("LpNormalization", LpNorm);
    }

    private static void RmsNorm(ExportContext ctx, Node n)
    {
        var count = ctx.TrailingAxisCount(n, n.GetInt("axis", -1));

        var param = new LayerNormT
        {
            Axis = [.. Enumerable.Range(-count, count)],
            Epsilon = n.GetFloat("epsilon", 1e-5f),
            Group = 1,
            UseRMSNorm = true,
        };
        var normalized = ctx.StaticShapeOf(n.Inputs[0]) is { } shape ? shape[^count..].Aggregate(1L, (a, b) => a * b) : (long?)null;
        var scale = ctx.ConstantOf(n, 1);
        var fits = scale is not null && (normalized is { } e ? scale.ElementCount == e && scale.Shape.Length <= count : scale.Shape.Length == count);
        if (fits)
        {
            param.Gamma = [.. scale!.ToFloatArray()];
            param.Beta = [.. new float[scale.ElementCount]];
            ctx.Final(n, OpType.LayerNorm, OpParameterUnion.FromLayerNorm(param), ctx.In(n, 0));
            return;
        }

        var norm = ctx.AddTemp(OpType.LayerNorm, n.Out0() + "/rmsnorm", OpParameterUnion.FromLayerNorm(param), ctx.In(n, 0));
        ctx.Final(n, OpType.BinaryOp, MnnParams.Binary(BinaryOpOperation.MUL), norm, ctx.In(n, 1));
    }

    private static void LpNorm(ExportContext ctx, Node n)
    {
        var p = n.GetInt("p", 2);
        if (p is not (1 or 2))
        {
            throw ctx.UnsupportedAttribute(n, $"p={p} (only 1 and 2)");
        }

        var name = n.Out0();
        var x = ctx.In(n, 0);
        var axis = ctx.AxisFor(n, n.GetInt("axis", -1));
        var sum = MnnParams.Reduction(ReductionType.SUM, [axis], keepDims: true);
        if (p == 1)
        {
            var abs = ctx.Unary(name + "/abs", UnaryOpOperation.ABS, x);
            var norm = Floor(ctx, name + "/l1", ctx.AddTemp(OpType.Reduction, name + "/l1_sum", sum, abs));
            ctx.Final(n, OpType.BinaryOp, MnnParams.Binary(BinaryOpOperation.REALDIV), x, norm);
            return;
        }

        var square = ctx.Binary(name + "/square", BinaryOpOperation.MUL, x, x);
        var sumSq = Floor(ctx, name + "/sumsq", ctx.AddTemp(OpType.Reduction, name + "/sumsq_sum", sum, square));
        var inv = ctx.Unary(name + "/rsqrt", UnaryOpOperation.RSQRT, sumSq);
        ctx.Final(n, OpType.BinaryOp, MnnParams.Binary(BinaryOpOperation.MUL), x, inv);
    }

    /// <summary>
    /// max(norm, smallest normal float): an all-zero slice then gives 0 (0 / tiny) as ONNX Runtime does, not
    /// 0/0 = NaN; any non-zero norm of float inputs is at least that large in practice.
    /// </summary>
    private static int Floor(ExportContext ctx, string name, int norm) =>
        ctx.Binary(name, BinaryOpOperation.MAXIMUM, norm, ctx.ConstFloats(name + "_floor", [SmallestNormal]));
}
