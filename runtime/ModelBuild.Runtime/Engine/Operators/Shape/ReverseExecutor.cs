namespace ModelBuild.Runtime.Engine.Operators.Shape;

/// <summary>
/// MNN Reverse: inputs (data, axis); the data reversed along that one axis (negative counts from the end). Upstream's
/// default-mode bidirectional LSTM/GRU reverse the backward direction's outputs with it.
/// </summary>
[MnnOperator(Format.Schema.OpType.Reverse)]
internal sealed class ReverseExecutor : OperatorExecutor
{
    private SliceBox _box;

    public override bool ShapeDependsOnInputValues => true;

    public override void Reshape(OpContext ctx)
    {
        ShapeSupport.RequireInputs(ctx, 2, 2);
        var shape = ctx.Inputs[0].ShapeArray;
        var axes = ShapeSupport.ReadInts(ctx, 1);
        if (axes.Length != 1)
        {
            throw ctx.Error($"the axis input holds {axes.Length} values, expected 1");
        }

        int axis = axes[0] < 0 ? axes[0] + shape.Length : axes[0];
        if (axis < 0 || axis >= shape.Length)
        {
            throw ctx.Error($"axis {axes[0]} is outside a rank-{shape.Length} tensor");
        }

        var begin = new int[shape.Length];
        var step = Enumerable.Repeat(1, shape.Length).ToArray();
        begin[axis] = Math.Max(shape[axis] - 1, 0);
        step[axis] = -1;
        _box = new SliceBox(begin, step, shape);
        ctx.Outputs[0].Reshape(shape, ctx.Inputs[0].ElementType);
    }

    public override void Execute(OpContext ctx) => _box.CopyTo(ctx.Inputs[0], ctx.Outputs[0]);
}
