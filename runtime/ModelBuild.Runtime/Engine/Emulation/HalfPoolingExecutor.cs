using ModelBuild.Runtime.Engine.Operators;
using ModelBuild.Runtime.Engine.Operators.Compute;
using ModelBuild.Runtime.Format.Schema;
using ModelBuild.Runtime.Kernels;

namespace ModelBuild.Runtime.Engine.Emulation;

/// <summary>
/// Pooling of an fp16-emulating session: global average pooling sums in fp16 (<see cref="HalfPooling"/>, as MNN's
/// fp16 poolingAvg); max pooling is exact in any precision and windowed average pooling runs in float (its output is
/// then rounded like every op's), both through the float executor, which also plans shapes.
/// </summary>
internal sealed class HalfPoolingExecutor(OpT op, OperatorExecutor inner) : OperatorExecutor
{
    private readonly PoolT _pool = ComputeSupport.Param<PoolT>(op);

    public override void Reshape(OpContext ctx) => inner.Reshape(ctx);

    public override void Execute(OpContext ctx)
    {
        var s = ctx.Inputs[0].ShapeArray;
        if (!_pool.IsGlobal || _pool.Type != PoolType.AVEPOOL || ctx.Inputs[0].Length == 0)
        {
            inner.Execute(ctx);
            return;
        }

        int area = s[2] * (s.Length == 4 ? s[3] : 1);
        HalfPooling.GlobalAverage(ctx.Isa, ctx.Inputs[0].Floats, ctx.Outputs[0].Floats, s[0] * s[1], area);
    }
}
