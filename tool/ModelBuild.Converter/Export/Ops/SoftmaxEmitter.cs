using ModelBuild.Converter.Graph;
using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Converter.Export.Ops;

/// <summary>
/// Softmax / LogSoftmax. Opset 13+ normalizes along one axis (Softmax op). Before opset 13 the input is coerced to
/// 2-D at <c>axis</c> and normalized over the whole second part: Flatten → Softmax(-1) → Reshape back, unless the
/// axis is already the last one. LogSoftmax is written overflow-free: (x − max) − log Σ exp(x − max).
/// </summary>
internal static class SoftmaxEmitter
{
    public static void Register(OpEmitterTable t)
    {
        t.Add("Softmax", (ctx, n) => Emit(ctx, n, log: false));
        t.Add("LogSoftmax", (ctx, n) => Emit(ctx, n, log: true));
        t.Add("Hardmax", 13, Hardmax);
    }

    /// <summary>Hardmax (opset 13+): 1 where the index along the axis equals the (first) ArgMax, else 0.</summary>
    private static void Hardmax(ExportContext ctx, Node n)
    {
        var rank = ctx.RequireRank(n, 0, "resolve the axis");
        var axis = ctx.NormalizeAxis(n, n.GetInt("axis", -1), rank);
        var dim = ctx.RequireStaticShape(n, 0, "enumerate the axis")[axis];
        var name = n.Out0();
        var x = ctx.In(n, 0);
        var argmax = ctx.AddTemp(OpType.ArgMax, name + "/argmax", OpParameterUnion.FromArgMax(new ArgMaxT { Axis = axis, TopK = 1 }), x);
        var index = ctx.Unsqueeze(name + "/argmax_keep", argmax, axis);
        int[] iotaShape = [.. Enumerable.Range(0, rank).Select(i => i == axis ? checked((int)dim) : 1)];
        var iota = ctx.ConstInts(name + "/iota", [.. Enumerable.Range(0, checked((int)dim))], iotaShape);
        var hit = ctx.Binary(name + "/hit", BinaryOpOperation.EQUAL, iota, index);
        ctx.Final(n, OpType.Cast, OpParameterUnion.FromCastParam(new CastParamT { SrcT = Runtime.Format.Schema.DataType.DT_INT32, DstT = Runtime.Format.Schema.DataType.DT_FLOAT }), hit);
    }

    private static void Emit(ExportContext ctx, Node n, bool log)
    {
        var legacy = ctx.Opset < 13;
        var axis = n.GetInt("axis", legacy ? 1 : -1);
        var rank = ctx.RankOf(n.Inputs[0]);
        var x = ctx.In(n, 0);
        var name = n.Out0();

        var lastAxis = axis == -1 || (rank is { } r && ctx.NormalizeAxis(n, axis, r) == r - 1);
        if (!legacy || lastAxis)
        {
            var a = lastAxis ? -1 : ctx.AxisFor(n, axis);
            Normalize(ctx, n, x, a, log, final: true);
            return;
        }

        // Opset < 13: softmax over the flattened [axis, rank) block.
        var rk = ctx.RequireRank(n, 0, "coerce the input to 2-D");
        var coerceAxis = ctx.NormalizeAxis(n, axis, rk);
        var flat = coerceAxis == 0
            ? ctx.Reshape(name + "/flatten", x, ctx.ConstInts(name + "/flat_shape", [1, -1], 2))
            : ctx.AddTemp(OpType.Flatten, name + "/flatten", OpParameterUnion.FromFlatten(new FlattenT { Axis = coerceAxis, EndAxis = 0 }), x);
        var y = Normalize(ctx, n, flat, -1, log, final: false);
        var shape = ctx.StaticShapeOf(n.Inputs[0]) is { } s
            ? ctx.ConstInts(name + "/shape", ConstantBlobs.ToInt32(s, name), s.Length)
            : ctx.Shape(name + "/shape", x);
        ctx.Final(n, OpType.Reshape, MnnParams.Reshape(), y, shape);
    }

    private static int Normalize(ExportContext ctx, Node n, int x, int axis, bool log, bool final)
    {
        var name = n.Out0();
        if (!log)
        {
            if (final)
            {
                ctx.Final(n, OpType.Softmax, MnnParams.Axis(axis), x);
                return -1;
            }

            return ctx.AddTemp(OpType.Softmax, name + "/softmax", MnnParams.Axis(axis), x);
        }

        var max = ctx.AddTemp(OpType.Reduction, name + "/max", MnnParams.Reduction(ReductionType.MAXIMUM, [axis], keepDims: true), x);
        var shifted = ctx.Binary(name + "/shifted", BinaryOpOperation.SUB, x, max);
        var exp = ctx.Unary(name + "/exp", UnaryOpOperation.EXP, shifted);
        var sum = ctx.AddTemp(OpType.Reduction, name + "/sum", MnnParams.Reduction(ReductionType.SUM, [axis], keepDims: true), exp);
        var logSum = ctx.Unary(name + "/log", UnaryOpOperation.LOG, sum);
        if (final)
        {
            ctx.Final(n, OpType.BinaryOp, MnnParams.Binary(BinaryOpOperation.SUB), shifted, logSum);
            return -1;
        }

        return ctx.Binary(name + "/logsoftmax", BinaryOpOperation.SUB, shifted, logSum);
    }
}
