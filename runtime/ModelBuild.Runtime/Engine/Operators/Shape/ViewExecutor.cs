namespace ModelBuild.Runtime.Engine.Operators.Shape;

/// <summary>
/// Base of ops that change only the shape (Reshape, Flatten, Squeeze, ...): output i gets input i's elements in
/// the same row-major order, as one block copy.
/// </summary>
internal abstract class ViewExecutor : OperatorExecutor
{
    /// <summary>Output shape computed from the first input (and, for some ops, from other inputs' values).</summary>
    protected abstract int[] OutputShape(OpContext ctx, int[] input);

    public override void Reshape(OpContext ctx)
    {
        ShapeSupport.RequireInputs(ctx, 1);
        ShapeSupport.RequireOutputs(ctx, 1);
        var input = ctx.Inputs[0];
        var shape = OutputShape(ctx, input.ShapeArray);
        if (ShapeSupport.Elements(shape) != input.Length)
        {
            throw ctx.Error($"cannot view shape {ShapeSupport.Show(input.ShapeArray)} as {ShapeSupport.Show(shape)}");
        }

        ctx.Outputs[0].Reshape(shape, input.ElementType);
    }

    public override bool OutputMayAliasInput => true;

    /// <summary>Only inputs 1.. (shape, axes) are read for the shape; Execute is a plain copy.</summary>
    public override bool ShapeReadsOnlyParameterValues => true;

    public override void Execute(OpContext ctx)
    {
        Tensor input = ctx.Inputs[0], output = ctx.Outputs[0];
        bool shared = input.ElementType == TensorElementType.Float32
            ? ReferenceEquals(input.FloatBuffer, output.FloatBuffer)
            : ReferenceEquals(input.IntBuffer, output.IntBuffer);
        if (!shared)
        {
            StridedCopy.CopyAll(input, output);
        }
    }
}
