using ModelBuild.Runtime.Format.Schema;
using ModelBuild.Runtime.Kernels;

namespace ModelBuild.Runtime.Engine.Operators.Compute;

/// <summary>
/// MNN Pooling3D over every axis after N and C (1 to 3 of them; upstream also uses it for global 2-D pooling).
/// Per-axis kernels/strides/pads (pads on both sides); CAFFE floor rule, SAME ceil(in/stride), VALID.
/// Average pooling excludes padding (ONNX's default; the parameter has no count type). Global pooling runs on the
/// Kernels library; windowed 3-D pooling on the scalar <see cref="PoolingCore"/> (the Kernels library is 2-D only).
/// </summary>
[MnnOperator((int)OpType.Pooling3D)]
internal sealed class Pooling3DExecutor : OperatorExecutor
{
    private readonly Pool3DT _pool;
    private PoolAxis[] _axes = [];

    public Pooling3DExecutor(OpT op)
    {
        _pool = ComputeSupport.Param<Pool3DT>(op);
    }

    public override void Reshape(OpContext ctx)
    {
        var input = ComputeSupport.FloatInput(ctx, 0);
        var s = input.ShapeArray;
        int spatial = s.Length - 2;
        if (spatial is < 1 or > 3)
        {
            throw ctx.Error($"Pooling3D input must have rank 3 to 5, has shape {ComputeSupport.ShapeText(s)}");
        }

        _axes = new PoolAxis[spatial];
        var outShape = (int[])s.Clone();
        for (int i = 0; i < spatial; i++)
        {
            int len = s[i + 2];
            if (_pool.IsGlobal)
            {
                _axes[i] = new PoolAxis(len, len, Math.Max(len, 1), 0, 0, 1);
            }
            else
            {
                int k = At(ctx, _pool.Kernels, i, "kernels"), st = At(ctx, _pool.Strides, i, "strides");
                int p = _pool.PadType == PoolPadType.CAFFE && _pool.Pads is { Count: > 0 } ? At(ctx, _pool.Pads, i, "pads") : 0;
                if (k <= 0 || st <= 0 || p < 0)
                {
                    throw ctx.Error($"invalid Pooling3D window on axis {i}: kernel {k}, stride {st}, pad {p}");
                }

                long output;
                int begin = p, end = p;
                if (_pool.PadType == PoolPadType.SAME)
                {
                    output = (len + (long)st - 1) / st;
                    long needed = Math.Max(0, (output - 1) * st + k - len);
                    begin = (int)(needed / 2);
                    end = (int)(needed - begin);
                }
                else if (_pool.PadType == PoolPadType.VALID)
                {
                    output = len >= k ? (len - k) / st + 1 : 0;
                }
                else
                {
                    long padded = len + 2L * p;
                    output = padded >= k ? (padded - k) / st + 1 : 0;
                }

                if (output <= 0 || output > int.MaxValue)
                {
                    throw ctx.Error($"Pooling3D window (kernel {k}, stride {st}, pad {p}) does not fit input length {len}");
                }

                _axes[i] = new PoolAxis(len, k, st, begin, end, (int)output);
            }

            outShape[i + 2] = _axes[i].Out;
        }

        ctx.Outputs[0].Reshape(outShape, TensorElementType.Float32);
    }

    private static int At(OpContext ctx, List<int>? values, int i, string what) =>
        values is not null && values.Count > i ? values[i] : throw ctx.Error($"Pooling3D parameter '{what}' has no value for spatial axis {i}");

    public override void Execute(OpContext ctx)
    {
        var input = ctx.Inputs[0];
        if (_pool.IsGlobal && input.Length > 0)
        {
            // Upstream encodes ONNX GlobalAveragePool / GlobalMaxPool this way: one reduction per plane.
            int planeSize = _axes.Aggregate(1, (p, a) => p * a.Input);
            var kind = _pool.Type == PoolType.MAXPOOL ? PoolKind.Max : PoolKind.Average;
            Pooling.GlobalPool(ctx.Isa, kind, input.Floats, ctx.Outputs[0].Floats, input.Length / planeSize, planeSize, ctx.Threads);
            return;
        }

        PoolingCore.Run(ctx, input, ctx.Outputs[0], _axes, _pool.Type == PoolType.MAXPOOL, includePadding: false);
    }
}
