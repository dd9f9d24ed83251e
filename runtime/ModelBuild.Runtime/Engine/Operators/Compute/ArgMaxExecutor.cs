using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Runtime.Engine.Operators.Compute;

/// <summary>
/// ArgMax / ArgMin (ArgMax parameter) on float32 or int32: int32 index of the first extreme value along <c>axis</c>
/// (negative allowed), which is removed from the shape (upstream's NCHW rule; ONNX keepdims becomes a separate
/// Unsqueeze). NaN counts as the extreme for ArgMax and ArgMin alike.
/// </summary>
[MnnOperator((int)OpType.ArgMax, (int)OpType.ArgMin)]
internal sealed class ArgMaxExecutor : OperatorExecutor
{
    private readonly int _axis;
    private readonly bool _min;
    private int _outer, _length, _inner;

    public ArgMaxExecutor(OpT op)
    {
        var p = ComputeSupport.OptionalParam<ArgMaxT>(op);
        _axis = p?.Axis ?? 0;
        _min = op.Type == OpType.ArgMin;
        if (p is { TopK: > 1 } || p is { OutMaxVal: not 0 })
        {
            throw new ModelBuildException(ErrorCodes.UnsupportedMnnOperator, $"op '{op.Name}': Caffe ArgMax with topK/outMaxVal is not supported");
        }
    }

    public override void Reshape(OpContext ctx)
    {
        ComputeSupport.RequireInputs(ctx, 1);
        var s = ctx.Inputs[0].ShapeArray;
        int axis = ComputeSupport.Axis(ctx, _axis, s.Length);
        _outer = (int)ComputeSupport.Product(s, 0, axis);
        _length = s[axis];
        _inner = (int)ComputeSupport.Product(s, axis + 1, s.Length);
        if (_length == 0)
        {
            throw ctx.Error("ArgMax/ArgMin over an empty axis");
        }

        var shape = s.Where((_, i) => i != axis).ToArray();
        ctx.Outputs[0].Reshape(shape, TensorElementType.Int32);
    }

    public override void Execute(OpContext ctx)
    {
        var input = ctx.Inputs[0];
        var dst = ctx.Outputs[0].IntBuffer;
        bool isFloat = input.ElementType == TensorElementType.Float32;
        for (int o = 0; o < _outer; o++)
        {
            for (int i = 0; i < _inner; i++)
            {
                int b = o * _length * _inner + i;
                int best = 0;
                double bestValue = Value(input, isFloat, b);
                for (int k = 1; k < _length && !double.IsNaN(bestValue); k++)
                {
                    double v = Value(input, isFloat, b + k * _inner);
                    if (double.IsNaN(v) || (_min ? v < bestValue : v > bestValue))
                    {
                        best = k;
                        bestValue = v;
                    }
                }

                dst[o * _inner + i] = best;
            }
        }
    }

    private static double Value(Tensor t, bool isFloat, int i) => isFloat ? t.FloatBuffer[i] : t.IntBuffer[i];
}
