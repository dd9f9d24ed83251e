using ModelBuild.Runtime.Format.Schema;
using ModelBuild.Runtime.Kernels;

namespace ModelBuild.Runtime.Engine.Operators.Compute;

/// <summary>
/// BatchNorm (inference): y = (x − mean[c]) / sqrt(var[c] + eps) · slope[c] + bias[c], folded to one scale and
/// shift per channel in the constructor; c is the axis-1 index.
/// </summary>
[MnnOperator((int)OpType.BatchNorm)]
internal sealed class BatchNormExecutor : OperatorExecutor
{
    private readonly float[] _scale;
    private readonly float[] _shift;

    public BatchNormExecutor(OpT op)
    {
        var p = ComputeSupport.Param<BatchNormT>(op);
        var slope = ComputeSupport.Floats(p.SlopeData);
        var mean = ComputeSupport.Floats(p.MeanData);
        var variance = ComputeSupport.Floats(p.VarData);
        var bias = ComputeSupport.Floats(p.BiasData);
        int c = slope.Length;
        if (mean.Length != c || variance.Length != c || bias.Length != c)
        {
            throw new ModelBuildException(ErrorCodes.MnnInvalidGraph, $"op '{op.Name}': BatchNorm slope/mean/var/bias sizes {c}/{mean.Length}/{variance.Length}/{bias.Length} differ");
        }

        _scale = new float[c];
        _shift = new float[c];
        for (int i = 0; i < c; i++)
        {
            double k = slope[i] / Math.Sqrt(variance[i] + (double)p.Epsilon);
            _scale[i] = (float)k;
            _shift[i] = (float)(bias[i] - mean[i] * k);
        }
    }

    public override void Reshape(OpContext ctx)
    {
        var input = ComputeSupport.FloatInput(ctx, 0);
        if (input.Rank < 2 || input.ShapeArray[1] != _scale.Length)
        {
            throw ctx.Error($"BatchNorm has {_scale.Length} channels, input is {ComputeSupport.ShapeText(input.ShapeArray)}");
        }

        ctx.Outputs[0].Reshape(input.ShapeArray, TensorElementType.Float32);
    }

    public override void Execute(OpContext ctx)
    {
        var s = ctx.Inputs[0].ShapeArray;
        if (ctx.Inputs[0].Length == 0)
        {
            return;
        }

        Normalization.ChannelAffine(ctx.Isa, ctx.Inputs[0].Floats, ctx.Outputs[0].Floats, s[0], s[1], (int)ComputeSupport.Product(s, 2, s.Length), _scale, _shift, ctx.Threads);
    }
}

/// <summary>
/// InstanceNorm (BatchNorm parameter): per (n, c), normalize over the spatial axes with eps, then ·slope[c] + bias[c].
/// Kernels Normalization.InstanceNorm does the math.
/// </summary>
[MnnOperator((int)OpType.InstanceNorm)]
internal sealed class InstanceNormExecutor : OperatorExecutor
{
    private readonly float[] _slope;
    private readonly float[] _bias;
    private readonly float _epsilon;

    public InstanceNormExecutor(OpT op)
    {
        var p = ComputeSupport.Param<BatchNormT>(op);
        _slope = ComputeSupport.Floats(p.SlopeData);
        _bias = ComputeSupport.Floats(p.BiasData);
        _epsilon = p.Epsilon;
    }

    public override void Reshape(OpContext ctx)
    {
        var input = ComputeSupport.FloatInput(ctx, 0);
        if (input.Rank < 3 || input.ShapeArray[1] != _slope.Length || (_bias.Length != 0 && _bias.Length != _slope.Length))
        {
            throw ctx.Error($"InstanceNorm has {_slope.Length} channels, input is {ComputeSupport.ShapeText(input.ShapeArray)}");
        }

        ctx.Outputs[0].Reshape(input.ShapeArray, TensorElementType.Float32);
    }

    public override void Execute(OpContext ctx)
    {
        var s = ctx.Inputs[0].ShapeArray;
        int spatial = (int)ComputeSupport.Product(s, 2, s.Length);
        if (ctx.Inputs[0].Length == 0)
        {
            return;
        }

        Normalization.InstanceNorm(ctx.Isa, ctx.Inputs[0].Floats, ctx.Outputs[0].Floats, s[0], s[1], spatial, _slope, _bias, _epsilon, ctx.Threads);
    }
}
