using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Runtime.Engine.Operators.Compute;

/// <summary>
/// LRN on NCHW float32. regionType 0 (ONNX LRN, across channels): y = x / (bias + alpha/size · Σ x²)^beta over
/// channels [c − ⌊(size−1)/2⌋, c + ⌈(size−1)/2⌉]; regionType 1 (within channel): the same over a size×size spatial
/// window centred on the element, with alpha/size².
/// </summary>
[MnnOperator((int)OpType.LRN)]
internal sealed class LrnExecutor : OperatorExecutor
{
    private readonly LRNT _p;

    public LrnExecutor(OpT op)
    {
        _p = ComputeSupport.Param<LRNT>(op);
        if (_p.LocalSize <= 0)
        {
            throw new ModelBuildException(ErrorCodes.MnnInvalidGraph, $"op '{op.Name}': LRN localSize {_p.LocalSize} must be positive");
        }
    }

    public override void Reshape(OpContext ctx)
    {
        var input = ComputeSupport.FloatInput(ctx, 0);
        if (input.Rank < 3)
        {
            throw ctx.Error($"LRN input must have rank ≥ 3, has {ComputeSupport.ShapeText(input.ShapeArray)}");
        }

        ctx.Outputs[0].Reshape(input.ShapeArray, TensorElementType.Float32);
    }

    public override void Execute(OpContext ctx)
    {
        var s = ctx.Inputs[0].ShapeArray;
        int n = s[0], c = s[1];
        int h = s[2], w = s.Length > 3 ? (int)ComputeSupport.Product(s, 3, s.Length) : 1;
        int plane = h * w, size = _p.LocalSize;
        float[] src = ctx.Inputs[0].FloatBuffer, dst = ctx.Outputs[0].FloatBuffer;
        double bias = _p.Bias, beta = _p.Beta;
        bool across = _p.RegionType == 0;
        double alpha = across ? _p.Alpha / (double)size : _p.Alpha / ((double)size * size);
        int lo = (size - 1) / 2, hi = size - 1 - lo;
        ComputeSupport.For(ctx.Threads, n * c, nc =>
        {
            int b = nc / c, ch = nc % c;
            int baseOffset = nc * plane;
            for (int p = 0; p < plane; p++)
            {
                double sum = 0;
                if (across)
                {
                    for (int k = Math.Max(0, ch - lo); k <= Math.Min(c - 1, ch + hi); k++)
                    {
                        double v = src[(b * c + k) * plane + p];
                        sum += v * v;
                    }
                }
                else
                {
                    int y = p / w, x = p % w;
                    for (int yy = Math.Max(0, y - lo); yy <= Math.Min(h - 1, y + hi); yy++)
                    {
                        for (int xx = Math.Max(0, x - lo); xx <= Math.Min(w - 1, x + hi); xx++)
                        {
                            double v = src[baseOffset + yy * w + xx];
                            sum += v * v;
                        }
                    }
                }

                dst[baseOffset + p] = (float)(src[baseOffset + p] / Math.Pow(bias + alpha * sum, beta));
            }
        });
    }
}
