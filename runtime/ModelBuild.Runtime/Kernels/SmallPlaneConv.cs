namespace ModelBuild.Runtime.Kernels;

/// <summary>
/// Convolutions with few output positions and many output channels (7×7 layers: resnet18's last stage, mobilenet_v2's
/// 1x1 layers at 7×7) as the transposed GEMM C[pos, oc] = Σ_k col[pos, k] · w[oc, k]: positions become rows (6-row
/// panels: 49 → 54) and output channels columns (whole 32-wide panels), where the usual orientation computes the
/// positions as columns padded to whole panels (49 → 64). The weights are packed once per level as B panels
/// (<see cref="ConvPackedWeights.TransposedPanels"/>); C is transposed into NCHW at the end. Each output is the same
/// chain — 0 + bias, fma over k = (ci, ky, kx) ascending with padded taps as real zeros, clamp — so the same bits.
/// </summary>
internal static class SmallPlaneConv
{
    [ThreadStatic]
    private static float[]? t_col;

    [ThreadStatic]
    private static float[]? t_out;

    [ThreadStatic]
    private static float[]? t_plane;

    /// <summary>
    /// One group, 2..64 positions (one position is the fully-connected GEMM of <see cref="Convolution.Conv2D"/>), and
    /// the transposed tiles hold at most 9/10 of the usual padded work. Measured: 14×14 1x1 layers (196 positions,
    /// 0.88 of the work) were 12–30 % slower transposed — packing A and transposing C cost more than the padding saved.
    /// </summary>
    public static bool Applies(Conv2DParams p, int nr, int usualColumns)
    {
        int positions = p.ConvOutH * p.ConvOutW;
        if (p.Group != 1 || positions > 64 || positions <= 1 || p.OC < nr)
        {
            return false;
        }

        long usual = (long)((usualColumns + nr - 1) / nr * nr) * ((p.OC + Gemm.MR - 1) / Gemm.MR * Gemm.MR);
        long transposed = (long)((positions + Gemm.MR - 1) / Gemm.MR * Gemm.MR) * ((p.OC + nr - 1) / nr * nr);
        return transposed * 10 <= usual * 9; // measured: 13×13 (0.93) was 3 % slower transposed
    }

    public static unsafe void Run(IsaLevel level, Conv2DParams p, ReadOnlySpan<float> x, ConvPackedWeights packed, ReadOnlySpan<float> bias, Span<float> y, int threads)
    {
        int oh = p.ConvOutH, ow = p.ConvOutW, positions = oh * ow;
        int k = p.C * p.KH * p.KW;
        long plane = (long)p.H * p.W;
        bool pointwise = p.KH == 1 && p.KW == 1 && p.StrideH == 1 && p.StrideW == 1 && p.PadTop == 0 && p.PadLeft == 0 &&
                         oh == p.H && ow == p.W;
        PackedB wb = packed.TransposedPanels(level);
        float[] outBuf = Scratch(ref t_out, positions * p.OC);
        float[]? col = pointwise ? null : Scratch(ref t_col, k * positions);
        GemmBias bk = bias.IsEmpty ? GemmBias.None : GemmBias.PerColumn;
        for (int n = 0; n < p.N; n++)
        {
            ReadOnlySpan<float> xn = x.Slice((int)(n * p.C * plane), (int)(p.C * plane));
            ReadOnlySpan<float> a = xn; // A stored K×positions (transA): the input itself for a 1x1 window
            if (col != null)
            {
                Columns(p, xn, oh, ow, col);
                a = col;
            }

            Gemm.Compute(level, positions, p.OC, k, a, positions, true, wb, outBuf, p.OC, bias, bk, false, p.Activation, threads);
            Span<float> yn = y.Slice(n * p.OC * positions, p.OC * positions);
            for (int pos = 0; pos < positions; pos++)
            {
                ReadOnlySpan<float> row = outBuf.AsSpan(pos * p.OC, p.OC);
                for (int oc = 0; oc < row.Length; oc++)
                {
                    yn[(oc * positions) + pos] = row[oc];
                }
            }
        }
    }

    /// <summary>
    /// col[(ci·KH + ky)·KW + kx, oy·OW + ox] = the padded input tap (0 outside the image). Each channel is first
    /// zero-padded into a plane covering every tap, so each column row is ow loads at a fixed stride with the same
    /// trip count everywhere (testing each tap against the image edge made this 15 % of a 512-channel 7×7 layer,
    /// mostly in mispredicted branches).
    /// </summary>
    private static unsafe void Columns(Conv2DParams p, ReadOnlySpan<float> x, int oh, int ow, Span<float> col)
    {
        int positions = oh * ow, sh = p.StrideH, sw = p.StrideW;
        int hp = ((oh - 1) * sh) + ((p.KH - 1) * p.DilationH) + 1;
        int wp = ((ow - 1) * sw) + ((p.KW - 1) * p.DilationW) + 1;
        if (x.Length < (long)p.C * p.H * p.W || col.Length < (long)p.C * p.KH * p.KW * positions)
        {
            throw new ArgumentException("columns spans too small");
        }

        float[] padded = Scratch(ref t_plane, hp * wp);
        fixed (float* px = x, pc = col, pp = padded)
        {
            float* dst = pc;
            for (int ci = 0; ci < p.C; ci++)
            {
                float* xc = px + ((long)ci * p.H * p.W);
                for (int y = 0; y < hp; y++)
                {
                    int iy = y - p.PadTop;
                    float* prow = pp + ((long)y * wp);
                    for (int xq = 0; xq < wp; xq++)
                    {
                        int ix = xq - p.PadLeft;
                        prow[xq] = (uint)iy < (uint)p.H && (uint)ix < (uint)p.W ? xc[((long)iy * p.W) + ix] : 0f;
                    }
                }

                for (int ky = 0; ky < p.KH; ky++)
                {
                    for (int kx = 0; kx < p.KW; kx++, dst += positions)
                    {
                        float* src0 = pp + ((long)ky * p.DilationH * wp) + (kx * p.DilationW);
                        for (int oy = 0; oy < oh; oy++)
                        {
                            float* src = src0 + ((long)oy * sh * wp);
                            float* drow = dst + ((long)oy * ow);
                            for (int ox = 0; ox < ow; ox++)
                            {
                                drow[ox] = src[(long)ox * sw];
                            }
                        }
                    }
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
