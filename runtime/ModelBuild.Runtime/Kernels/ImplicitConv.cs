namespace ModelBuild.Runtime.Kernels;

/// <summary>
/// Implicit-GEMM convolution (any window, stride, dilation, groups): the input group is zero-padded once and split
/// into sh·sw stride phases of Hq×Wq (phase (ry, rx) holds padded element (a·sh + ry, b·sw + rx) at (a, b)), and
/// the GEMM reads its B operand straight from them, with no im2col copy. Output positions are numbered
/// j = oy·Wq + ox, so tap (ci, ky, kx) of every output is at a fixed offset + j: one offset per k, contiguous in j
/// (<see cref="Gemm.ComputeIndirect"/>). The Wq − OW extra columns per row are computed into a scratch and dropped
/// when it is compacted into y. Same FMA chain as the reference (0 + bias, k = (ci, ky, kx) ascending, padded taps
/// are real zeros).
/// </summary>
internal static class ImplicitConv
{
    [ThreadStatic]
    private static float[]? t_padded;

    [ThreadStatic]
    private static float[]? t_out;

    /// <summary>Tap offsets and used phases, kept per thread like the buffers above (they were allocated per call).</summary>
    [ThreadStatic]
    private static int[]? t_offsets;

    [ThreadStatic]
    private static bool[]? t_usedPhase;

    /// <summary>
    /// A window larger than 1x1, and the padded-width columns add at most an eighth more GEMM panels (measured: a 13×13
    /// output, 7 panels instead of 6, lost ~6 %; 1x1 stride 2 was not faster with its strided phase gather; im2col keeps both).
    /// </summary>
    public static bool Applies(Conv2DParams p, int nr)
    {
        int oh = p.ConvOutH, ow = p.ConvOutW;
        var g = new Geometry(p);
        // every tap of every output inside the padded input (an explicit output size could ask for more)
        bool inside = ((long)(oh - 1) * p.StrideH) + ((long)(p.KH - 1) * p.DilationH) < (long)p.H + p.PadTop + p.PadBottom &&
                      ((long)(ow - 1) * p.StrideW) + ((long)(p.KW - 1) * p.DilationW) < (long)p.W + p.PadLeft + p.PadRight;
        if (p.KH * p.KW == 1 || !inside || oh <= 0 || ow <= 0 || (p.Group == p.C && p.C / p.Group == 1) ||
            ((long)(p.C / p.Group) * g.Phases * g.Hq * g.Wq) + nr > int.MaxValue / 2)
        {
            return false;
        }

        long n = ((oh - 1) * (long)g.Wq) + ow;
        long panels = (n + nr - 1) / nr, plain = (((long)oh * ow) + nr - 1) / nr;
        return panels * 8 <= plain * 9;
    }

    /// <summary>GEMM columns of the implicit GEMM: output rows over the padded row width (the last one trimmed).</summary>
    public static int Columns(Conv2DParams p) => ((p.ConvOutH - 1) * new Geometry(p).Wq) + p.ConvOutW;

    /// <summary>Phase plane sizes: Hq×Wq per phase, sh·sw phases per channel.</summary>
    private readonly struct Geometry(Conv2DParams p)
    {
        public readonly int Hq = (p.H + p.PadTop + p.PadBottom + p.StrideH - 1) / p.StrideH;
        public readonly int Wq = (p.W + p.PadLeft + p.PadRight + p.StrideW - 1) / p.StrideW;
        public readonly int Phases = p.StrideH * p.StrideW;
    }

    public static unsafe void Run(IsaLevel level, Conv2DParams p, ReadOnlySpan<float> x, ConvPackedWeights packed, ReadOnlySpan<float> bias, Span<float> y, int threads)
    {
        int nr = Gemm.PanelWidth(level);
        int oh = p.ConvOutH, ow = p.ConvOutW;
        int cg = p.C / p.Group, ocg = p.OC / p.Group;
        var geo = new Geometry(p);
        int wq = geo.Wq, phasePlane = geo.Hq * wq, chan = geo.Phases * phasePlane;
        int n = ((oh - 1) * wq) + ow;
        int k = cg * p.KH * p.KW;
        long plane = (long)p.H * p.W, oplane = (long)oh * ow;
        int padLen = (cg * chan) + nr; // + one panel: the last panel's columns past n are read, never kept
        float[] padded = Scratch(ref t_padded, padLen);
        float[] outBuf = Scratch(ref t_out, ocg * n);
        int[] offsets = t_offsets is { } o && o.Length >= k ? o : (t_offsets = new int[k]);
        bool[] usedPhase = t_usedPhase is { } u && u.Length >= geo.Phases ? u : (t_usedPhase = new bool[geo.Phases]); // e.g. a 1x1 stride-2 window reads only phase (0, 0)
        Array.Clear(usedPhase);
        for (int ci = 0, i = 0; ci < cg; ci++)
        {
            for (int ky = 0; ky < p.KH; ky++)
            {
                int ty = ky * p.DilationH;
                for (int kx = 0; kx < p.KW; kx++)
                {
                    int tx = kx * p.DilationW;
                    int phase = ((ty % p.StrideH) * p.StrideW) + (tx % p.StrideW);
                    usedPhase[phase] = true;
                    offsets[i++] = (ci * chan) + (phase * phasePlane) + ((ty / p.StrideH) * wq) + (tx / p.StrideW);
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
                    float* xg = px + (((long)b * p.C + (g * cg)) * plane);
                    for (int c = 0; c < cg; c++)
                    {
                        if (geo.Phases == 1)
                        {
                            Pad(xg + (c * plane), p, geo.Hq, wq, pp + ((long)c * chan));
                        }
                        else
                        {
                            PadPhases(xg + (c * plane), p, geo.Hq, wq, usedPhase, pp + ((long)c * chan));
                        }
                    }

                    new Span<float>(pp + ((long)cg * chan), nr).Clear();
                    Gemm.ComputeIndirect(level, packed.Groups[g], pp, pOff, n, po, n,
                        bk == GemmBias.None ? null : pb + (g * ocg), bk, p.Activation, threads);
                    float* yg = py + (((long)b * p.OC + (g * ocg)) * oplane);
                    for (int oc = 0; oc < ocg; oc++)
                    {
                        for (int oy = 0; oy < oh; oy++)
                        {
                            new ReadOnlySpan<float>(po + ((long)oc * n) + ((long)oy * wq), ow)
                                .CopyTo(new Span<float>(yg + (oc * oplane) + ((long)oy * ow), ow));
                        }
                    }
                }
            }
        }
    }

    /// <summary>Stride 1: one zero-bordered Hq×Wq plane (Hq, Wq = padded sizes).</summary>
    private static unsafe void Pad(float* s, Conv2DParams p, int hq, int wq, float* d)
    {
        new Span<float>(d, p.PadTop * wq).Clear();
        for (int iy = 0; iy < p.H; iy++)
        {
            float* row = d + ((long)(p.PadTop + iy) * wq);
            new Span<float>(row, p.PadLeft).Clear();
            new ReadOnlySpan<float>(s + ((long)iy * p.W), p.W).CopyTo(new Span<float>(row + p.PadLeft, p.W));
            new Span<float>(row + p.PadLeft + p.W, p.PadRight).Clear();
        }

        new Span<float>(d + ((long)(p.PadTop + p.H) * wq), (hq - p.PadTop - p.H) * wq).Clear();
    }

    /// <summary>
    /// Strided: the used phase planes of one channel; positions outside the input (padding, rounding) are 0. Unused
    /// phases are left as they are: only the dropped extra columns of a row can read them.
    /// </summary>
    private static unsafe void PadPhases(float* s, Conv2DParams p, int hq, int wq, bool[] used, float* d)
    {
        int sh = p.StrideH, sw = p.StrideW;
        for (int ry = 0; ry < sh; ry++)
        {
            for (int rx = 0; rx < sw; rx++)
            {
                if (!used[(ry * sw) + rx])
                {
                    continue;
                }

                float* ph = d + ((long)((ry * sw) + rx) * hq * wq);
                // columns b with 0 <= b·sw + rx − padLeft < W
                int b0 = Math.Max(0, (p.PadLeft - rx + sw - 1) / sw);
                int b1 = Math.Min(wq, (p.W + p.PadLeft - rx + sw - 1) / sw);
                for (int a = 0; a < hq; a++)
                {
                    float* row = ph + ((long)a * wq);
                    int iy = (a * sh) + ry - p.PadTop;
                    if (iy < 0 || iy >= p.H || b0 >= b1)
                    {
                        new Span<float>(row, wq).Clear();
                        continue;
                    }

                    new Span<float>(row, b0).Clear();
                    float* src = s + ((long)iy * p.W) + rx - p.PadLeft;
                    if (sw == 2)
                    {
                        // vector deinterleave (measured: the element loop was ~40 % of a 32->64 stride-2 layer on 226²)
                        Convolution.GatherEven(src + (2 * b0), row + b0, b1 - b0, p.W - (rx - p.PadLeft) - (2 * b0));
                    }
                    else
                    {
                        for (int b = b0; b < b1; b++)
                        {
                            row[b] = src[(long)b * sw];
                        }
                    }

                    new Span<float>(row + b1, wq - b1).Clear();
                }
            }
        }
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
