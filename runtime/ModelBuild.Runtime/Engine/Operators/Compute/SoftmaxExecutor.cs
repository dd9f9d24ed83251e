using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Runtime.Engine.Operators.Compute;

/// <summary>Softmax along one axis (negative counts from the end): exp(x − max) / Σ exp(x − max), accumulated in double.</summary>
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
        float[] src = ctx.Inputs[0].FloatBuffer, dst = ctx.Outputs[0].FloatBuffer;
        int length = _length, inner = _inner;
        ComputeSupport.For(ctx.Threads, _outer, o =>
        {
            for (int i = 0; i < inner; i++)
            {
                int b = o * length * inner + i;
                float max = float.NegativeInfinity;
                for (int k = 0; k < length; k++)
                {
                    max = MathF.Max(max, src[b + k * inner]);
                }

                double sum = 0;
                for (int k = 0; k < length; k++)
                {
                    double e = Math.Exp(src[b + k * inner] - (double)max);
                    dst[b + k * inner] = (float)e;
                    sum += e;
                }

                for (int k = 0; k < length; k++)
                {
                    dst[b + k * inner] = (float)(Math.Exp(src[b + k * inner] - (double)max) / sum);
                }
            }
        });
    }
}
