using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Runtime.Engine.Operators.Shape;

/// <summary>Shape: the input's dimensions as an int32 vector (logical NCHW order).</summary>
[MnnOperator(OpType.Shape)]
internal sealed class ShapeExecutor : OperatorExecutor
{
    public override void Reshape(OpContext ctx)
    {
        ShapeSupport.RequireInputs(ctx, 1);
        ctx.Outputs[0].Reshape([ctx.Inputs[0].Rank], TensorElementType.Int32);
    }

    public override void Execute(OpContext ctx) => ctx.Inputs[0].ShapeArray.CopyTo(ctx.Outputs[0].Ints);
}

/// <summary>Rank: the input's number of dimensions as an int32 scalar.</summary>
[MnnOperator(OpType.Rank)]
internal sealed class RankExecutor : OperatorExecutor
{
    public override void Reshape(OpContext ctx)
    {
        ShapeSupport.RequireInputs(ctx, 1);
        ctx.Outputs[0].Reshape([], TensorElementType.Int32);
    }

    public override void Execute(OpContext ctx) => ctx.Outputs[0].Ints[0] = ctx.Inputs[0].Rank;
}

/// <summary>Size: the input's element count as an int32 scalar.</summary>
[MnnOperator(OpType.Size)]
internal sealed class SizeExecutor : OperatorExecutor
{
    public override void Reshape(OpContext ctx)
    {
        ShapeSupport.RequireInputs(ctx, 1);
        ctx.Outputs[0].Reshape([], TensorElementType.Int32);
    }

    public override void Execute(OpContext ctx) => ctx.Outputs[0].Ints[0] = ctx.Inputs[0].Length;
}
