using ModelBuild.Converter.Graph;
using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Converter.Export.Ops;

/// <summary>
/// ReduceMean/Sum/Max/Min/Prod/L1/SumSquare → Reduction; ReduceL2 = sqrt(SumSquare); ReduceLogSum = log(Sum);
/// ReduceLogSumExp written overflow-free; ArgMax/ArgMin → ArgMax/ArgMin (+ Unsqueeze for keepdims).
/// Axes come from the attribute, or from a constant input where the opset moved them there.
/// </summary>
internal static class ReduceEmitter
{
    public static void Register(OpEmitterTable t)
    {
        t.Add("ReduceMean", (ctx, n) => Simple(ctx, n, ReductionType.MEAN, 18));
        t.Add("ReduceSum", (ctx, n) => Simple(ctx, n, ReductionType.SUM, 13));
        t.Add("ReduceMax", (ctx, n) => Simple(ctx, n, ReductionType.MAXIMUM, 18));
        t.Add("ReduceMin", (ctx, n) => Simple(ctx, n, ReductionType.MINIMUM, 18));
        t.Add("ReduceProd", (ctx, n) => Simple(ctx, n, ReductionType.PROD, 18));
        t.Add("ReduceL1", (ctx, n) => Simple(ctx, n, ReductionType.ASUM, 18));
        t.Add("ReduceSumSquare", (ctx, n) => Simple(ctx, n, ReductionType.SUMSQ, 18));
        t.Add("ReduceL2", (ctx, n) => Then(ctx, n, ReductionType.SUMSQ, UnaryOpOperation.SQRT));
        t.Add("ReduceLogSum", (ctx, n) => Then(ctx, n, ReductionType.SUM, UnaryOpOperation.LOG));
        t.Add("ReduceLogSumExp", LogSumExp);
        t.Add("ArgMax", (ctx, n) => Arg(ctx, n, OpType.ArgMax));
        t.Add("ArgMin", (ctx, n) => Arg(ctx, n, OpType.ArgMin));
    }

    /// <summary>Resolved axes (normalized when the rank is known), or null when the node is a no-op.</summary>
    private static int[]? Axes(ExportContext ctx, Node n, int axesInputOpset)
    {
        long[]? axes;
        if (ctx.Opset >= axesInputOpset)
        {
            axes = n.HasInput(1) ? ctx.RequireConstant(n, 1, "axes").ToLongArray() : null;
        }
        else
        {
            axes = n.GetInts("axes");
        }

        var rank = ctx.RankOf(n.Inputs[0]);
        if (axes is null || axes.Length == 0)
        {
            if (ctx.Opset >= axesInputOpset && n.GetInt("noop_with_empty_axes", 0) != 0)
            {
                return null;
            }

            return rank is { } r ? [.. Enumerable.Range(0, r)] : [];
        }

        return rank is { } rk
            ? axes.Select(a => ctx.NormalizeAxis(n, a, rk)).Distinct().Order().ToArray()
            : axes.Select(a => a >= 0 ? checked((int)a) : throw new ModelBuildException(ErrorCodes.UnsupportedDynamicShape,
                $"operator {n.OpType} (opset {ctx.Opset}) {ctx.Where(n)}: negative axes need a known input rank")).ToArray();
    }

    private static bool KeepDims(Node n) => n.GetInt("keepdims", 1) != 0;

    private static void Simple(ExportContext ctx, Node n, ReductionType op, int axesInputOpset)
    {
        var axes = Axes(ctx, n, axesInputOpset);
        if (axes is null)
        {
            // ONNX: no reduction at all; only the plain reductions are then the identity.
            if (op is ReductionType.ASUM or ReductionType.SUMSQ)
            {
                throw ctx.UnsupportedAttribute(n, "noop_with_empty_axes=1 with empty axes");
            }

            ctx.Final(n, OpType.Identity, null, ctx.In(n, 0));
            return;
        }

        ctx.Final(n, OpType.Reduction, MnnParams.Reduction(op, axes, KeepDims(n)), ctx.In(n, 0));
    }

    private static void Then(ExportContext ctx, Node n, ReductionType op, UnaryOpOperation after)
    {
        var axes = Axes(ctx, n, 18);
        if (axes is null)
        {
            throw ctx.UnsupportedAttribute(n, "noop_with_empty_axes=1 with empty axes");
        }

        var name = n.Out0();
        var reduced = ctx.AddTemp(OpType.Reduction, name + "/reduce", MnnParams.Reduction(op, axes, KeepDims(n)), ctx.In(n, 0));
        ctx.Final(n, OpType.UnaryOp, MnnParams.Unary(after), reduced);
    }

    private static void LogSumExp(ExportContext ctx, Node n)
    {
        var axes = Axes(ctx, n, 18);
        if (axes is null)
        {
            throw ctx.UnsupportedAttribute(n, "noop_with_empty_axes=1 with empty axes");
        }

        var x = ctx.In(n, 0);

        // max + log Σ exp(x − max), with max kept for the subtraction.
        var name = n.Out0();
        var keep = KeepDims(n);
        var max = ctx.AddTemp(OpType.Reduction, name + "/max", MnnParams.Reduction(ReductionType.MAXIMUM, axes, keepDims: true), x);
        var shifted = ctx.Binary(name + "/shifted", BinaryOpOperation.SUB, x, max);
        var exp = ctx.Unary(name + "/exp", UnaryOpOperation.EXP, shifted);
        var sum = ctx.AddTemp(OpType.Reduction, name + "/sum", MnnParams.Reduction(ReductionType.SUM, axes, keep), exp);
        var log = ctx.Unary(name + "/log", UnaryOpOperation.LOG, sum);
        var maxOut = keep ? max : ctx.AddTemp(OpType.Reduction, name + "/max_out", MnnParams.Reduction(ReductionType.MAXIMUM, axes, keepDims: false), x);
        ctx.Final(n, OpType.BinaryOp, MnnParams.Binary(BinaryOpOperation.ADD), log, maxOut);
    }

    private static void Arg(ExportContext ctx, Node n, OpType type)
    {
        if (n.GetInt("select_last_index", 0) != 0)
        {
            throw ctx.UnsupportedAttribute(n, "select_last_index=1");
        }

        var rank = ctx.RequireRank(n, 0, "resolve the axis");
        var axis = ctx.NormalizeAxis(n, n.GetInt("axis", 0), rank);
        var param = OpParameterUnion.FromArgMax(new ArgMaxT { Axis = axis, TopK = 1, OutMaxVal = 0 });
        if (!KeepDims(n))
        {
            ctx.Final(n, type, param, ctx.In(n, 0));
            return;
        }

        var name = n.Out0();
        var reduced = ctx.AddTemp(type, name + "/not_keepdim", param, ctx.In(n, 0));
        ctx.Final(n, OpType.Unsqueeze, MnnParams.Squeeze([axis]), reduced);
    }
}
