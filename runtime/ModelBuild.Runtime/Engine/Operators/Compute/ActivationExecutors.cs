using ModelBuild.Runtime.Format.Schema;
using ModelBuild.Runtime.Kernels;

namespace ModelBuild.Runtime.Engine.Operators.Compute;

/// <summary>Base of the element-wise activations: float32 in, same shape out, one Kernels unary function.</summary>
internal abstract class ElementwiseActivation : OperatorExecutor
{
    protected abstract UnaryFunction Function { get; }

    protected virtual float Alpha => 0f;

    protected virtual float Beta => 0f;

    public override void Reshape(OpContext ctx)
    {
        var input = ComputeSupport.FloatInput(ctx, 0);
        ctx.Outputs[0].Reshape(input.ShapeArray, TensorElementType.Float32);
    }

    public override void Execute(OpContext ctx) =>
        Elementwise.Unary(ctx.Isa, Function, ctx.Inputs[0].Floats, ctx.Outputs[0].Floats, Alpha, Beta, ctx.Threads);
}

/// <summary>ReLU; a non-zero <c>slope</c> makes it LeakyReLU (x &lt; 0 → slope·x). Int32 input is supported for slope 0.</summary>
[MnnOperator(OpType.ReLU)]
internal sealed class ReluExecutor : ElementwiseActivation
{
    private readonly float _slope;

    public ReluExecutor(OpT op)
    {
        _slope = ComputeSupport.OptionalParam<ReluT>(op)?.Slope ?? 0f;
    }

    protected override UnaryFunction Function => _slope == 0f ? UnaryFunction.Relu : UnaryFunction.LeakyRelu;

    protected override float Alpha => _slope;

    public override void Reshape(OpContext ctx)
    {
        ComputeSupport.RequireInputs(ctx, 1);
        var input = ctx.Inputs[0];
        if (input.ElementType == TensorElementType.Int32 && _slope == 0f)
        {
            ctx.Outputs[0].Reshape(input.ShapeArray, TensorElementType.Int32);
            return;
        }

        base.Reshape(ctx);
    }

    public override void Execute(OpContext ctx)
    {
        if (ctx.Inputs[0].ElementType == TensorElementType.Int32)
        {
            var src = ctx.Inputs[0].Ints;
            var dst = ctx.Outputs[0].Ints;
            for (int i = 0; i < src.Length; i++)
            {
                dst[i] = Math.Max(src[i], 0);
            }

            return;
        }

        base.Execute(ctx);
    }
}

/// <summary>ReLU6, used by upstream as Clip: clamp to [minValue, maxValue] (defaults 0 and 6).</summary>
[MnnOperator(OpType.ReLU6)]
internal sealed class Relu6Executor : ElementwiseActivation
{
    private readonly float _min;
    private readonly float _max;

    public Relu6Executor(OpT op)
    {
        var p = ComputeSupport.OptionalParam<Relu6T>(op);
        _min = p?.MinValue ?? 0f;
        _max = p?.MaxValue ?? 6f;
    }

    protected override UnaryFunction Function => UnaryFunction.Clip;

    protected override float Alpha => _min;

    protected override float Beta => _max;
}

/// <summary>ELU: x &gt; 0 → x, else alpha·(e^x − 1).</summary>
[MnnOperator(OpType.ELU)]
internal sealed class EluExecutor : ElementwiseActivation
{
    private readonly float _alpha;

    public EluExecutor(OpT op)
    {
        _alpha = ComputeSupport.OptionalParam<ELUT>(op)?.Alpha ?? 1f;
    }

    protected override UnaryFunction Function => UnaryFunction.Elu;

    protected override float Alpha => _alpha;
}

/// <summary>SELU: scale·x for x &gt; 0, else scale·alpha·(e^x − 1).</summary>
[MnnOperator(OpType.Selu)]
internal sealed class SeluExecutor : ElementwiseActivation
{
    private readonly float _scale;
    private readonly float _alpha;

    public SeluExecutor(OpT op)
    {
        var p = ComputeSupport.Param<SeluT>(op);
        _scale = p.Scale;
        _alpha = p.Alpha;
    }

    protected override UnaryFunction Function => UnaryFunction.Selu;

    protected override float Alpha => _alpha;

    protected override float Beta => _scale;
}

/// <summary>Sigmoid op type (same math as UnaryOp SIGMOID).</summary>
[MnnOperator(OpType.Sigmoid)]
internal sealed class SigmoidExecutor : ElementwiseActivation
{
    public SigmoidExecutor(OpT op)
    {
    }

    protected override UnaryFunction Function => UnaryFunction.Sigmoid;
}

/// <summary>TanH op type.</summary>
[MnnOperator(OpType.TanH)]
internal sealed class TanhExecutor : ElementwiseActivation
{
    public TanhExecutor(OpT op)
    {
    }

    protected override UnaryFunction Function => UnaryFunction.Tanh;
}

/// <summary>PReLU: x &lt; 0 → slope[c]·x with c the axis-1 index; a single slope is shared by every channel.</summary>
[MnnOperator(OpType.PReLU)]
internal sealed class PreluExecutor : OperatorExecutor
{
    private readonly float[] _slope;

    public PreluExecutor(OpT op)
    {
        _slope = ComputeSupport.Floats(ComputeSupport.Param<PReluT>(op).Slope);
        if (_slope.Length == 0)
        {
            throw new ModelBuildException(ErrorCodes.MnnInvalidGraph, $"op '{op.Name}': PReLU has no slope values");
        }
    }

    public override void Reshape(OpContext ctx)
    {
        var input = ComputeSupport.FloatInput(ctx, 0);
        if (_slope.Length > 1 && (input.Rank < 2 || input.ShapeArray[1] != _slope.Length))
        {
            throw ctx.Error($"PReLU has {_slope.Length} slopes but input shape is {ComputeSupport.ShapeText(input.ShapeArray)}");
        }

        ctx.Outputs[0].Reshape(input.ShapeArray, TensorElementType.Float32);
    }

    public override void Execute(OpContext ctx)
    {
        var input = ctx.Inputs[0];
        var s = input.ShapeArray;
        int n = s.Length >= 1 ? s[0] : 1;
        int channels = s.Length >= 2 ? s[1] : 1;
        int inner = (int)ComputeSupport.Product(s, 2, s.Length);
        if (input.Length == 0)
        {
            return;
        }

        Normalization.PRelu(ctx.Isa, input.Floats, ctx.Outputs[0].Floats, n, channels, inner, _slope, ctx.Threads);
    }
}
