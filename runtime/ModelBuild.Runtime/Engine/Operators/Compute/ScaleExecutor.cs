using ModelBuild.Runtime.Format.Schema;
using ModelBuild.Runtime.Kernels;

namespace ModelBuild.Runtime.Engine.Operators.Compute;

/// <summary>
/// MNN Scale (how upstream encodes inference BatchNormalization and the affine part of InstanceNormalization):
/// y = x·scale[c] + bias[c] with c the axis-1 index, on inputs of rank ≥ 2. A fused multiply-add per element (Kernels ChannelAffine).
/// </summary>
[MnnOperator((int)OpType.Scale)]
internal sealed class ScaleExecutor : OperatorExecutor
{
    private readonly float[] _scale;
    private readonly float[] _bias;

    public ScaleExecutor(OpT op)
    {
        var p = ComputeSupport.Param<ScaleT>(op);
        _scale = ComputeSupport.Floats(p.ScaleData);
        _bias = ComputeSupport.Floats(p.BiasData);
    }

    public override void Reshape(OpContext ctx)
    {
        var input = ComputeSupport.FloatInput(ctx, 0);
        var s = input.ShapeArray;
        int channels = s.Length >= 2 ? s[1] : 1;
        if (_scale.Length != channels || (_bias.Length != 0 && _bias.Length != channels))
        {
            throw ctx.Error($"Scale has {_scale.Length} scales / {_bias.Length} biases for input {ComputeSupport.ShapeText(s)}");
        }

        ctx.Outputs[0].Reshape(s, TensorElementType.Float32);
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

        Normalization.ChannelAffine(ctx.Isa, input.Floats, ctx.Outputs[0].Floats, n, channels, inner, _scale, _bias, ctx.Threads);
    }
}
