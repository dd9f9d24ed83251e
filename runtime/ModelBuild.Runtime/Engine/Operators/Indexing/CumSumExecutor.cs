using System.Numerics;
using ModelBuild.Runtime.Engine.Operators.Shape;
using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Runtime.Engine.Operators.Indexing;

/// <summary>
/// CumSum: inputs (x, axis scalar); running sums along the axis, optionally exclusive (each element gets the sum
/// of those before it) and/or reversed (sums run from the end). Float sums accumulate in double so long axes do not
/// drift from ONNX Runtime's float results by more than rounding of the final value.
/// </summary>
[MnnOperator(OpType.CumSum)]
internal sealed class CumSumExecutor(OpT op) : OperatorExecutor
{
    private readonly bool _exclusive = ShapeSupport.Param<CumSumT>(op)?.Exclusive ?? false;
    private readonly bool _reverse = ShapeSupport.Param<CumSumT>(op)?.Reverse ?? false;
    private int _outer, _n, _inner;

    public override bool ShapeDependsOnInputValues => true;

    public override void Reshape(OpContext ctx)
    {
        ShapeSupport.RequireInputs(ctx, 1, 2);
        var shape = ctx.Inputs[0].ShapeArray;
        int rank = Math.Max(shape.Length, 1);
        int axis = ctx.Inputs.Length > 1 ? ShapeSupport.Axis(ctx, ShapeSupport.ReadScalar(ctx, 1), rank) : 0;
        _n = shape.Length == 0 ? 1 : shape[axis];
        _outer = shape.Length == 0 ? 1 : ShapeSupport.Elements(shape.AsSpan(0, axis));
        _inner = shape.Length == 0 ? 1 : ShapeSupport.Elements(shape.AsSpan(axis + 1));
        ctx.Outputs[0].Reshape(shape, ctx.Inputs[0].ElementType);
    }

    public override void Execute(OpContext ctx)
    {
        if (ctx.Inputs[0].ElementType == TensorElementType.Float32)
        {
            Scan<float, double>(ctx.Inputs[0].Floats, ctx.Outputs[0].Floats);
        }
        else
        {
            Scan<int, long>(ctx.Inputs[0].Ints, ctx.Outputs[0].Ints);
        }
    }

    /// <summary>Index of the <paramref name="step"/>-th element of line (o, i) in scan order.</summary>
    private int At(int o, int i, int step) => ((o * _n) + (_reverse ? _n - 1 - step : step)) * _inner + i;

    /// <summary>
    /// One scan for both element types: <typeparamref name="TAcc"/> is the wider accumulator (double for float,
    /// long for int) and the stored value is truncated back to <typeparamref name="T"/> (wrapping for ints).
    /// </summary>
    private void Scan<T, TAcc>(ReadOnlySpan<T> x, Span<T> y)
        where T : INumberBase<T>
        where TAcc : INumberBase<TAcc>
    {
        for (int o = 0; o < _outer; o++)
        {
            for (int i = 0; i < _inner; i++)
            {
                TAcc sum = TAcc.Zero;
                for (int step = 0; step < _n; step++)
                {
                    int index = At(o, i, step);
                    TAcc v = TAcc.CreateTruncating(x[index]);
                    y[index] = T.CreateTruncating(_exclusive ? sum : sum + v);
                    sum += v;
                }
            }
        }
    }
}
