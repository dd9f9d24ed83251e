using ModelBuild.Runtime.Format.Schema;
using ModelBuild.Runtime.Kernels;

namespace ModelBuild.Runtime.Engine.Operators.Compute;

/// <summary>
/// MNN UnaryOp on float32 (every UnaryOpOperation) or int32 (ABS, NEG, SQUARE, SIGN); output has the input's shape and
/// type. Float ops the Kernels library has run there (vectorized, same bits at every ISA level); the rest
/// (TAN, ASIN, ..., ROUND half-away-from-zero, ERFC, ERFINV) use <see cref="UnaryMath"/>'s scalar math.
/// </summary>
[MnnOperator((int)OpType.UnaryOp)]
internal sealed class UnaryOpExecutor : OperatorExecutor
{
    private readonly UnaryOpOperation _operation;

    public UnaryOpExecutor(OpT op)
    {
        _operation = ComputeSupport.Param<UnaryOpT>(op).OpType;
        if (!UnaryMath.SupportsFloat(_operation))
        {
            throw new ModelBuildException(ErrorCodes.UnsupportedMnnOperator, $"op '{op.Name}': UnaryOp operation {_operation} is not supported");
        }
    }

    public override void Reshape(OpContext ctx)
    {
        ComputeSupport.RequireInputs(ctx, 1);
        var input = ctx.Inputs[0];
        if (input.ElementType == TensorElementType.Int32 && !UnaryMath.SupportsInt(_operation))
        {
            throw new ModelBuildException(ErrorCodes.RuntimeTypeMismatch, $"op '{ctx.OpName}': UnaryOp {_operation} needs a float32 input");
        }

        ctx.Outputs[0].Reshape(input.ShapeArray, input.ElementType);
    }

    public override void Execute(OpContext ctx)
    {
        var input = ctx.Inputs[0];
        var op = _operation;
        if (input.ElementType == TensorElementType.Int32)
        {
            var src = input.Ints;
            var dst = ctx.Outputs[0].Ints;
            for (int i = 0; i < src.Length; i++)
            {
                dst[i] = UnaryMath.Apply(op, src[i]);
            }

            return;
        }

        if (UnaryMath.KernelFunction(op) is { } function)
        {
            Elementwise.Unary(ctx.Isa, function, input.Floats, ctx.Outputs[0].Floats, threads: ctx.Threads);
            return;
        }

        ApplyScalar(ctx, input, op);
    }

    /// <summary>Ops the Kernels library lacks, element by element; separate so the kernel path allocates no closure.</summary>
    private static void ApplyScalar(OpContext ctx, Tensor input, UnaryOpOperation op)
    {
        float[] s = input.FloatBuffer, d = ctx.Outputs[0].FloatBuffer;
        int length = input.Length;
        const int Chunk = 16384;
        ComputeSupport.For(length > Chunk ? ctx.Threads : 1, (length + Chunk - 1) / Chunk, c =>
        {
            int end = Math.Min(length, (c + 1) * Chunk);
            for (int i = c * Chunk; i < end; i++)
            {
                d[i] = UnaryMath.Apply(op, s[i]);
            }
        });
    }
}
