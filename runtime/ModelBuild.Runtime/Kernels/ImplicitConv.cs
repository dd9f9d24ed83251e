namespace ModelBuild.Runtime.Kernels;

/// <summary>
/// Implicit-GEMM convolution for stride 1 (any window, dilation, groups): the input group is zero-padded once into
/// Hp×Wp planes and the GEMM reads its B operand straight from them, with no im2col copy. Output positions are
/// numbered j = oy·Wp + ox over the padded width, so tap (ci, ky, kx) of every output is at
/// <c>ci·Hp·Wp + ky·dh·Wp + kx·dw + j</c>: one offset per k, contiguous in j (<see cref="Gemm.ComputeIndirect"/>).
/// The Wp − OW extra columns per row are computed into a scratch and dropped when it is compacted into y.
/// Same FMA chain as the reference (0 + bias, k = (ci, ky, kx) ascending, padded taps are real zeros).
/// </summary>
internal static class ImplicitConv
{
    [ThreadStatic]
    private static float[]? t_padded;

    [ThreadStatic]
    private static float[]? t_out;

    /// <summary>Stride 1, not pointwise, and the padded-width columns add at most a quarter more GEMM panels.</summary>
    public static bool Applies(Conv2DParams p, int nr)
    {
        if (p.StrideH != 1 || p.StrideW != 1 || (p.Group == p.C && p.C / p.Group == 1))
        {
            return false;
        }

        int oh = p.ConvOutH, ow = p.ConvOutW;
        long hp = (long)p.H + p.PadTop + p.PadBottom, wp = (long)p.W + p.PadLeft + p.PadRight;
        bool pointwise = p.KH == 1 && p.KW == 1 && hp == p.H && wp == p.W;
        if (pointwise || oh <= 0 || ow <= 0 || (long)(p.C / p.Group) * hp * wp + nr > int.MaxValue / 2)
        {
            return false;
        }

        long n = ((oh - 1) * wp) + ow;
        long panels = (n + nr - 1) / nr, plain = (((long)oh * ow) + nr - 1) / nr;
        return panels * 4 <= plain * 5;
    }

    public static unsafe void Run(IsaLevel level, Conv2DParams p, ReadOnlySpan<float> x, ConvPackedWeights packed, ReadOnlySpan<float> bias, Span<float> y, int threads)
    {
        int nr = Gemm.PanelWidth(level);
        int oh = p.ConvOutH, ow = p.ConvOutW;
        int cg = p.C / p.Group, ocg = p.OC / p.Group;
        int hp = p.H + p.PadTop + p.PadBottom, wp = p.W + p.PadLeft + p.PadRight;
        int planeP = hp * wp;
        int n = ((oh - 1) * wp) + ow;
        int k = cg * p.KH * p.KW;
        long plane = (long)p.H * p.W, oplane = (long)oh * ow;
        int padLen = (cg * planeP) + nr; // + one panel: the last panel's columns past n are read, never kept
        float[] padded = Scratch(ref t_padded, padLen);
        float[] outBuf = Scratch(ref t_out, ocg * n);
        int[] offsets = new int[k];
        for (int ci = 0, i = 0; ci < cg; ci++)
        {
            for (int ky = 0; ky < p.KH; ky++)
            {
                for (int kx = 0; kx < p.KW; kx++)
                {
                    offsets[i++] = (ci * planeP) + (ky * p.DilationH * wp) + (kx * p.DilationW);
                }
            }
        }

        GemmBias bk = bias.IsEmpty ? GemmBias.None : GemmBias.PerRow;
        fixed (float* px = x, pb = bias, py = y, pp = padded, po = outBuf)
        fixed (int* pOff = offsets)
        {
            for (int b = 0; b < p.N; b++)
            {
                for (int g = 0; g < p.Group; g++)
                {
                    Pad(px + (((long)b * p.C + (g * cg)) * plane), cg, p, hp, wp, pp, padLen);
                    Gemm.ComputeIndirect(level, packed.Groups[g], pp, pOff, n, po, n,
                        bk == GemmBias.None ? null : pb + (g * ocg), bk, p.Activation, threads);
                    float* yg = py + (((long)b * p.OC + (g * ocg)) * oplane);
                    for (int oc = 0; oc < ocg; oc++)
                    {
                        for (int oy = 0; oy < oh; oy++)
                        {
                            new ReadOnlySpan<float>(po + ((long)oc * n) + ((long)oy * wp), ow)
                                .CopyTo(new Span<float>(yg + (oc * oplane) + ((long)oy * ow), ow));
                        }
                    }
                }
            }
        }
    }

    /// <summary>Writes every element of dst[0..len): cg zero-bordered Hp×Wp planes, then zeros.</summary>
    private static unsafe void Pad(float* src, int cg, Conv2DParams p, int hp, int wp, float* dst, int len)
    {
        long planeP = (long)hp * wp;
        for (int c = 0; c < cg; c++)
        {
            float* d = dst + (c * planeP);
            float* s = src + ((long)c * p.H * p.W);
            new Span<float>(d, p.PadTop * wp).Clear();
            for (int iy = 0; iy < p.H; iy++)
            {
                float* row = d + ((long)(p.PadTop + iy) * wp);
                new Span<float>(row, p.PadLeft).Clear();
                new ReadOnlySpan<float>(s + ((long)iy * p.W), p.W).CopyTo(new Span<float>(row + p.PadLeft, p.W));
                new Span<float>(row + p.PadLeft + p.W, p.PadRight).Clear();
            }

            new Span<float>(d + ((long)(p.PadTop + p.H) * wp), p.PadBottom * wp).Clear();
        }

        long used = cg * planeP;
        new Span<float>(dst + used, (int)(len - used)).Clear();
    }

    private static float[] Scratch(ref float[]? cache, int length)
    {
        if (cache == null || cache.Length < length)
        {
            cache = new float[length];
        }

        return cache;
    }
}
