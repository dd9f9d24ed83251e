using ModelBuild.Runtime.Engine.Operators.Shape;
using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Runtime.Engine.Operators.Indexing;

/// <summary>
/// TopKV2: inputs (x, k[, axis]) — axis defaults to the last one, as upstream. Outputs the k largest (or, with
/// largest=false, smallest) values along the axis and their int32 indices, always sorted; equal values keep the
/// lower index first (the ONNX rule, which makes the result deterministic). NaN orders above every number.
/// </summary>
[MnnOperator(OpType.TopKV2)]
internal sealed class TopKExecutor(OpT op) : OperatorExecutor
{
    private readonly bool _largest = ShapeSupport.Param<TopKV2T>(op)?.Largest ?? true;
    private int _outer, _n, _inner, _k;

    public override bool ShapeDependsOnInputValues => true;

    public override void Reshape(OpContext ctx)
    {
        ShapeSupport.RequireInputs(ctx, 2, 3);
        ShapeSupport.RequireOutputs(ctx, 2);
        var shape = ctx.Inputs[0].ShapeArray;
        if (shape.Length == 0)
        {
            throw ctx.Error("input 0 must have rank ≥ 1");
        }

        int axis = ctx.Inputs.Length > 2 ? ShapeSupport.Axis(ctx, ShapeSupport.ReadScalar(ctx, 2), shape.Length) : shape.Length - 1;
        _k = ShapeSupport.ReadScalar(ctx, 1);
        _n = shape[axis];
        if (_k < 0 || _k > _n)
        {
            throw ctx.Error($"k {_k} is out of range for axis {axis} of size {_n}");
        }

        _outer = ShapeSupport.Elements(shape.AsSpan(0, axis));
        _inner = ShapeSupport.Elements(shape.AsSpan(axis + 1));
        var outShape = (int[])shape.Clone();
        outShape[axis] = _k;
        ctx.Outputs[0].Reshape(outShape, ctx.Inputs[0].ElementType);
        ctx.Outputs[1].Reshape(outShape, TensorElementType.Int32);
    }

    public override void Execute(OpContext ctx)
    {
        var indices = ctx.Outputs[1].Ints;
        if (ctx.Inputs[0].ElementType == TensorElementType.Float32)
        {
            Select(ctx.Inputs[0].Floats, ctx.Outputs[0].Floats, indices, FloatOrder);
        }
        else
        {
            Select(ctx.Inputs[0].Ints, ctx.Outputs[0].Ints, indices, (a, b) => a.CompareTo(b));
        }
    }

    // NaN counts as the greatest value (as ONNX Runtime orders it), so it comes first when largest.
    private static int FloatOrder(float a, float b) =>
        float.IsNaN(a) ? (float.IsNaN(b) ? 0 : 1) : float.IsNaN(b) ? -1 : a.CompareTo(b);

    private void Select<T>(ReadOnlySpan<T> x, Span<T> values, Span<int> indices, Comparison<T> compare)
    {
        var order = new int[_n];
        var row = new T[_n];
        int sign = _largest ? -1 : 1;
        for (int o = 0; o < _outer; o++)
        {
            for (int i = 0; i < _inner; i++)
            {
                int baseIn = o * _n * _inner + i;
                for (int j = 0; j < _n; j++)
                {
                    row[j] = x[baseIn + j * _inner];
                    order[j] = j;
                }

                // Stable on index: ties resolve to the smaller index whichever direction is asked for.
                Array.Sort(order, (a, b) =>
                {
                    int c = sign * compare(row[a], row[b]);
                    return c != 0 ? c : a.CompareTo(b);
                });

                int baseOut = o * _k * _inner + i;
                for (int j = 0; j < _k; j++)
                {
                    values[baseOut + j * _inner] = row[order[j]];
                    indices[baseOut + j * _inner] = order[j];
                }
            }
        }
    }
}
