using ModelBuild.Runtime.Engine.Operators.Shape;
using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Runtime.Engine.Operators.Indexing;

/// <summary>
/// ScatterElements (upstream layout): inputs (data, indices, updates[, axis scalar, default 0]). The output is a copy
/// of data where, for every position p of indices, the element at p with p[axis] replaced by indices[p] takes
/// updates[p] (replaced or combined per the BinaryOp parameter; later positions win on duplicates when replacing).
/// Negative indices count from the end of the axis; out-of-range ones are an error.
/// </summary>
[MnnOperator(OpType.ScatterElements)]
internal sealed class ScatterElementsExecutor(OpT op) : OperatorExecutor
{
    private readonly ScatterCombine _combine = ScatterReduction.FromOp(op);
    private int _axis;

    public override bool ShapeDependsOnInputValues => true;

    public override void Reshape(OpContext ctx)
    {
        ShapeSupport.RequireInputs(ctx, 3, 4);
        var data = ctx.Inputs[0].ShapeArray;
        var indices = ctx.Inputs[1].ShapeArray;
        if (indices.Length != data.Length || !indices.AsSpan().SequenceEqual(ctx.Inputs[2].ShapeArray))
        {
            throw ctx.Error($"indices {ShapeSupport.Show(indices)} and updates {ShapeSupport.Show(ctx.Inputs[2].ShapeArray)} must have one shape of the rank of data {ShapeSupport.Show(data)}");
        }

        _axis = ShapeSupport.Axis(ctx, ctx.Inputs.Length > 3 ? ShapeSupport.ReadScalar(ctx, 3) : 0, Math.Max(data.Length, 1));
        ElementsIndices.CheckFits(ctx, data, indices, _axis);

        ctx.Outputs[0].Reshape(data, ctx.Inputs[0].ElementType);
    }

    public override void Execute(OpContext ctx)
    {
        var output = ctx.Outputs[0];
        if (output.ElementType == TensorElementType.Float32)
        {
            ctx.Inputs[0].Floats.CopyTo(output.Floats);
            var updates = ctx.Inputs[2].Floats;
            var o = output.Floats;
            foreach (var (dst, src) in Targets(ctx))
            {
                o[dst] = ScatterReduction.Apply(_combine, o[dst], updates[src]);
            }
        }
        else
        {
            ctx.Inputs[0].Ints.CopyTo(output.Ints);
            var updates = ctx.Inputs[2].IntBuffer;
            var o = output.IntBuffer;
            foreach (var (dst, src) in Targets(ctx))
            {
                o[dst] = ScatterReduction.Apply(_combine, o[dst], updates[src]);
            }
        }
    }

    /// <summary>(output offset, updates offset) pairs in row-major order of indices.</summary>
    private List<(int Dst, int Src)> Targets(OpContext ctx)
    {
        var data = ctx.Inputs[0].ShapeArray;
        var ishape = ctx.Inputs[1].ShapeArray;
        var indices = ShapeSupport.ReadInts(ctx, 1);
        var result = new List<(int, int)>(indices.Length);
        var dataStrides = StridedCopy.Strides(data);

        var pos = new int[ishape.Length];
        for (int k = 0; k < indices.Length; k++)
        {
            int offset = 0;
            for (int d = 0; d < pos.Length; d++)
            {
                int coord = pos[d];
                if (d == _axis)
                {
                    int dim = data[d];
                    coord = indices[k] < 0 ? indices[k] + dim : indices[k];
                    if (coord < 0 || coord >= dim)
                    {
                        throw ctx.Error($"index {indices[k]} is out of range for axis {d} of size {dim}");
                    }
                }

                offset += coord * dataStrides[d];
            }

            result.Add((offset, k));
            for (int d = pos.Length - 1; d >= 0 && ++pos[d] == ishape[d]; d--)
            {
                pos[d] = 0;
            }
        }

        return result;
    }
}
