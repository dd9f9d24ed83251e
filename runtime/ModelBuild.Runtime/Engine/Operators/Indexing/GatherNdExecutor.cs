using ModelBuild.Runtime.Engine.Operators.Compute;
using ModelBuild.Runtime.Engine.Operators.Shape;
using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Runtime.Engine.Operators.Indexing;

/// <summary>
/// GatherND (upstream layout, TensorFlow's gather_nd): inputs (params, indices). Each index tuple (the last axis of
/// indices, of length q ≤ rank(params)) picks the slice params[i₀, …, i_q−1, …]; the output is
/// indices.shape[:-1] + params.shape[q:]. Negative indices count from the end of their axis (ONNX), out-of-range ones
/// are an error. Exact copies.
/// With an Axis parameter b (upstream's encoding of ONNX batch_dims), each tuple indexes the axes b..b+q−1 with
/// their strides but its offset is taken from the start of params: the converter has already added each batch's
/// offset to the indices (as upstream's converter does). The output is indices.shape[:-1] + params.shape[b+q:];
/// the range check is then on the whole tuple's offset.
/// </summary>
[MnnOperator(OpType.GatherND)]
internal sealed class GatherNdExecutor : OperatorExecutor
{
    private readonly int _batchDims;

    public GatherNdExecutor(OpT op)
    {
        _batchDims = ComputeSupport.OptionalParam<AxisT>(op)?.Axis_ ?? 0;
    }

    public override void Reshape(OpContext ctx)
    {
        ShapeSupport.RequireInputs(ctx, 2, 2);
        var data = ctx.Inputs[0].ShapeArray;
        var indices = ctx.Inputs[1].ShapeArray;
        if (indices.Length == 0 || data.Length == 0 || _batchDims < 0 || indices[^1] + _batchDims > data.Length || _batchDims >= indices.Length)
        {
            throw ctx.Error($"indices {ShapeSupport.Show(indices)} do not index params {ShapeSupport.Show(data)} with {_batchDims} batch axes (the last axis of indices plus the batch axes must be ≤ its rank)");
        }

        ctx.Outputs[0].Reshape([.. indices[..^1], .. data[(indices[^1] + _batchDims)..]], ctx.Inputs[0].ElementType);
    }

    public override void Execute(OpContext ctx)
    {
        var data = ctx.Inputs[0];
        var output = ctx.Outputs[0];
        var shape = data.ShapeArray;
        // int32 indices (what both converters write) are read in place; others converted once per run
        ReadOnlySpan<int> indices = ctx.Inputs[1].ElementType == TensorElementType.Int32 ? ctx.Inputs[1].Ints : ShapeSupport.ReadInts(ctx, 1);
        int q = ctx.Inputs[1].ShapeArray[^1];
        if (_batchDims > 0)
        {
            ExecuteBatched(ctx, indices, q);
            return;
        }

        int slice = ShapeSupport.Elements(shape.AsSpan(q));
        int tuples = ShapeSupport.Elements(ctx.Inputs[1].ShapeArray.AsSpan(0, ctx.Inputs[1].Rank - 1));
        bool isFloat = data.ElementType == TensorElementType.Float32;
        for (int t = 0; t < tuples; t++)
        {
            int offset = 0;
            for (int d = 0; d < q; d++)
            {
                int dim = shape[d], i = indices[t * q + d];
                int at = i < 0 ? i + dim : i;
                if ((uint)at >= (uint)dim)
                {
                    throw ctx.Error($"index {i} is outside axis {d} of size {dim}");
                }

                offset = offset * dim + at;
            }

            offset *= slice;
            if (isFloat)
            {
                data.Floats.Slice(offset, slice).CopyTo(output.Floats.Slice(t * slice, slice));
            }
            else
            {
                data.Ints.Slice(offset, slice).CopyTo(output.Ints.Slice(t * slice, slice));
            }
        }
    }

    /// <summary>Upstream's batch_dims form: offset = Σ index_d · stride(b + d), stride(k) = Π params.shape[k+1:].</summary>
    private void ExecuteBatched(OpContext ctx, ReadOnlySpan<int> indices, int q)
    {
        var data = ctx.Inputs[0];
        var output = ctx.Outputs[0];
        var shape = data.ShapeArray;
        int slice = ShapeSupport.Elements(shape.AsSpan(q + _batchDims));
        int total = ShapeSupport.Elements(shape);
        int tuples = ShapeSupport.Elements(ctx.Inputs[1].ShapeArray.AsSpan(0, ctx.Inputs[1].Rank - 1));
        bool isFloat = data.ElementType == TensorElementType.Float32;
        for (int t = 0; t < tuples; t++)
        {
            long offset = 0;
            long stride = slice;
            for (int d = q - 1; d >= 0; d--)
            {
                offset += indices[t * q + d] * stride;
                stride *= shape[_batchDims + d];
            }

            if (offset < 0 || offset + slice > total)
            {
                throw ctx.Error($"index tuple {t} reaches element {offset}, outside params {ShapeSupport.Show(shape)}");
            }

            if (isFloat)
            {
                data.Floats.Slice((int)offset, slice).CopyTo(output.Floats.Slice(t * slice, slice));
            }
            else
            {
                data.Ints.Slice((int)offset, slice).CopyTo(output.Ints.Slice(t * slice, slice));
            }
        }
    }
}
