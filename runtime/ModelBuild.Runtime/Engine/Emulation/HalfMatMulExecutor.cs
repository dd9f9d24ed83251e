using ModelBuild.Runtime.Engine.Operators;
using ModelBuild.Runtime.Engine.Operators.Compute;
using ModelBuild.Runtime.Kernels;

namespace ModelBuild.Runtime.Engine.Emulation;

/// <summary>
/// MatMul / BatchMatMul of an fp16-emulating session: the float executor's Reshape plans shapes and batches, the
/// arithmetic is <see cref="HalfGemm"/> (fp16 accumulation over K as MNN's MNNPackedMatMulFP16). A transposed B
/// is copied into [K, N] first (an exact copy: HalfGemm reads B in vectors along N).
/// </summary>
internal sealed class HalfMatMulExecutor(MatMulExecutor inner) : OperatorExecutor
{
    public override bool ShapeDependsOnInputValues => inner.ShapeDependsOnInputValues;

    public override bool ShapeReadsOnlyParameterValues => inner.ShapeReadsOnlyParameterValues;

    public override void Reshape(OpContext ctx) => inner.Reshape(ctx);

    public override void Execute(OpContext ctx)
    {
        var plan = inner.Plan;
        int m = plan.M, n = plan.N, k = plan.K;
        ReadOnlySpan<float> a = ctx.Inputs[0].Floats, b = ctx.Inputs[1].Floats;
        var c = ctx.Outputs[0].Floats;
        ReadOnlySpan<float> bias = inner.BiasOf(ctx);
        float[]? bt = plan.TransposeB ? new float[(long)k * n] : null;
        int batches = (int)ComputeSupport.Product(plan.BatchShape, 0, plan.BatchShape.Length);
        for (int batch = 0; batch < batches; batch++)
        {
            int offA = 0, offB = 0, rest = batch;
            for (int i = plan.BatchShape.Length - 1; i >= 0; i--)
            {
                int idx = rest % plan.BatchShape[i];
                rest /= plan.BatchShape[i];
                offA += idx * plan.BatchStrideA[i];
                offB += idx * plan.BatchStrideB[i];
            }

            ReadOnlySpan<float> bm = b.Slice(offB, k * n);
            if (bt is not null)
            {
                for (int j = 0; j < n; j++)
                {
                    for (int q = 0; q < k; q++)
                    {
                        bt[(q * n) + j] = bm[(j * k) + q];
                    }
                }

                bm = bt;
            }

            HalfGemm.Compute(
                ctx.Isa, m, n, k,
                a.Slice(offA, m * k), plan.TransposeA ? 1 : k, plan.TransposeA ? m : 1,
                bm, n,
                c.Slice(batch * m * n, m * n), n,
                bias, bias.IsEmpty ? HalfBias.None : HalfBias.PerColumn, float.NegativeInfinity, float.PositiveInfinity, ctx.Threads);
        }
    }
}
