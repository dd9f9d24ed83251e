using ModelBuild.Runtime.Format.Schema;
using ModelBuild.Runtime.Kernels;

namespace ModelBuild.Runtime.Engine.Operators.Compute;

/// <summary>
/// MNN BinaryOp with numpy broadcasting on float32 or int32 inputs (both the same type). Comparisons and logical
/// ops produce int32 0/1 as upstream does. Semantics per type (upstream CPU): DIV/REALDIV float a/b, int truncating
/// (x/0 gives 0 instead of a crash); FLOORDIV floor(a/b); MOD float fmod (sign of dividend), int floor-mod (sign of
/// divisor, ONNX Mod fmod=0); FLOORMOD float a - floor(a/b)*b, int the same in integer arithmetic, i.e. the
/// truncated remainder (sign of dividend, ONNX Mod fmod=1); POW float powf, int repeated
/// multiply; MAX_TEMP/MIN_TEMP same as MAXIMUM/MINIMUM; activationType 1 applies ReLU to float results.
/// Float arithmetic and all comparisons run on the Kernels library (its own pow/fmod/floor-mod, same bits at every
/// ISA level); FLOORDIV, ATAN2, logical ops and int arithmetic use <see cref="BinaryMath"/>.
/// </summary>
[MnnOperator((int)OpType.BinaryOp)]
internal sealed class BinaryOpExecutor : OperatorExecutor
{
    private readonly OpT _op;
    private readonly BinaryOpOperation _operation;
    private readonly bool _relu;
    private BroadcastPlan? _plan;
    private BroadcastWalker? _walker; // the kernel's row plan, made in Reshape instead of on every run

    public BinaryOpExecutor(OpT op)
    {
        _op = op;
        var p = ComputeSupport.Param<BinaryOpT>(op);
        _operation = p.OpType;
        _relu = p.ActivationType == 1;
        if (!BinaryMath.IsKnown(_operation))
        {
            throw new ModelBuildException(ErrorCodes.UnsupportedMnnOperator, $"op '{op.Name}': BinaryOp operation {_operation} is not supported");
        }
    }

    public override void Reshape(OpContext ctx)
    {
        ComputeSupport.RequireInputs(ctx, 2);
        var a = ctx.Inputs[0];
        var b = ctx.Inputs[1];
        if (a.ElementType != b.ElementType)
        {
            throw new ModelBuildException(ErrorCodes.RuntimeTypeMismatch, $"op '{ctx.OpName}': BinaryOp {_operation} inputs are {a.ElementType} and {b.ElementType}");
        }

        _plan = BroadcastPlan.Create(ctx, a.ShapeArray, b.ShapeArray);
        var type = BinaryMath.IsPredicate(_operation) ? TensorElementType.Int32 : a.ElementType;
        if (a.ElementType == TensorElementType.Float32 && BinaryMath.IsIntegerOnly(_operation))
        {
            throw new ModelBuildException(ErrorCodes.RuntimeTypeMismatch, $"op '{ctx.OpName}': BinaryOp {_operation} needs int32 inputs");
        }

        ctx.Outputs[0].Reshape(_plan.OutShape, type);
        _walker = a.ElementType == TensorElementType.Float32 && type == TensorElementType.Float32 && BinaryMath.KernelFunction(_operation) is not null
            ? BroadcastWalker.Create(a.ShapeArray, b.ShapeArray, _plan.OutShape)
            : null;
    }

    public override void Execute(OpContext ctx)
    {
        var plan = _plan!;
        var a = ctx.Inputs[0];
        var b = ctx.Inputs[1];
        var o = ctx.Outputs[0];
        if (a.ElementType == TensorElementType.Float32)
        {
            if (o.ElementType == TensorElementType.Int32)
            {
                if (BinaryMath.KernelCompare(_operation) is { } cmp)
                {
                    Elementwise.Compare(ctx.Isa, cmp, a.Floats, a.ShapeArray, b.Floats, b.ShapeArray, o.Ints, o.ShapeArray);
                }
                else
                {
                    BinaryMath.FloatPredicate(_operation, plan, a.FloatBuffer, b.FloatBuffer, o.IntBuffer);
                }
            }
            else
            {
                if (BinaryMath.KernelFunction(_operation) is { } f)
                {
                    Elementwise.BinaryBroadcast(ctx.Isa, f, _walker!, a.Floats, b.Floats, o.Floats, ctx.Threads);
                }
                else
                {
                    BinaryMath.Float(_operation, plan, a.FloatBuffer, b.FloatBuffer, o.FloatBuffer);
                }

                if (_relu)
                {
                    Elementwise.Unary(ctx.Isa, UnaryFunction.Relu, o.Floats, o.Floats, threads: ctx.Threads);
                }
            }
        }
        else if (BinaryMath.KernelCompare(_operation) is { } icmp)
        {
            Elementwise.Compare(ctx.Isa, icmp, a.Ints, a.ShapeArray, b.Ints, b.ShapeArray, o.Ints, o.ShapeArray);
        }
        else
        {
            BinaryMath.Int(_operation, plan, a.IntBuffer, b.IntBuffer, o.IntBuffer);
        }
    }
}
