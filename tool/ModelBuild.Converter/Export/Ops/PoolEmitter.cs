using ModelBuild.Converter.Graph;
using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Converter.Export.Ops;

/// <summary>
/// MaxPool / AveragePool → Pooling (explicit pads [top, left, bottom, right], ceil mode, count_include_pad as
/// INCLUDE/EXCLUDE_PADDING); GlobalAveragePool / GlobalMaxPool → global Pooling on 4-D input, Reduction otherwise.
/// 1-D pools run as 2-D on an input unsqueezed at axis 3; 3-D pools become Pooling3D.
/// </summary>
internal static class PoolEmitter
{
    public static void Register(OpEmitterTable t)
    {
        t.Add("MaxPool", (ctx, n) => Pool(ctx, n, PoolType.MAXPOOL));
        t.AddSinceFirst("AveragePool", (ctx, n) => Pool(ctx, n, PoolType.AVEPOOL));
        t.Add("GlobalAveragePool", (ctx, n) => Global(ctx, n, PoolType.AVEPOOL));
        t.Add("GlobalMaxPool", (ctx, n) => Global(ctx, n, PoolType.MAXPOOL));
    }

    private static void Pool(ExportContext ctx, Node n, PoolType type)
    {
        if (n.Outputs.Count > 1 && n.Outputs[1].Length > 0)
        {
            throw ctx.UnsupportedAttribute(n, "the Indices output of MaxPool");
        }

        var rank = ctx.RequireRank(n, 0, "choose 1-D, 2-D or 3-D pooling");
        if (rank is not (3 or 4 or 5))
        {
            throw ctx.UnsupportedAttribute(n, $"{rank - 2}-D pooling (only 1-D, 2-D and 3-D are supported)");
        }

        var spatial = rank - 2;
        var kernel = n.GetInts("kernel_shape")?.Select(k => checked((int)k)).ToArray() ?? throw ctx.Invalid(n, "kernel_shape is required");
        if (kernel.Length != spatial)
        {
            throw ctx.Invalid(n, $"kernel_shape has {kernel.Length} values for a {spatial}-D pool");
        }

        var window = Window.Read(ctx, n, kernel, spatial);
        if (window.Dilations.Any(d => d != 1))
        {
            throw ctx.UnsupportedAttribute(n, $"dilations [{string.Join(",", window.Dilations)}] (MNN's Pool has no dilation field and upstream's converter drops it"
                + (n.OpType == "AveragePool" ? "; an unpadded dilated average pool can be rewritten as a depthwise Conv with dilations and weights 1/kernel size)" : ")"));
        }

        var pads = window.ResolveConvPads(ctx, n, ctx.StaticShapeOf(n.Inputs[0]));
        if (spatial == 3)
        {
            Pool3D(ctx, n, type, kernel, window, pads);
            return;
        }

        var (top, left, bottom, right) = spatial == 1 ? (pads[0], 0, pads[1], 0) : (pads[0], pads[1], pads[2], pads[3]);
        var countType = type == PoolType.AVEPOOL
            ? n.GetInt("count_include_pad", 0) != 0 ? AvgPoolCountType.INCLUDE_PADDING : AvgPoolCountType.EXCLUDE_PADDING
            : AvgPoolCountType.DEFAULT;
        var x = ctx.In(n, 0);
        if (countType == AvgPoolCountType.INCLUDE_PADDING && window.Mode != PadMode.SAME && n.GetInt("ceil_mode", 0) == 0
            && (top != bottom || left != right))
        {
            // Upstream MNN's pool counts padding from padX/padY on both sides, so uneven pads counted in the average
            // come out wrong there; explicit zero padding (the same values, counted) and an unpadded pool are exact.
            var name0 = n.Out0();
            int[] padding = spatial == 1 ? [0, 0, 0, 0, top, bottom] : [0, 0, 0, 0, top, bottom, left, right];
            x = ctx.AddTemp(OpType.Padding, name0 + "/pad", OpParameterUnion.FromPadParam(new PadParamT { Mode = PadValueMode.CONSTANT }),
                x, ctx.ConstInts(name0 + "/pads", padding, padding.Length));
            (top, left, bottom, right) = (0, 0, 0, 0);
        }

        var pool = new PoolT
        {
            Type = type,
            IsGlobal = false,
            KernelY = kernel[0],
            KernelX = spatial == 1 ? 1 : kernel[1],
            StrideY = window.Strides[0],
            StrideX = spatial == 1 ? 1 : window.Strides[1],
            PadY = top,
            PadX = left,
            Pads = [top, left, bottom, right],
            PadType = window.Mode == PadMode.SAME ? PoolPadType.SAME : PoolPadType.CAFFE,
            CeilModel = n.GetInt("ceil_mode", 0) != 0 && !CeilIsFloor(ctx.StaticShapeOf(n.Inputs[0]), kernel, window.Strides, pads, window.Mode),
            CountType = countType,
            DataType = Runtime.Format.Schema.DataType.DT_FLOAT,
        };

        var param = OpParameterUnion.FromPool(pool);
        if (spatial == 2)
        {
            ctx.Final(n, OpType.Pooling, param, x);
            return;
        }

        var name = n.Out0();
        var x4 = ctx.Unsqueeze(name + "/unsqueeze", x, 3);
        var y4 = ctx.AddTemp(OpType.Pooling, name + "/pool2d", param, x4);
        ctx.Final(n, OpType.Squeeze, MnnParams.Squeeze([3]), y4);
    }

    /// <summary>
    /// True when ONNX's ceil-mode output size equals the floor-mode size on every spatial axis of a known input:
    /// then the file says floor mode. ONNX drops a last window that would start in the end padding; upstream MNN's
    /// ceil mode does not, so writing ceil there gives upstream one output too many. The windows are the same.
    /// </summary>
    private static bool CeilIsFloor(long[]? inputShape, int[] kernel, int[] strides, int[] pads, PadMode mode)
    {
        var spatial = kernel.Length;
        if (mode != PadMode.CAFFE || inputShape is null || inputShape.Length != spatial + 2)
        {
            return false;
        }

        for (var i = 0; i < spatial; i++)
        {
            var size = inputShape[i + 2];
            var span = size + pads[i] + pads[i + spatial] - kernel[i];
            if (size < 0 || span < 0)
            {
                return false;
            }

            var floor = (span / strides[i]) + 1;
            var ceil = ((span + strides[i] - 1) / strides[i]) + 1;
            if (ceil > floor && (ceil - 1) * strides[i] < size + pads[i])
            {
                return false; // the extra window starts inside the input or the start padding: ONNX keeps it
            }
        }

        return true;
    }

    /// <summary>
    /// 3-D windows → Pooling3D as upstream writes it (kernels, strides, one pad per axis applied on both sides, CAFFE
    /// floor rule; averages exclude padding). What that table cannot say is refused: ceil_mode, uneven pads,
    /// count_include_pad with padding.
    /// </summary>
    private static void Pool3D(ExportContext ctx, Node n, PoolType type, int[] kernel, Window window, int[] pads)
    {
        if (window.Mode == PadMode.SAME || pads[..3].Where((p, i) => p != pads[i + 3]).Any())
        {
            throw ctx.UnsupportedAttribute(n, $"3-D pads [{string.Join(",", pads)}] (MNN's Pooling3D pads each axis equally on both sides)");
        }

        if (n.GetInt("ceil_mode", 0) != 0)
        {
            throw ctx.UnsupportedAttribute(n, "ceil_mode=1 for 3-D pooling (MNN's Pooling3D rounds down)");
        }

        if (type == PoolType.AVEPOOL && n.GetInt("count_include_pad", 0) != 0 && pads.Any(p => p != 0))
        {
            throw ctx.UnsupportedAttribute(n, "count_include_pad=1 with padding for 3-D pooling (MNN's Pooling3D averages over the unpadded window)");
        }

        var pool = new Pool3DT
        {
            Type = type,
            Kernels = [.. kernel],
            Strides = [.. window.Strides],
            Pads = [.. pads[..3]],
            PadType = PoolPadType.CAFFE,
            IsGlobal = false,
        };
        ctx.Final(n, OpType.Pooling3D, OpParameterUnion.FromPool3D(pool), ctx.In(n, 0));
    }

    private static void Global(ExportContext ctx, Node n, PoolType type)
    {
        var rank = ctx.RequireRank(n, 0, "pool over the spatial axes");
        if (rank < 3)
        {
            throw ctx.Invalid(n, $"input rank {rank} has no spatial axes");
        }

        if (rank == 4)
        {
            var pool = new PoolT { Type = type, IsGlobal = true, PadType = PoolPadType.CAFFE, DataType = Runtime.Format.Schema.DataType.DT_FLOAT };
            ctx.Final(n, OpType.Pooling, OpParameterUnion.FromPool(pool), ctx.In(n, 0));
            return;
        }

        var reduction = type == PoolType.MAXPOOL ? ReductionType.MAXIMUM : ReductionType.MEAN;
        ctx.Final(n, OpType.Reduction, MnnParams.Reduction(reduction, Enumerable.Range(2, rank - 2), keepDims: true), ctx.In(n, 0));
    }
}
