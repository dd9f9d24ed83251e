using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Runtime.Engine.Operators.Compute;

/// <summary>
/// MNN BinaryOp with numpy broadcasting on float32 or int32 inputs (both the same type). Comparisons and logical
/// ops produce int32 0/1 as upstream does. Semantics per type (upstream CPU): DIV/REALDIV float a/b, int truncating
/// (x/0 gives 0 instead of a crash); FLOORDIV floor(a/b); MOD float fmod (sign of dividend), int floor-mod (sign of
/// divisor, ONNX Mod fmod=0); FLOORMOD a - floor(a/b)*b (floor-mod for both types); POW float powf, int repeated
/// multiply; MAX_TEMP/MIN_TEMP same as MAXIMUM/MINIMUM; activationType 1 applies ReLU to float results.
/// </summary>
[MnnOperator((int)OpType.BinaryOp)]
internal sealed class BinaryOpExecutor : OperatorExecutor
{
    private readonly OpT _op;
    private readonly BinaryOpOperation _operation;
    private readonly bool _relu;
    private BroadcastPlan? _plan;

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
    }

    public override void Execute(OpContext ctx)
    {
        var plan = _plan!;
        var a = ctx.Inputs[0];
        var o = ctx.Outputs[0];
        if (a.ElementType == TensorElementType.Float32)
        {
            if (o.ElementType == TensorElementType.Int32)
            {
                BinaryMath.FloatPredicate(_operation, plan, a.FloatBuffer, ctx.Inputs[1].FloatBuffer, o.IntBuffer);
            }
            else
            {
                BinaryMath.Float(_operation, plan, a.FloatBuffer, ctx.Inputs[1].FloatBuffer, o.FloatBuffer);
                if (_relu)
                {
                    ComputeGemm.Activate(o.Floats, relu: true, relu6: false);
                }
            }
        }
        else
        {
            BinaryMath.Int(_operation, plan, a.IntBuffer, ctx.Inputs[1].IntBuffer, o.IntBuffer);
        }
    }
}
