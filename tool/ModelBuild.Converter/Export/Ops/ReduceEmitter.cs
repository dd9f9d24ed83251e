using ModelBuild.Converter.Graph;
using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Converter.Export.Ops;

/// <summary>
/// ReduceMean/Sum/Max/Min/Prod → Reduction; ReduceL1 = Sum(|x|), ReduceSumSquare = Sum(x·x), ReduceL2 = sqrt(Sum(x·x))
/// (upstream MNN's CPU backend has no ASUM/SUMSQ reduction, so they are written as upstream's converter does); ReduceLogSum = log(Sum);
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

    /// <summary>
    /// The reduction axes: constant ones resolved (normalized when the rank is known), or a run-time axes tensor
    /// (MNN's Reduction reads it from input 1); Noop when ONNX asks for no reduction at all.
    /// </summary>
    private sealed record AxesSpec(int[] Dims, int? Tensor, bool Noop);

    private static AxesSpec Axes(ExportContext ctx, Node n, int axesInputOpset)
    {
        long[]? axes;
        var noopAllowed = ctx.Opset >= axesInputOpset && n.GetInt("noop_with_empty_axes", 0) != 0;
        if (ctx.Opset >= axesInputOpset)
        {
            if (n.HasInput(1) && ctx.ConstantOf(n, 1) is null && ctx.StaticShapeOf(n.Inputs[1]) is [0])
            {
                axes = []; // an input known to be empty: the default axes
            }
            else if (n.HasInput(1) && ctx.ConstantOf(n, 1) is null)
            {
                // Run-time axes: exact when they are known to be non-empty, or when empty means "no reduction".
                var known = ctx.StaticShapeOf(n.Inputs[1]) is [> 0];
                if (!known && !noopAllowed)
                {
                    throw ctx.UnsupportedAttribute(n, "run-time axes that may be empty (MNN would then reduce nothing, ONNX everything)");
                }

                return new AxesSpec([], ctx.In(n, 1), false);
            }

            else
            {
                axes = n.HasInput(1) ? ctx.ConstantOf(n, 1)!.ToLongArray() : null;
            }
        }
        else
        {
            axes = n.GetInts("axes");
        }

        var rank = ctx.RankOf(n.Inputs[0]);
        if (axes is null || axes.Length == 0)
        {
            if (noopAllowed)
            {
                return new AxesSpec([], null, true);
            }

            return new AxesSpec(rank is { } r ? [.. Enumerable.Range(0, r)] : [], null, false);
        }

        var dims = rank is { } rk
            ? axes.Select(a => ctx.NormalizeAxis(n, a, rk)).Distinct().Order().ToArray()
            : axes.Select(a => a >= 0 ? checked((int)a) : throw new ModelBuildException(ErrorCodes.UnsupportedDynamicShape,
                $"operator {n.OpType} (opset {ctx.Opset}) {ctx.Where(n)}: negative axes need a known input rank")).ToArray();
        return new AxesSpec(dims, null, false);
    }

    /// <summary>Adds a Reduction reading <paramref name="x"/> (and the run-time axes tensor when there is one).</summary>
    private static int Reduce(ExportContext ctx, string name, ReductionType op, AxesSpec axes, bool keep, int x) =>
        ctx.AddTemp(OpType.Reduction, name, Param(op, axes, keep), ReduceInputs(axes, x));

    /// <summary>
    /// The Reduction parameter. With a run-time axes tensor, <c>dim</c> is left out rather than written empty:
    /// upstream MNN's shape code takes any present <c>dim</c> (even an empty one) over input 1 and then reduces nothing.
    /// </summary>
    private static OpParameterUnion Param(ReductionType op, AxesSpec axes, bool keep)
    {
        var param = MnnParams.Reduction(op, axes.Dims, keep);
        if (axes.Tensor is not null)
        {
            param.AsReductionParam().Dim = null;
        }

        return param;
    }

    private static int[] ReduceInputs(AxesSpec axes, int x) => axes.Tensor is { } t ? [x, t] : [x];

    private static bool KeepDims(Node n) => n.GetInt("keepdims", 1) != 0;

    private static void Simple(ExportContext ctx, Node n, ReductionType op, int axesInputOpset)
    {
        var axes = Axes(ctx, n, axesInputOpset);
        if (axes.Noop)
        {
            // ONNX: no reduction at all; only the plain reductions are then the identity.
            if (op is ReductionType.ASUM or ReductionType.SUMSQ)
            {
                throw ctx.UnsupportedAttribute(n, "noop_with_empty_axes=1 with empty axes");
            }

            ctx.Final(n, OpType.Identity, null, ctx.In(n, 0));
            return;
        }

        var (sumOp, x) = Prepared(ctx, n.Out0(), op, ctx.In(n, 0));
        ctx.Final(n, OpType.Reduction, Param(sumOp, axes, KeepDims(n)), ReduceInputs(axes, x));
    }

    /// <summary>ASUM and SUMSQ as a plain SUM over |x| or x·x (the only forms upstream MNN's CPU backend runs).</summary>
    private static (ReductionType Op, int Input) Prepared(ExportContext ctx, string name, ReductionType op, int x) => op switch
    {
        ReductionType.ASUM => (ReductionType.SUM, ctx.Unary(name + "/abs", UnaryOpOperation.ABS, x)),
        ReductionType.SUMSQ => (ReductionType.SUM, ctx.Binary(name + "/square", BinaryOpOperation.MUL, x, x)),
        _ => (op, x),
    };

    private static void Then(ExportContext ctx, Node n, ReductionType op, UnaryOpOperation after)
    {
        var axes = Axes(ctx, n, 18);
        if (axes.Noop)
        {
            throw ctx.UnsupportedAttribute(n, "noop_with_empty_axes=1 with empty axes");
        }

        var name = n.Out0();
        var (sumOp, x) = Prepared(ctx, name, op, ctx.In(n, 0));
        var reduced = Reduce(ctx, name + "/reduce", sumOp, axes, KeepDims(n), x);
        ctx.Final(n, OpType.UnaryOp, MnnParams.Unary(after), reduced);
    }

    private static void LogSumExp(ExportContext ctx, Node n)
    {
        var axes = Axes(ctx, n, 18);
        if (axes.Noop)
        {
            throw ctx.UnsupportedAttribute(n, "noop_with_empty_axes=1 with empty axes");
        }

        var x = ctx.In(n, 0);

        // max + log Σ exp(x − max), with max kept for the subtraction.
        var name = n.Out0();
        var keep = KeepDims(n);
        var max = Reduce(ctx, name + "/max", ReductionType.MAXIMUM, axes, true, x);
        var shifted = ctx.Binary(name + "/shifted", BinaryOpOperation.SUB, x, max);
        var exp = ctx.Unary(name + "/exp", UnaryOpOperation.EXP, shifted);
        var sum = Reduce(ctx, name + "/sum", ReductionType.SUM, axes, keep, exp);
        var log = ctx.Unary(name + "/log", UnaryOpOperation.LOG, sum);
        var maxOut = keep ? max : Reduce(ctx, name + "/max_out", ReductionType.MAXIMUM, axes, false, x);
        ctx.Final(n, OpType.BinaryOp, MnnParams.Binary(BinaryOpOperation.ADD), log, maxOut);
    }

    private static void Arg(ExportContext ctx, Node n, OpType type)
    {
        var rank = ctx.RequireRank(n, 0, "resolve the axis");
        var axis = ctx.NormalizeAxis(n, n.GetInt("axis", 0), rank);
        var param = OpParameterUnion.FromArgMax(new ArgMaxT { Axis = axis, TopK = 1, OutMaxVal = 0 });
        var name = n.Out0();
        var lastIndex = n.GetInt("select_last_index", 0) != 0;
        var keep = KeepDims(n);
        var x = ctx.In(n, 0);

        if (!lastIndex)
        {
            if (!keep)
            {
                ctx.Final(n, type, param, x);
                return;
            }

            var reduced = ctx.AddTemp(type, name + "/not_keepdim", param, x);
            ctx.Final(n, OpType.Unsqueeze, MnnParams.Squeeze([axis]), reduced);
            return;
        }

        // Last occurrence: first occurrence in the reversed axis, mapped back as (n - 1) - index.
        var reversed = ctx.AddTemp(OpType.StridedSlice, name + "/reversed", MnnParams.OnnxStridedSlice(), x,
            ctx.ConstInts(name + "/rev_start", [-1], 1), ctx.ConstInts(name + "/rev_end", [int.MinValue], 1),
            ctx.ConstInts(name + "/rev_axis", [axis], 1), ctx.ConstInts(name + "/rev_step", [-1], 1));
        var index = ctx.AddTemp(type, name + "/reversed_index", param, reversed);
        var last = ctx.StaticShapeOf(n.Inputs[0]) is { } shape
            ? ctx.ConstInts(name + "/last", [checked((int)shape[axis] - 1)])
            : ctx.Binary(name + "/last", BinaryOpOperation.SUB,
                ctx.AddTemp(OpType.GatherV2, name + "/dim", MnnParams.GatherV2(), ctx.Shape(name + "/shape", x), ctx.ConstInts(name + "/dim_index", [axis]), ctx.ConstInts(name + "/zero", [0])),
                ctx.ConstInts(name + "/one", [1]));
        if (!keep)
        {
            ctx.Final(n, OpType.BinaryOp, MnnParams.Binary(BinaryOpOperation.SUB), last, index);
            return;
        }

        var flipped = ctx.Binary(name + "/flipped", BinaryOpOperation.SUB, last, index);
        ctx.Final(n, OpType.Unsqueeze, MnnParams.Squeeze([axis]), flipped);
    }
}
