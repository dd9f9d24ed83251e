using ModelBuild.Runtime.Engine.Operators.Shape;
using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Runtime.Engine.Operators.Indexing;

/// <summary>
/// GatherElements (upstream layout): inputs (data, indices[, axis scalar, default 0]). Output p (indices' shape) is
/// data at p with p[axis] replaced by indices[p]; negative indices count from the end of the axis, out-of-range ones are
/// an error. Exact copies.
/// </summary>
[MnnOperator(OpType.GatherElements)]
internal sealed class GatherElementsExecutor : OperatorExecutor
{
    private int _axis;

    public override bool ShapeDependsOnInputValues => true;

    public override void Reshape(OpContext ctx)
    {
        ShapeSupport.RequireInputs(ctx, 2, 3);
        var data = ctx.Inputs[0].ShapeArray;
        var indices = ctx.Inputs[1].ShapeArray;
        if (indices.Length != data.Length || data.Length == 0)
        {
            throw ctx.Error($"indices {ShapeSupport.Show(indices)} must have the rank of data {ShapeSupport.Show(data)} (≥ 1)");
        }

        _axis = ShapeSupport.Axis(ctx, ctx.Inputs.Length > 2 ? ShapeSupport.ReadScalar(ctx, 2) : 0, data.Length);
        ElementsIndices.CheckFits(ctx, data, indices, _axis);

        ctx.Outputs[0].Reshape(indices, ctx.Inputs[0].ElementType);
    }

    public override void Execute(OpContext ctx)
    {
        var data = ctx.Inputs[0];
        var output = ctx.Outputs[0];
        var shape = data.ShapeArray;
        var ishape = ctx.Inputs[1].ShapeArray;
        var indices = ctx.Inputs[1].ElementType == TensorElementType.Int32 ? ctx.Inputs[1].Ints : throw ctx.Error("indices must be integers");
        Span<int> strides = stackalloc int[shape.Length];
        Span<int> pos = stackalloc int[shape.Length];
        int stride = 1;
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            strides[d] = stride;
            stride *= shape[d];
        }

        bool isFloat = output.ElementType == TensorElementType.Float32;
        Span<float> df = isFloat ? data.Floats : default, of = isFloat ? output.Floats : default;
        Span<int> di = isFloat ? default : data.Ints, oi = isFloat ? default : output.Ints;
        int dim = shape[_axis];
        for (int k = 0; k < indices.Length; k++)
        {
            int i = indices[k] < 0 ? indices[k] + dim : indices[k];
            if ((uint)i >= (uint)dim)
            {
                throw ctx.Error($"index {indices[k]} is outside axis {_axis} of size {dim}");
            }

            int offset = 0;
            for (int d = 0; d < pos.Length; d++)
            {
                offset += (d == _axis ? i : pos[d]) * strides[d];
            }

            if (isFloat)
            {
                of[k] = df[offset];
            }
            else
            {
                oi[k] = di[offset];
            }

            for (int d = pos.Length - 1; d >= 0 && ++pos[d] == ishape[d]; d--)
            {
                pos[d] = 0;
            }
        }
    }
}
