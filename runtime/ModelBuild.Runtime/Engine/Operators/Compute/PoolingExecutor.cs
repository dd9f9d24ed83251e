using ModelBuild.Runtime.Format.Schema;
using ModelBuild.Runtime.Kernels;

namespace ModelBuild.Runtime.Engine.Operators.Compute;

/// <summary>
/// MNN Pooling (2-D; a rank-3 [N, C, L] input pools L as the height axis). Follows upstream's shape rules: explicit
/// <c>pads</c> ([top, left, bottom, right], or [begin, end] of the height), else padX/padY on both sides; kernel
/// clipped to the padded input; CAFFE mode floor or ceil (<c>ceilModel</c>; like ONNX, a last window starting in the
/// end padding is dropped), SAME/VALID the TensorFlow rules;
/// global pooling covers the whole plane. Average count: INCLUDE_PADDING / EXCLUDE_PADDING, or for DEFAULT include
/// padding only when padding came from padX/padY (upstream treats explicit pads as exclude-padding).
/// Kernels Pooling.Pool2D / GlobalPool do the math.
/// </summary>
[MnnOperator((int)OpType.Pooling)]
internal sealed class PoolingExecutor : OperatorExecutor
{
    private readonly PoolT _pool;
    private PoolAxis[] _axes = [];
    private Conv2DParams? _params;

    public PoolingExecutor(OpT op)
    {
        _pool = ComputeSupport.Param<PoolT>(op);
    }

    public override void Reshape(OpContext ctx)
    {
        _params = null;
        var input = ComputeSupport.FloatInput(ctx, 0);
        var s = input.ShapeArray;
        if (s.Length is not (3 or 4))
        {
            throw ctx.Error($"pooling input must have rank 3 or 4, has shape {ComputeSupport.ShapeText(s)}");
        }

        int h = s[2], w = s.Length == 4 ? s[3] : 1;
        PoolAxis y, x;
        if (_pool.IsGlobal)
        {
            y = new PoolAxis(h, h, Math.Max(h, 1), 0, 0, 1);
            x = new PoolAxis(w, w, Math.Max(w, 1), 0, 0, 1);
        }
        else
        {
            int top = _pool.PadY, bottom = _pool.PadY, left = _pool.PadX, right = _pool.PadX;
            var pads = _pool.Pads;
            if (pads is { Count: 4 })
            {
                (top, left, bottom, right) = (pads[0], pads[1], pads[2], pads[3]);
            }
            else if (pads is { Count: 2 })
            {
                (top, bottom, left, right) = (pads[0], pads[1], 0, 0);
            }

            if (_pool.PadType != PoolPadType.CAFFE)
            {
                top = bottom = left = right = 0;
            }

            y = Axis(ctx, h, _pool.KernelY, _pool.StrideY, top, bottom);
            x = Axis(ctx, w, _pool.KernelX, _pool.StrideX, left, right);
        }

        _axes = [y, x];
        int[] shape = s.Length == 4 ? [s[0], s[1], y.Out, x.Out] : [s[0], s[1], y.Out];
        if (s.Length == 3 && x.Out != 1)
        {
            throw ctx.Error($"pooling a rank-3 input needs a unit width window, got width output {x.Out}");
        }

        ctx.Outputs[0].Reshape(shape, TensorElementType.Float32);
    }

    private PoolAxis Axis(OpContext ctx, int input, int kernel, int stride, int padBegin, int padEnd)
    {
        if (kernel <= 0 || stride <= 0 || padBegin < 0 || padEnd < 0)
        {
            throw ctx.Error($"invalid pooling window: kernel {kernel}, stride {stride}, pads {padBegin}/{padEnd}");
        }

        long padded = (long)input + padBegin + padEnd;
        int k = (int)Math.Min(kernel, padded);
        long output;
        switch (_pool.PadType)
        {
            case PoolPadType.SAME:
                output = (padded + stride - 1) / stride;
                long needed = Math.Max(0, (output - 1) * stride + k - input);
                return Checked(ctx, new PoolAxis(input, k, stride, (int)(needed / 2), (int)(needed - needed / 2), 0), output);
            case PoolPadType.VALID:
                output = (padded - k + stride) / stride;
                break;
            default:
                output = _pool.CeilModel ? (padded - k + stride - 1) / stride + 1 : (padded - k) / stride + 1;
                if (_pool.CeilModel && output > 1 && (output - 1) * stride >= input + (long)padBegin)
                {
                    // ONNX/PyTorch ceil mode drops a last window that would start inside the end padding
                    // (upstream MNN keeps it; it only ever covers padding).
                    output--;
                }

                break;
        }

        return Checked(ctx, new PoolAxis(input, k, stride, padBegin, padEnd, 0), output);
    }

    private static PoolAxis Checked(OpContext ctx, PoolAxis axis, long output)
    {
        if (output <= 0 || output > int.MaxValue)
        {
            throw ctx.Error($"pooling window (kernel {axis.Kernel}, stride {axis.Stride}) does not fit input length {axis.Input}");
        }

        return axis with { Out = (int)output };
    }

    public override void Execute(OpContext ctx)
    {
        bool includePadding = _pool.CountType switch
        {
            AvgPoolCountType.INCLUDE_PADDING => true,
            AvgPoolCountType.EXCLUDE_PADDING => false,
            _ => _pool.PadType == PoolPadType.CAFFE && _pool.Pads is not { Count: > 0 },
        };
        var input = ctx.Inputs[0];
        if (input.Length == 0)
        {
            return;
        }

        var s = input.ShapeArray;
        var kind = _pool.Type == PoolType.MAXPOOL ? PoolKind.Max : PoolKind.Average;
        PoolAxis y = _axes[0], x = _axes[1];
        if (_pool.IsGlobal)
        {
            Pooling.GlobalPool(ctx.Isa, kind, input.Floats, ctx.Outputs[0].Floats, s[0] * s[1], y.Input * x.Input, ctx.Threads);
            return;
        }

        // planned once per shape (Reshape clears it): the kernel's parameter object is not rebuilt on every run
        var p = _params ??= new Conv2DParams
        {
            N = s[0], C = s[1], H = y.Input, W = x.Input,
            KH = y.Kernel, KW = x.Kernel, StrideH = y.Stride, StrideW = x.Stride,
            PadTop = y.PadBegin, PadBottom = y.PadEnd, PadLeft = x.PadBegin, PadRight = x.PadEnd,
            OutH = y.Out, OutW = x.Out,
        };
        Pooling.Pool2D(ctx.Isa, kind, p, input.Floats, ctx.Outputs[0].Floats, includePadding, ctx.Threads);
    }
}
