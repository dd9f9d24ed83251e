using ModelBuild.Runtime.Engine.Operators.Shape;
using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Runtime.Engine.Operators.Indexing;

/// <summary>
/// ScatterNd (upstream layout): inputs (indices, updates, shape[, data]). The output has <c>shape</c> and starts as
/// <c>data</c> (zeros without it); each index tuple (the last axis of <c>indices</c>, of length q) addresses a slice
/// of rank(shape) − q dims that takes the matching slice of <c>updates</c>, replaced or combined per the BinaryOp
/// parameter. Negative indices count from the end of their axis; out-of-range ones are an error.
/// </summary>
[MnnOperator(OpType.ScatterNd)]
internal sealed class ScatterNdExecutor(OpT op) : OperatorExecutor
{
    private readonly ScatterCombine _combine = ScatterReduction.FromOp(op);
    private int[] _shape = [];

    public override bool ShapeDependsOnInputValues => true;

    public override void Reshape(OpContext ctx)
    {
        ShapeSupport.RequireInputs(ctx, 3, 4);
        _shape = ShapeSupport.ReadInts(ctx, 2);
        var type = ctx.Inputs[1].ElementType;
        if (ctx.Inputs.Length > 3)
        {
            var data = ctx.Inputs[3];
            if (!data.ShapeArray.AsSpan().SequenceEqual(_shape))
            {
                throw ctx.Error($"data shape {ShapeSupport.Show(data.ShapeArray)} differs from shape input {ShapeSupport.Show(_shape)}");
            }

            type = data.ElementType;
        }

        var indices = ctx.Inputs[0].ShapeArray;
        int q = indices.Length == 0 ? 0 : indices[^1];
        if (indices.Length == 0 || q > _shape.Length)
        {
            throw ctx.Error($"indices shape {ShapeSupport.Show(indices)} does not index a tensor of rank {_shape.Length}");
        }

        int[] expected = [.. indices[..^1], .. _shape[q..]];
        if (!ctx.Inputs[1].ShapeArray.AsSpan().SequenceEqual(expected))
        {
            throw ctx.Error($"updates shape {ShapeSupport.Show(ctx.Inputs[1].ShapeArray)} must be {ShapeSupport.Show(expected)}");
        }

        ctx.Outputs[0].Reshape(_shape, type);
    }

    public override void Execute(OpContext ctx)
    {
        var indices = ShapeSupport.ReadInts(ctx, 0);
        var ishape = ctx.Inputs[0].ShapeArray;
        int q = ishape[^1];
        int tuples = q == 0 ? ShapeSupport.Elements(ishape.AsSpan(0, ishape.Length - 1)) : indices.Length / q;
        int slice = ShapeSupport.Elements(_shape.AsSpan(q));
        var offsets = new int[tuples];
        for (int t = 0; t < tuples; t++)
        {
            long offset = 0;
            for (int d = 0; d < q; d++)
            {
                int dim = _shape[d];
                int idx = indices[t * q + d];
                idx = idx < 0 ? idx + dim : idx;
                if (idx < 0 || idx >= dim)
                {
                    throw ctx.Error($"index {indices[t * q + d]} is out of range for axis {d} of size {dim}");
                }

                offset = offset * dim + idx;
            }

            offsets[t] = checked((int)(offset * slice));
        }

        var output = ctx.Outputs[0];
        bool hasData = ctx.Inputs.Length > 3;
        if (output.ElementType == TensorElementType.Float32)
        {
            Scatter(output.Floats, hasData ? ctx.Inputs[3].Floats : default, ctx.Inputs[1].Floats, offsets, slice, static (c, a, b) => ScatterReduction.Apply(c, a, b));
        }
        else
        {
            Scatter(output.Ints, hasData ? ctx.Inputs[3].Ints : default, ctx.Inputs[1].Ints, offsets, slice, static (c, a, b) => ScatterReduction.Apply(c, a, b));
        }
    }

    /// <summary>Output starts as <paramref name="data"/> (zeros when absent, i.e. empty), then each tuple's slice is combined in.</summary>
    private void Scatter<T>(Span<T> output, ReadOnlySpan<T> data, ReadOnlySpan<T> updates, int[] offsets, int slice, Func<ScatterCombine, T, T, T> apply)
        where T : struct
    {
        if (data.IsEmpty)
        {
            output.Clear();
        }
        else
        {
            data.CopyTo(output);
        }

        for (int t = 0; t < offsets.Length; t++)
        {
            var dst = output.Slice(offsets[t], slice);
            var src = updates.Slice(t * slice, slice);
            for (int j = 0; j < slice; j++)
            {
                dst[j] = apply(_combine, dst[j], src[j]);
            }
        }
    }
}
