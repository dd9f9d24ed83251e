using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Runtime.Engine.Operators.Shape;

/// <summary>
/// GatherV2 (axis from the optional third input, default 0) and Gather (axis parameter): output shape is
/// params[:axis] + indices.shape + params[axis+1:]; negative indices count from the end.
/// </summary>
[MnnOperator(OpType.GatherV2, OpType.Gather)]
internal sealed class GatherExecutor(OpT op) : OperatorExecutor
{
    private readonly int _axisParam = op.Type == OpType.Gather ? ShapeSupport.Param<GatherT>(op)?.Axis ?? 0 : 0;
    private int _axis;

    public override bool ShapeDependsOnInputValues => true;

    /// <summary>Only the axis input; the indices decide the shape by their shape.</summary>
    public override bool ShapeReadsValueOf(int input) => input == 2;

    public override void Reshape(OpContext ctx)
    {
        ShapeSupport.RequireInputs(ctx, 2, 3);
        var data = ctx.Inputs[0];
        if (data.Rank == 0)
        {
            throw ctx.Error("cannot gather from a scalar");
        }

        int axis = ctx.Inputs.Length > 2 ? ShapeSupport.ReadScalar(ctx, 2) : _axisParam;
        _axis = ShapeSupport.Axis(ctx, axis, data.Rank);
        var shape = new List<int>(data.ShapeArray[.._axis]);
        shape.AddRange(ctx.Inputs[1].ShapeArray);
        shape.AddRange(data.ShapeArray[(_axis + 1)..]);
        ctx.Outputs[0].Reshape(shape.ToArray(), data.ElementType);
    }

    public override void Execute(OpContext ctx)
    {
        var data = ctx.Inputs[0];
        var indices = ShapeSupport.ReadInts(ctx, 1);
        var s = data.ShapeArray;
        int extent = s[_axis];
        int outer = ShapeSupport.Elements(s.AsSpan(0, _axis));
        int inner = ShapeSupport.Elements(s.AsSpan(_axis + 1));
        for (int k = 0; k < indices.Length; k++)
        {
            int idx = indices[k] < 0 ? indices[k] + extent : indices[k];
            if (idx < 0 || idx >= extent)
            {
                throw ctx.Error($"index {indices[k]} is out of range for axis {_axis} of size {extent}");
            }

            indices[k] = idx;
        }

        if (data.ElementType == TensorElementType.Float32)
        {
            Gather<float>(data.Floats, ctx.Outputs[0].Floats, indices, outer, extent, inner);
        }
        else
        {
            Gather<int>(data.Ints, ctx.Outputs[0].Ints, indices, outer, extent, inner);
        }
    }

    private static void Gather<T>(ReadOnlySpan<T> src, Span<T> dst, int[] indices, int outer, int extent, int inner)
    {
        int d = 0;
        for (int o = 0; o < outer; o++)
        {
            int baseOffset = o * extent * inner;
            foreach (int idx in indices)
            {
                src.Slice(baseOffset + idx * inner, inner).CopyTo(dst.Slice(d, inner));
                d += inner;
            }
        }
    }
}
