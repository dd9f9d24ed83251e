using ModelBuild.Runtime.Format.Schema;
using ModelBuild.Runtime.Kernels;

namespace ModelBuild.Runtime.Engine.Operators.Compute;

/// <summary>
/// MNN LayerNorm: normalizes over the trailing <c>axis.Count</c> axes (or, with group &gt; 1, over each of
/// <c>group</c> slices of everything after axis 0), y = (x − mean)/sqrt(var + eps)·gamma + beta; useRMSNorm drops
/// the mean. gamma/beta come from the parameter or from inputs 1 and 2. LayerNorm runs on the Kernels library;
/// RMSNorm accumulates in double here.
/// Upstream encodes ONNX InstanceNormalization as Reshape → LayerNorm(axis [-1]) → Reshape → Scale.
/// </summary>
[MnnOperator((int)OpType.LayerNorm)]
internal sealed class LayerNormExecutor : OperatorExecutor
{
    private readonly LayerNormT _p;
    private readonly float[] _gamma;
    private readonly float[] _beta;
    private int _outer, _inner;

    public LayerNormExecutor(OpT op)
    {
        _p = ComputeSupport.Param<LayerNormT>(op);
        _gamma = ComputeSupport.Floats(_p.Gamma);
        _beta = ComputeSupport.Floats(_p.Beta);
    }

    public override void Reshape(OpContext ctx)
    {
        var input = ComputeSupport.FloatInput(ctx, 0);
        var s = input.ShapeArray;
        if (_p.Group > 1)
        {
            if (s.Length < 1 || ComputeSupport.Product(s, 1, s.Length) % _p.Group != 0)
            {
                throw ctx.Error($"LayerNorm group {_p.Group} does not divide input {ComputeSupport.ShapeText(s)}");
            }

            _outer = s[0] * _p.Group;
            _inner = _outer == 0 ? 0 : input.Length / _outer;
        }
        else
        {
            int count = Math.Max(1, _p.Axis?.Count ?? 1);
            if (count > s.Length)
            {
                throw ctx.Error($"LayerNorm over {count} axes needs rank ≥ {count}, input is {ComputeSupport.ShapeText(s)}");
            }

            _inner = (int)ComputeSupport.Product(s, s.Length - count, s.Length);
            _outer = (int)ComputeSupport.Product(s, 0, s.Length - count);
        }

        int g = Gamma(ctx).Length, b = Beta(ctx).Length;
        if ((g != 0 && g != _inner) || (b != 0 && b != _inner))
        {
            throw ctx.Error($"LayerNorm gamma/beta sizes {g}/{b} do not match the normalized size {_inner}");
        }

        ctx.Outputs[0].Reshape(s, TensorElementType.Float32);
    }

    private float[] Gamma(OpContext ctx) => _gamma.Length > 0 || ctx.Inputs.Length < 2 ? _gamma : ctx.Inputs[1].Floats.ToArray();

    private float[] Beta(OpContext ctx) => _beta.Length > 0 || ctx.Inputs.Length < 3 ? _beta : ctx.Inputs[2].Floats.ToArray();

    public override void Execute(OpContext ctx)
    {
        float[] gamma = Gamma(ctx), beta = Beta(ctx);
        if (!_p.UseRMSNorm && _inner > 0)
        {
            Normalization.LayerNorm(ctx.Isa, ctx.Inputs[0].Floats, ctx.Outputs[0].Floats, _outer, _inner, gamma, beta, _p.Epsilon, ctx.Threads);
            return;
        }

        ExecuteInDouble(ctx, gamma, beta);
    }

    /// <summary>Separate from <see cref="Execute"/> so that the LayerNorm kernel path does not allocate this closure.</summary>
    private void ExecuteInDouble(OpContext ctx, float[] gamma, float[] beta)
    {
        // RMSNorm: the Kernels library has no variant without the mean, so it is computed here in double.
        float[] src = ctx.Inputs[0].FloatBuffer, dst = ctx.Outputs[0].FloatBuffer;
        int inner = _inner;
        double eps = _p.Epsilon;
        bool rms = _p.UseRMSNorm;
        ComputeSupport.For(ctx.Threads, _outer, o =>
        {
            int b = o * inner;
            double mean = 0;
            if (!rms)
            {
                for (int i = 0; i < inner; i++)
                {
                    mean += src[b + i];
                }

                mean /= inner;
            }

            double var = 0;
            for (int i = 0; i < inner; i++)
            {
                double d = src[b + i] - mean;
                var += d * d;
            }

            var /= inner;
            double inv = 1.0 / Math.Sqrt(var + eps);
            for (int i = 0; i < inner; i++)
            {
                double y = (src[b + i] - mean) * inv;
                if (gamma.Length > 0)
                {
                    y *= gamma[i];
                }

                if (beta.Length > 0)
                {
                    y += beta[i];
                }

                dst[b + i] = (float)y;
            }
        });
    }
}
