using ModelBuild.Runtime.Format.Schema;
using ModelBuild.Runtime.Kernels;

namespace ModelBuild.Runtime.Engine.Operators.Compute;

/// <summary>Softmax along one axis (negative counts from the end): exp(x − max) / Σ exp(x − max) (Kernels Reduction.Softmax).</summary>
[MnnOperator((int)OpType.Softmax)]
internal sealed class SoftmaxExecutor : OperatorExecutor
{
    private readonly int _axis;
    private int _outer, _length, _inner;

    public SoftmaxExecutor(OpT op)
    {
        _axis = ComputeSupport.OptionalParam<AxisT>(op)?.Axis_ ?? 1;
    }

    public override void Reshape(OpContext ctx)
    {
        var input = ComputeSupport.FloatInput(ctx, 0);
        var s = input.ShapeArray;
        int axis = ComputeSupport.Axis(ctx, _axis, s.Length);
        _outer = (int)ComputeSupport.Product(s, 0, axis);
        _length = s.Length == 0 ? 1 : s[axis];
        _inner = (int)ComputeSupport.Product(s, axis + 1, s.Length);
        ctx.Outputs[0].Reshape(s, TensorElementType.Float32);
    }

    public override void Execute(OpContext ctx)
    {
        if (ctx.Outputs[0].Length > 0)
        {
            Reduction.Softmax(ctx.Isa, ctx.Inputs[0].Floats, ctx.Outputs[0].Floats, _outer, _length, _inner, ctx.Threads);
        }
    }
}
