using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Runtime.Engine.Operators.Compute;

/// <summary>Base of the element-wise activations: float32 in, same shape out, one scalar function per element.</summary>
internal abstract class ElementwiseActivation : OperatorExecutor
{
    public override void Reshape(OpContext ctx)
    {
        var input = ComputeSupport.FloatInput(ctx, 0);
        ctx.Outputs[0].Reshape(input.ShapeArray, TensorElementType.Float32);
    }

    public override void Execute(OpContext ctx)
    {
        var src = ctx.Inputs[0].Floats;
        var dst = ctx.Outputs[0].Floats;
        for (int i = 0; i < src.Length; i++)
        {
            dst[i] = Apply(src[i]);
        }
    }

    protected abstract float Apply(float x);
}

/// <summary>ReLU; a non-zero <c>slope</c> makes it LeakyReLU (x &lt; 0 → slope·x). Int32 input is supported for slope 0.</summary>
[MnnOperator((int)OpType.ReLU)]
internal sealed class ReluExecutor : ElementwiseActivation
{
    private readonly float _slope;

    public ReluExecutor(OpT op)
    {
        _slope = ComputeSupport.OptionalParam<ReluT>(op)?.Slope ?? 0f;
    }

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

    protected override float Apply(float x) => x < 0f ? x * _slope : x;
}

/// <summary>ReLU6, used by upstream as Clip: clamp to [minValue, maxValue] (defaults 0 and 6).</summary>
[MnnOperator((int)OpType.ReLU6)]
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

    protected override float Apply(float x) => x < _min ? _min : x > _max ? _max : x;
}

/// <summary>ELU: x ≥ 0 → x, else alpha·(e^x − 1).</summary>
[MnnOperator((int)OpType.ELU)]
internal sealed class EluExecutor : ElementwiseActivation
{
    private readonly float _alpha;

    public EluExecutor(OpT op)
    {
        _alpha = ComputeSupport.OptionalParam<ELUT>(op)?.Alpha ?? 1f;
    }

    protected override float Apply(float x) => x >= 0f ? x : (float)(_alpha * (Math.Exp(x) - 1.0));
}

/// <summary>SELU: scale·x for x &gt; 0, else scale·alpha·(e^x − 1).</summary>
[MnnOperator((int)OpType.Selu)]
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

    protected override float Apply(float x) => x > 0f ? _scale * x : (float)(_scale * (_alpha * (Math.Exp(x) - 1.0)));
}

/// <summary>Sigmoid op type (same math as UnaryOp SIGMOID).</summary>
[MnnOperator((int)OpType.Sigmoid)]
internal sealed class SigmoidExecutor : ElementwiseActivation
{
    public SigmoidExecutor(OpT op)
    {
    }

    protected override float Apply(float x) => UnaryMath.Sigmoid(x);
}

/// <summary>TanH op type.</summary>
[MnnOperator((int)OpType.TanH)]
internal sealed class TanhExecutor : ElementwiseActivation
{
    public TanhExecutor(OpT op)
    {
    }

    protected override float Apply(float x) => MathF.Tanh(x);
}

/// <summary>PReLU: x &lt; 0 → slope[c]·x with c the axis-1 index; a single slope is shared by every channel.</summary>
[MnnOperator((int)OpType.PReLU)]
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
        var src = input.Floats;
        var dst = ctx.Outputs[0].Floats;
        int channels = input.Rank >= 2 ? input.ShapeArray[1] : 1;
        int inner = (int)ComputeSupport.Product(input.ShapeArray, 2, input.Rank);
        for (int i = 0; i < src.Length; i++)
        {
            float x = src[i];
            float slope = _slope.Length == 1 ? _slope[0] : _slope[i / inner % channels];
            dst[i] = x < 0f ? x * slope : x;
        }
    }
}
