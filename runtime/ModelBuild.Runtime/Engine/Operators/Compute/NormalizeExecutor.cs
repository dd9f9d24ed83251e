using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Runtime.Engine.Operators.Compute;

/// <summary>
/// Caffe Normalize (L2) on NCHW float32: acrossSpatial 0 divides each spatial position's channel vector by
/// sqrt(Σ_c x² + eps), acrossSpatial 1 divides each batch item by sqrt(Σ x² + eps); then multiplies by scale[c]
/// (or scale[0] when channelShared).
/// </summary>
[MnnOperator((int)OpType.Normalize)]
internal sealed class NormalizeExecutor : OperatorExecutor
{
    private readonly NormalizeT _p;
    private readonly float[] _scale;

    public NormalizeExecutor(OpT op)
    {
        _p = ComputeSupport.Param<NormalizeT>(op);
        _scale = ComputeSupport.Floats(_p.Scale);
    }

    public override void Reshape(OpContext ctx)
    {
        var input = ComputeSupport.FloatInput(ctx, 0);
        var s = input.ShapeArray;
        int needed = _p.ChannelShared != 0 ? 1 : (s.Length >= 2 ? s[1] : 1);
        if (s.Length < 2 || (_scale.Length != 0 && _scale.Length < needed))
        {
            throw ctx.Error($"Normalize has {_scale.Length} scales for input {ComputeSupport.ShapeText(s)}");
        }

        ctx.Outputs[0].Reshape(s, TensorElementType.Float32);
    }

    public override void Execute(OpContext ctx)
    {
        var s = ctx.Inputs[0].ShapeArray;
        int n = s[0], c = s[1], plane = (int)ComputeSupport.Product(s, 2, s.Length);
        float[] src = ctx.Inputs[0].FloatBuffer, dst = ctx.Outputs[0].FloatBuffer;
        double eps = _p.Eps;
        for (int b = 0; b < n; b++)
        {
            int bb = b * c * plane;
            if (_p.AcrossSpatial != 0)
            {
                double sum = 0;
                for (int i = 0; i < c * plane; i++)
                {
                    sum += (double)src[bb + i] * src[bb + i];
                }

                double inv = 1.0 / Math.Sqrt(sum + eps);
                for (int ch = 0; ch < c; ch++)
                {
                    for (int p = 0; p < plane; p++)
                    {
                        int i = bb + ch * plane + p;
                        dst[i] = (float)(src[i] * inv * Scale(ch));
                    }
                }
            }
            else
            {
                for (int p = 0; p < plane; p++)
                {
                    double sum = 0;
                    for (int ch = 0; ch < c; ch++)
                    {
                        double v = src[bb + ch * plane + p];
                        sum += v * v;
                    }

                    double inv = 1.0 / Math.Sqrt(sum + eps);
                    for (int ch = 0; ch < c; ch++)
                    {
                        int i = bb + ch * plane + p;
                        dst[i] = (float)(src[i] * inv * Scale(ch));
                    }
                }
            }
        }
    }

    private double Scale(int ch) => _scale.Length == 0 ? 1.0 : _p.ChannelShared != 0 ? _scale[0] : _scale[ch];
}
