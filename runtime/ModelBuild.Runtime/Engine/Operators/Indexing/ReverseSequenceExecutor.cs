using ModelBuild.Runtime.Engine.Operators.Shape;
using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Runtime.Engine.Operators.Indexing;

/// <summary>
/// ReverseSequence (ReverseSequenceParam batchDim/seqDim, negative allowed): inputs (x, lengths [batch]). For batch
/// entry b the first lengths[b] steps along the sequence axis are reversed, the rest copied. Exact copies; a 32-bit
/// element type, as upstream requires; a length outside [0, steps] is an error.
/// </summary>
[MnnOperator(OpType.ReverseSequence)]
internal sealed class ReverseSequenceExecutor(OpT op) : OperatorExecutor
{
    private readonly ReverseSequenceParamT _p = ShapeSupport.RequireParam<ReverseSequenceParamT>(op);
    private int _batchAxis, _seqAxis;
    private int[] _strides = [];

    public override void Reshape(OpContext ctx)
    {
        ShapeSupport.RequireInputs(ctx, 2, 2);
        var shape = ctx.Inputs[0].ShapeArray;
        _batchAxis = ShapeSupport.Axis(ctx, _p.BatchDim, shape.Length);
        _seqAxis = ShapeSupport.Axis(ctx, _p.SeqDim, shape.Length);
        if (_batchAxis == _seqAxis)
        {
            throw ctx.Error($"batch and sequence axes are both {_batchAxis}");
        }

        if (ctx.Inputs[1].Length != shape[_batchAxis])
        {
            throw ctx.Error($"lengths has {ctx.Inputs[1].Length} entries for a batch of {shape[_batchAxis]}");
        }

        _strides = new int[shape.Length];
        for (int d = shape.Length - 1, stride = 1; d >= 0; d--)
        {
            _strides[d] = stride;
            stride *= shape[d];
        }

        ctx.Outputs[0].Reshape(shape, ctx.Inputs[0].ElementType);
    }

    public override void Execute(OpContext ctx)
    {
        var shape = ctx.Inputs[0].ShapeArray;
        ReadOnlySpan<int> lengths = ctx.Inputs[1].ElementType == TensorElementType.Int32 ? ctx.Inputs[1].Ints : ShapeSupport.ReadInts(ctx, 1);
        int steps = shape[_seqAxis];
        for (int b = 0; b < lengths.Length; b++)
        {
            if ((uint)lengths[b] > (uint)steps)
            {
                throw ctx.Error($"sequence length {lengths[b]} of batch entry {b} is outside [0, {steps}]");
            }
        }

        if (ctx.Inputs[0].ElementType == TensorElementType.Float32)
        {
            Move<float>(ctx.Inputs[0].Floats, ctx.Outputs[0].Floats, lengths, shape);
        }
        else
        {
            Move<int>(ctx.Inputs[0].Ints, ctx.Outputs[0].Ints, lengths, shape);
        }
    }

    /// <summary>Element i (batch b, step t) comes from step lengths[b] − 1 − t when t &lt; lengths[b], else from itself.</summary>
    private void Move<T>(ReadOnlySpan<T> x, Span<T> y, ReadOnlySpan<int> lengths, int[] shape)
    {
        int batchStride = _strides[_batchAxis], seqStride = _strides[_seqAxis];
        int batches = shape[_batchAxis], steps = shape[_seqAxis];
        for (int i = 0; i < y.Length; i++)
        {
            int b = i / batchStride % batches, t = i / seqStride % steps;
            y[i] = x[t < lengths[b] ? i + ((lengths[b] - 1 - (2 * t)) * seqStride) : i];
        }
    }
}
