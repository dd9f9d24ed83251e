using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelBuild.Runtime.Kernels;

/// <summary>
/// Geometry of a 2-D convolution / deconvolution / pooling window on NCHW data. Set the public fields, then
/// call <see cref="Validate"/> (kernels call it). Output size: <see cref="OutH"/>/<see cref="OutW"/> when &gt; 0,
/// otherwise computed (convolution/pooling: floor mode; transpose: standard formula with output padding).
/// </summary>
internal sealed class Conv2DParams
{
    public int N = 1;
    public int C;
    public int H;
    public int W;
    /// <summary>Output channels (convolutions; ignored by pooling).</summary>
    public int OC;
    public int KH = 1;
    public int KW = 1;
    public int StrideH = 1;
    public int StrideW = 1;
    public int PadTop;
    public int PadLeft;
    public int PadBottom;
    public int PadRight;
    public int DilationH = 1;
    public int DilationW = 1;
    public int Group = 1;
    /// <summary>ConvTranspose only.</summary>
    public int OutputPadH;
    /// <summary>ConvTranspose only.</summary>
    public int OutputPadW;
    /// <summary>Explicit output size (0 = compute). Pooling with ceil_mode: the caller passes the ceil size.</summary>
    public int OutH;
    public int OutW;
    public FusedActivation Activation;

    /// <summary>Output height for a convolution/pooling.</summary>
    public int ConvOutH => OutH > 0 ? OutH : ((H + PadTop + PadBottom - (((KH - 1) * DilationH) + 1)) / StrideH) + 1;

    public int ConvOutW => OutW > 0 ? OutW : ((W + PadLeft + PadRight - (((KW - 1) * DilationW) + 1)) / StrideW) + 1;

    /// <summary>Output height for a transposed convolution.</summary>
    public int DeconvOutH => OutH > 0 ? OutH : ((H - 1) * StrideH) - PadTop - PadBottom + (DilationH * (KH - 1)) + 1 + OutputPadH;

    public int DeconvOutW => OutW > 0 ? OutW : ((W - 1) * StrideW) - PadLeft - PadRight + (DilationW * (KW - 1)) + 1 + OutputPadW;

    public Conv2DParams Clone() => (Conv2DParams)MemberwiseClone();

    internal void Validate(bool needOc)
    {
        if (N < 0 || C <= 0 || H < 0 || W < 0 || KH <= 0 || KW <= 0 || StrideH <= 0 || StrideW <= 0 ||
            DilationH <= 0 || DilationW <= 0 || Group <= 0 || PadTop < 0 || PadLeft < 0 || PadBottom < 0 || PadRight < 0 ||
            (needOc && (OC <= 0 || C % Group != 0 || OC % Group != 0)))
        {
            throw new ArgumentException("invalid convolution/pooling parameters");
        }
    }
}

/// <summary>
/// Dense-convolution weights packed once for the GEMM paths of <see cref="Convolution.Conv2D"/> (one
/// <see cref="PackedA"/> of [OC/group, C/group·KH·KW] per group). Build with <see cref="Convolution.PackWeights"/>;
/// immutable, shareable between runs and threads. Packing only moves values, so results are the same bits.
/// </summary>
internal sealed class ConvPackedWeights
{
    internal ConvPackedWeights(PackedA[] groups, int oc, int k)
    {
        Groups = groups;
        OC = oc;
        K = k;
    }

    public int OC { get; }

    /// <summary>Reduction length per output (C/group·KH·KW).</summary>
    public int K { get; }

    public int Group => Groups.Length;

    internal PackedA[] Groups { get; }

    private float[]? _transposed;

    /// <summary>
    /// Group 0's weights as K×OC row-major (element (k, oc) at [k·OC + oc]), built from the panels on first use: the
    /// B operand of a 1x1 convolution on 1x1 images (fully-connected layers), which then runs as a GEMM with the
    /// batch as rows reading B in place instead of one padded 32-column panel per image (same chains, same bits).
    /// </summary>
    internal float[] Transposed()
    {
        float[]? t = _transposed;
        if (t == null)
        {
            t = BuildTransposed();
            _transposed = t; // racing first calls build identical arrays; either may win
        }

        return t;
    }

    private float[] BuildTransposed()
    {
        PackedA a = Groups[0];
        int m = a.M, k = a.K;
        var t = new float[Math.Max(1L, (long)m * k)];
        float[] d = a.Data;
        for (int i = 0; i < m; i++)
        {
            long panel = (long)(i / Gemm.MR) * k * Gemm.MR;
            int r = i % Gemm.MR;
            for (int kk = 0; kk < k; kk++)
            {
                t[((long)kk * m) + i] = d[panel + ((long)kk * Gemm.MR) + r];
            }
        }

        return t;
    }

    private readonly PackedB?[] _transposedPanels = new PackedB?[4];

    /// <summary>Group 0's weights as the K×OC B operand packed for <paramref name="level"/> (built once per level), for <see cref="SmallPlaneConv"/>.</summary>
    internal PackedB TransposedPanels(IsaLevel level)
    {
        int slot = level switch { IsaLevel.V512 => 3, IsaLevel.V256 => 2, IsaLevel.V128 => 1, _ => 0 };
        PackedB? b = _transposedPanels[slot];
        if (b == null || b.Isa != level)
        {
            b = Gemm.PackB(level, _transposed ?? BuildTransposed(), Groups[0].M, false, K, OC);
            _transposedPanels[slot] = b; // racing first calls build identical packs; either may win
        }

        return b;
    }
}

/// <summary>
/// NCHW float convolutions. Accumulation contract (every path and level, bit-identical to
/// <see cref="Conv2DReference"/>): <c>acc = 0 (+ bias[oc]); for ci (within group) ascending, ky ascending, kx ascending:
/// acc = fma(x_padded[ci, oy·sh − pt + ky·dh, ox·sw − pl + kx·dw], w[oc, ci, ky, kx], acc)</c> where padded
/// positions contribute real zeros to the FMA chain; then the fused activation clamp.
/// Paths: depthwise (C/group == 1) direct kernel vectorized over output width; 1×1/stride 1/no pad → GEMM on the
/// input; otherwise tiled im2col (≤ ~4 MB scratch) + GEMM. Threads: GEMM splits columns; depthwise splits planes.
/// </summary>
internal static class Convolution
{
    private const long Im2ColBudget = 1 << 17; // floats of packed B per tile (512 KB: stays in L2)

    /// <summary>
    /// Packs w[OC,C/group,KH,KW] for the GEMM paths of <see cref="Conv2D"/>; null when <paramref name="p"/> runs the
    /// depthwise kernel (which reads w directly). Only C, OC, KH, KW and Group of <paramref name="p"/> matter.
    /// </summary>
    public static ConvPackedWeights? PackWeights(Conv2DParams p, ReadOnlySpan<float> w)
    {
        p.Validate(true);
        int cg = p.C / p.Group, ocg = p.OC / p.Group;
        if (cg == 1 && p.Group == p.C)
        {
            return null;
        }

        int k = cg * p.KH * p.KW;
        if (w.Length < (long)p.OC * k)
        {
            throw new ArgumentException("conv weights too small");
        }

        var groups = new PackedA[p.Group];
        for (int g = 0; g < p.Group; g++)
        {
            groups[g] = Gemm.PackA(w.Slice(g * ocg * k, ocg * k), k, false, ocg, k);
        }

        return new ConvPackedWeights(groups, p.OC, k);
    }

    /// <summary>y[N,OC,OH,OW] = conv(x[N,C,H,W], w[OC,C/group,KH,KW]) + bias[OC] (bias may be empty).
    /// <paramref name="packed"/> (from <see cref="PackWeights"/> of the same w) skips packing w on every call.</summary>
    public static void Conv2D(IsaLevel isa, Conv2DParams p, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y, int threads = 1, ConvPackedWeights? packed = null)
    {
        p.Validate(true);
        int oh = p.ConvOutH, ow = p.ConvOutW;
        int cg = p.C / p.Group, ocg = p.OC / p.Group;
        int k = cg * p.KH * p.KW;
        long plane = (long)p.H * p.W, oplane = (long)oh * ow;
        if (oh <= 0 || ow <= 0 || x.Length < p.N * p.C * plane || w.Length < (long)p.OC * k || y.Length < p.N * p.OC * oplane ||
            (!bias.IsEmpty && bias.Length < p.OC))
        {
            throw new ArgumentException("conv spans too small or empty output");
        }

        if (cg == 1 && p.Group == p.C)
        {
            Depthwise(isa, p, x, w, bias, y, threads);
            return;
        }

        if (DirectConv.Applies(p))
        {
            DirectConv.Run(isa, p, x, w, bias, y, threads);
            return;
        }

        if (packed == null)
        {
            packed = PackWeights(p, w)!;
        }
        else if (packed.Group != p.Group || packed.OC != p.OC || packed.K != k)
        {
            throw new ArgumentException("packed weights do not match the convolution parameters");
        }

        IsaLevel lvl = KernelIsa.Clamp(isa);
        int nrl = Gemm.PanelWidth(lvl);
        bool implicitGemm = ImplicitConv.Applies(p, nrl);
        if (SmallPlaneConv.Applies(p, nrl, implicitGemm ? ImplicitConv.Columns(p) : oh * ow))
        {
            SmallPlaneConv.Run(lvl, p, x, packed, bias, y, threads);
            return;
        }

        if (implicitGemm)
        {
            ImplicitConv.Run(KernelIsa.Clamp(isa), p, x, packed, bias, y, threads);
            return;
        }

        GemmBias bk = bias.IsEmpty ? GemmBias.None : GemmBias.PerRow;
        bool pointwise = p.KH == 1 && p.KW == 1 && p.StrideH == 1 && p.StrideW == 1 &&
                         p.PadTop == 0 && p.PadLeft == 0 && p.PadBottom == 0 && p.PadRight == 0 && oh == p.H && ow == p.W;
        int P = (int)oplane;
        if (pointwise && P == 1 && p.Group == 1)
        {
            // 1x1 on 1x1 images (Gemm / fully-connected layers written as convolutions): one GEMM with the batch as
            // rows and the transposed weights as B, read in place, instead of one GEMM per image whose single output
            // column fills a 32-column panel; the same per-output chain (bias, then ascending-c FMAs), so the same bits.
            Gemm.Compute(isa, p.N, p.OC, p.C, x, p.C, false, packed.Transposed(), p.OC, false, y, p.OC,
                bk == GemmBias.None ? default : bias, bk == GemmBias.None ? GemmBias.None : GemmBias.PerColumn, false, p.Activation, threads);
            return;
        }

        if (pointwise)
        {
            for (int n = 0; n < p.N; n++)
            {
                for (int g = 0; g < p.Group; g++)
                {
                    Gemm.Compute(isa, P, packed.Groups[g],
                        x.Slice((int)(((long)n * p.C + (g * cg)) * plane)), P, false,
                        y.Slice((int)(((long)n * p.OC + (g * ocg)) * oplane)), P,
                        bk == GemmBias.None ? default : bias.Slice(g * ocg, ocg), bk, false, p.Activation, threads);
                }
            }

            return;
        }

        IsaLevel level = KernelIsa.Clamp(isa);
        int nr = Gemm.PanelWidth(level);
        int tile = (int)Math.Min(P, Math.Max(64, Im2ColBudget / Math.Max(1, k)));
        if (tile < P)
        {
            tile = Math.Max(nr, tile / nr * nr); // whole panels: no zero columns computed inside the image
        }

        int t = KernelParallel.Effective(threads, (long)P * k * ocg * p.N * p.Group, 1L << 20);
        int gemmThreads = 1;
        if (t > 1 && tile >= P && (P + nr - 1) / nr < 4 * t && p.N * p.Group < t)
        {
            // few output positions (deep layers, e.g. 7x7): splitting them would leave each thread a ragged panel and
            // make every thread stream all the weights; one im2col, the GEMM splits output channels instead
            gemmThreads = t;
            t = 1;
        }
        else if (t > 1)
        {
            tile = Math.Min(tile, (((P + t - 1) / t) + nr - 1) / nr * nr);
        }

        int tiles = (P + tile - 1) / tile;
        int items = p.N * p.Group * tiles;
        unsafe
        {
            fixed (float* px0 = x, pb0 = bias, py0 = y)
            {
                float* px = px0, pb = bias.IsEmpty ? null : pb0, py = py0;
                ConvPackedWeights pk = packed;
                KernelParallel.ForEach(items, Math.Min(t, items), (i0, i1) =>
                {
                    int panelsMax = (tile + nr - 1) / nr;
                    float[] packed = Im2ColScratch(panelsMax * k * nr);
                    {
                        for (int item = i0; item < i1; item++)
                        {
                            int ti = item % tiles, ng = item / tiles;
                            int n = ng / p.Group, g = ng % p.Group;
                            int p0 = ti * tile, pt = Math.Min(tile, P - p0);
                            var xg = new ReadOnlySpan<float>(px + (((long)n * p.C + (g * cg)) * plane), (int)(cg * plane));
                            var yg = new Span<float>(py + (((long)n * p.OC + (g * ocg)) * oplane), (int)(ocg * oplane));
                            Im2Col.Packed(p, cg, ow, xg, p0, pt, nr, packed);
                            var pbm = new PackedB(packed, k, pt, nr, level);
                            Gemm.Compute(pk.Groups[g], pbm,
                                yg.Slice(p0), P,
                                pb == null ? default : new ReadOnlySpan<float>(pb + (g * ocg), ocg), bk, false, p.Activation, gemmThreads);
                        }
                    }
                });
            }
        }
    }

    [ThreadStatic]
    private static float[]? t_im2col;

    /// <summary>
    /// This thread's im2col scratch (kept between calls). Several hundred KB per tile: renting that from the shared
    /// pool on thread-pool threads kept allocating large-object arrays, which cost more than the convolution.
    /// </summary>
    private static float[] Im2ColScratch(int length)
    {
        float[]? a = t_im2col;
        if (a == null || a.Length < length)
        {
            a = new float[length];
            t_im2col = a;
        }

        return a;
    }

    /// <summary>Naive scalar convolution following the accumulation contract exactly (test reference).</summary>
    public static void Conv2DReference(Conv2DParams p, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y)
    {
        p.Validate(true);
        int oh = p.ConvOutH, ow = p.ConvOutW;
        int cg = p.C / p.Group, ocg = p.OC / p.Group;
        float lo = p.Activation.Lo, hi = p.Activation.Hi;
        for (int n = 0; n < p.N; n++)
        {
            for (int oc = 0; oc < p.OC; oc++)
            {
                int g = oc / ocg;
                for (int oy = 0; oy < oh; oy++)
                {
                    for (int ox = 0; ox < ow; ox++)
                    {
                        float acc = 0f;
                        if (!bias.IsEmpty)
                        {
                            acc += bias[oc];
                        }

                        for (int ci = 0; ci < cg; ci++)
                        {
                            int c = (g * cg) + ci;
                            for (int ky = 0; ky < p.KH; ky++)
                            {
                                int iy = (oy * p.StrideH) - p.PadTop + (ky * p.DilationH);
                                for (int kx = 0; kx < p.KW; kx++)
                                {
                                    int ix = (ox * p.StrideW) - p.PadLeft + (kx * p.DilationW);
                                    float v = (uint)iy < (uint)p.H && (uint)ix < (uint)p.W ? x[(((n * p.C) + c) * p.H * p.W) + (iy * p.W) + ix] : 0f;
                                    acc = MathF.FusedMultiplyAdd(w[(((((oc * cg) + ci) * p.KH) + ky) * p.KW) + kx], v, acc);
                                }
                            }
                        }

                        if (p.Activation.Kind != ActivationKind.None)
                        {
                            acc = MathF.Min(MathF.Max(acc, lo), hi);
                        }

                        y[(((n * p.OC) + oc) * oh * ow) + (oy * ow) + ox] = acc;
                    }
                }
            }
        }
    }

    /// <summary>Depthwise (C/group == 1, OC = C·multiplier) direct kernel; same contract as <see cref="Conv2D"/>.</summary>
    public static void Depthwise(IsaLevel isa, Conv2DParams p, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y, int threads = 1)
    {
        p.Validate(true);
        if (p.Group != p.C || p.OC % p.C != 0)
        {
            throw new ArgumentException("depthwise requires group == C and OC a multiple of C");
        }

        int oh = p.ConvOutH, ow = p.ConvOutW;
        if (oh <= 0 || ow <= 0 || x.Length < (long)p.N * p.C * p.H * p.W || w.Length < (long)p.OC * p.KH * p.KW ||
            y.Length < (long)p.N * p.OC * oh * ow || (!bias.IsEmpty && bias.Length < p.OC))
        {
            throw new ArgumentException("depthwise spans too small");
        }

        IsaLevel clamped = KernelIsa.Clamp(isa);
        int wq = ((((ow - 1) * p.StrideW) + ((p.KW - 1) * p.DilationW) + 1) + p.StrideW - 1) / p.StrideW;
        bool rowPairs = p.KH == 3 && p.KW == 3 && p.StrideH == 1 && p.DilationH == 1;
        bool flat = FlatPlane(clamped, oh, ow, wq, rowPairs);
        IsaLevel level = NarrowForRow(clamped, flat ? oh * wq : ow);
        int planes = p.N * p.C;
        long work = (long)p.N * p.OC * oh * ow * p.KH * p.KW;
        int t = KernelParallel.Effective(threads, work, 1 << 16);
        unsafe
        {
            fixed (float* px0 = x, pw0 = w, pb0 = bias, py0 = y)
            {
                float* px = px0, pw = pw0, pb = bias.IsEmpty ? null : pb0, py = py0;
                KernelParallel.For(planes, t, (s, e) =>
                {
                    switch (level)
                    {
                        case IsaLevel.V512: DepthwisePlanes<Vector512<float>, S512>(p, px, pw, pb, py, s, e, flat); break;
                        case IsaLevel.V256: DepthwisePlanes<Vector256<float>, S256>(p, px, pw, pb, py, s, e, flat); break;
                        case IsaLevel.V128: DepthwisePlanes<Vector128<float>, S128>(p, px, pw, pb, py, s, e, flat); break;
                        default: DepthwisePlanes<float, S1>(p, px, pw, pb, py, s, e, flat); break;
                    }
                });
            }
        }
    }

    /// <summary>Widest level not above <paramref name="level"/> whose vector fits in a row of <paramref name="width"/> (same bits at any level).</summary>
    internal static IsaLevel NarrowForRow(IsaLevel level, int width)
    {
        if (level == IsaLevel.V512 && width < 16)
        {
            level = KernelIsa.Clamp(IsaLevel.V256);
        }

        if (level == IsaLevel.V256 && width < 8)
        {
            level = KernelIsa.Clamp(IsaLevel.V128);
        }

        if (level == IsaLevel.V128 && width < 4)
        {
            level = IsaLevel.Scalar;
        }

        return level;
    }

    /// <summary>
    /// Pads one H×W plane with <paramref name="padValue"/> and splits its columns into stride phases so every
    /// window tap becomes a contiguous load: phase[ph][py, j] = padded[py, j·sw + ph]. Returns the phase row width.
    /// dst must hold sw·hp·wq + 16 floats (the stride-2 vector path may write up to 15 past the last row).
    /// <paramref name="rowPhases"/> &gt; 1 also splits the rows: padded row py is stored as phase row
    /// (py mod rowPhases)·hq + py / rowPhases, hq = ⌈hp / rowPhases⌉ (phase size hq·rowPhases·wq, see
    /// <see cref="PhaseRows"/>), so with row stride rowPhases every tap is one fixed offset from oy·wq + ox.
    /// <paramref name="padsReady"/>: dst already holds this geometry's padding (an earlier plane of the same call;
    /// only the interior is ever rewritten), so only the input values are copied.
    /// </summary>
    internal static unsafe int BuildPhases(float* src, int H, int W, int padTop, int padLeft, int hp, int wp, int sw, float padValue, float* dst, int rowPhases = 1, bool padsReady = false)
    {
        int wq = (wp + sw - 1) / sw;
        int hq = (hp + rowPhases - 1) / rowPhases;
        long phaseSize = (long)PhaseRows(hp, rowPhases) * wq;
        if (sw == 2 && TryBuildPhases2(src, H, W, padTop, padLeft, hp, wq, padValue, dst, rowPhases, padsReady))
        {
            return wq;
        }

        for (int ph = 0; ph < sw; ph++)
        {
            float* d = dst + (ph * phaseSize);
            for (int py = 0, rp = 0, r = 0; py < hp; py++, r += ++rp == rowPhases ? 1 : 0, rp = rp == rowPhases ? 0 : rp)
            {
                int iy = py - padTop;
                float* drow = d + ((((long)rp * hq) + r) * wq);
                if ((uint)iy >= (uint)H)
                {
                    if (!padsReady)
                    {
                        new Span<float>(drow, wq).Fill(padValue);
                    }

                    continue;
                }

                float* srow = src + ((long)iy * W);
                if (sw == 1)
                {
                    int left = Math.Min(padLeft, wq);
                    if (!padsReady)
                    {
                        new Span<float>(drow, left).Fill(padValue);
                    }

                    int n = Math.Max(0, Math.Min(W, wq - padLeft));
                    CopyRow(srow, drow + padLeft, n);
                    int rest = wq - padLeft - n;
                    if (rest > 0 && !padsReady)
                    {
                        new Span<float>(drow + padLeft + n, rest).Fill(padValue);
                    }
                }
                else
                {
                    // j with ix = j·sw + ph − padLeft inside [0, W): [jLo, jHi); padding outside, no per-element test inside
                    int jLo = Math.Min(wq, Math.Max(0, (padLeft - ph + sw - 1) / sw));
                    int jHi = Math.Max(jLo, Math.Min(wq, (W + padLeft - ph + sw - 1) / sw));
                    if (!padsReady)
                    {
                        new Span<float>(drow, jLo).Fill(padValue);
                        new Span<float>(drow + jHi, wq - jHi).Fill(padValue);
                    }

                    float* sp = srow + ((jLo * sw) + ph - padLeft);
                    int j = jLo;
                    for (; j + 4 <= jHi; j += 4, sp += 4 * sw)
                    {
                        drow[j] = sp[0];
                        drow[j + 1] = sp[sw];
                        drow[j + 2] = sp[2 * sw];
                        drow[j + 3] = sp[3 * sw];
                    }

                    for (; j < jHi; j++, sp += sw)
                    {
                        drow[j] = sp[0];
                    }
                }
            }
        }

        return wq;
    }

    /// <summary>
    /// dst[0..n) = src[0..n) for the short rows of small planes, inline: two overlapping vectors instead of a
    /// memmove call per row (which cost more than the arithmetic on 7- and 14-wide planes). Exact copies; never
    /// touches dst outside [0, n). Non-overlapping src and dst.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe void CopyRow(float* src, float* dst, int n)
    {
        if (n >= 16 && Vector512.IsHardwareAccelerated)
        {
            int i = 0;
            for (; i + 16 < n; i += 16)
            {
                Vector512.Store(Vector512.Load(src + i), dst + i);
            }

            Vector512.Store(Vector512.Load(src + n - 16), dst + n - 16);
        }
        else if (n >= 8 && Vector256.IsHardwareAccelerated)
        {
            int i = 0;
            for (; i + 8 < n; i += 8)
            {
                Vector256.Store(Vector256.Load(src + i), dst + i);
            }

            Vector256.Store(Vector256.Load(src + n - 8), dst + n - 8);
        }
        else if (n >= 4 && Vector128.IsHardwareAccelerated)
        {
            int i = 0;
            for (; i + 4 < n; i += 4)
            {
                Vector128.Store(Vector128.Load(src + i), dst + i);
            }

            Vector128.Store(Vector128.Load(src + n - 4), dst + n - 4);
        }
        else
        {
            for (int i = 0; i < n; i++)
            {
                dst[i] = src[i];
            }
        }
    }

    /// <summary>Rows of one column phase of <see cref="BuildPhases"/>: hp, or ⌈hp / rowPhases⌉·rowPhases with row phases.</summary>
    internal static int PhaseRows(int hp, int rowPhases) => ((hp + rowPhases - 1) / rowPhases) * rowPhases;

    /// <summary>
    /// <see cref="BuildPhases"/> for stride 2 with vector deinterleaving straight from the source rows: phase ph
    /// column j is src[2j + ph − padLeft]; whole vectors where all 2v source floats they read lie inside the row,
    /// single elements at the row ends, padding outside. Writes only inside the phase rows. Exact copies, so the bits
    /// equal the scalar layout. (Measured: the former pad-into-scratch-then-deinterleave took 55–75 % of a stride-2
    /// depthwise convolution.)
    /// </summary>
    private static unsafe bool TryBuildPhases2(float* src, int H, int W, int padTop, int padLeft, int hp, int wq, float padValue, float* dst, int rowPhases, bool padsReady)
    {
        if (!Avx512F.IsSupported && !Avx2.IsSupported)
        {
            return false;
        }

        int hq = (hp + rowPhases - 1) / rowPhases;
        long phaseSize = (long)PhaseRows(hp, rowPhases) * wq;
        // Small planes with even rows: a phase's source columns are every other float of the whole plane, so the
        // plane is deinterleaved once (par[q][i] = src[2i + q]) and each phase row is a short copy (row-by-row
        // gathers of 7..14 floats were mostly call and scalar-tail overhead).
        int half = (W & 1) == 0 && (long)H * W <= 4096 ? H * W / 2 : 0;
        float* par = stackalloc float[half > 0 ? (2 * half) + 16 : 1];
        if (half > 0)
        {
            GatherEven(src, par, half, H * W);
            GatherEven(src + 1, par + half + 16, half, (H * W) - 1);
        }

        // phase row of py, stepped without a division per row (rp = py mod rowPhases, r = py / rowPhases)
        for (int py = 0, rp = 0, r = 0; py < hp; py++, r += ++rp == rowPhases ? 1 : 0, rp = rp == rowPhases ? 0 : rp)
        {
            int iy = py - padTop;
            long prow = ((long)rp * hq) + r;
            for (int ph = 0; ph < 2; ph++)
            {
                float* d = dst + (ph * phaseSize) + (prow * wq);
                if ((uint)iy >= (uint)H)
                {
                    if (!padsReady)
                    {
                        new Span<float>(d, wq).Fill(padValue);
                    }

                    continue;
                }

                // source column of j: 2j + off, inside [0, W) for j in [jLo, jHi)
                int off = ph - padLeft;
                int jLo = Math.Min(wq, Math.Max(0, (1 - off) / 2));
                int jHi = W - 1 - off < 0 ? jLo : Math.Max(jLo, Math.Min(wq, ((W - 1 - off) / 2) + 1));
                if (!padsReady)
                {
                    new Span<float>(d, jLo).Fill(padValue);
                    new Span<float>(d + jHi, wq - jHi).Fill(padValue);
                }

                if (half > 0)
                {
                    int q = off & 1; // parity of the first source index iy·W + off + 2·jLo (W even)
                    CopyRow(par + (q * (half + 16)) + (iy * (W / 2)) + jLo + ((off - q) / 2), d + jLo, jHi - jLo);
                }
                else
                {
                    GatherEven(src + ((long)iy * W) + off + (2 * jLo), d + jLo, jHi - jLo, W - off - (2 * jLo));
                }
            }
        }

        return true;
    }

    /// <summary>
    /// d[j] = src[2j] for j in [0, count) (a stride-2 column phase): AVX-512/AVX2 deinterleaving permutes for every
    /// vector whose 2v source floats lie within the <paramref name="readable"/> floats from src, single elements
    /// otherwise. Exact copies.
    /// </summary>
    internal static unsafe void GatherEven(float* src, float* d, int count, int readable)
    {
        int v = Avx512F.IsSupported ? 16 : Avx2.IsSupported ? 8 : 0;
        int j = 0;
        if (v > 0)
        {
            Vector512<int> even = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
            for (; j + v <= count && (2 * j) + (2 * v) <= readable; j += v)
            {
                Deinterleave(src + (2 * j), d + j, v, even);
            }

            // short rows and row ends (14- and 28-wide planes): 8 at a time
            for (; v == 16 && j + 8 <= count && (2 * j) + 16 <= readable; j += 8)
            {
                Deinterleave(src + (2 * j), d + j, 8, even);
            }
        }

        for (; j < count; j++)
        {
            d[j] = src[2 * j];
        }
    }

    /// <summary>d[0..v) = sp[0], sp[2], …, sp[2v−2] (v = 16 with AVX-512, else 8 with AVX2); reads sp[0..2v).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Deinterleave(float* sp, float* d, int v, Vector512<int> even)
    {
        if (v == 16)
        {
            Vector512.Store(Avx512F.PermuteVar16x32x2(Vector512.Load(sp), even, Vector512.Load(sp + 16)), d);
        }
        else
        {
            Vector256<float> lanes = Avx.Shuffle(Vector256.Load(sp), Vector256.Load(sp + 8), 0b10_00_10_00);
            Vector256.Store(Avx2.Permute4x64(lanes.AsDouble(), 0b11_01_10_00).AsSingle(), d);
        }
    }

    /// <summary>
    /// Whether a plane runs flattened (<see cref="DepthwisePlanes"/>): outputs computed over the whole phase-row
    /// width wq ≥ ow as one run of oh·wq positions, then compacted, instead of row by row. Narrow rows waste most of
    /// a vector (ow = 7: two 4-lane vectors per row) or drop to a narrower level; the flat run wastes only the
    /// wq − ow padding columns. Estimated in vector steps (a row pair of the stride-1 3x3 kernel shares loads:
    /// ~2/3 of a step) plus a row copy per output row. Any choice gives the same bits.
    /// </summary>
    internal static bool FlatPlane(IsaLevel level, int oh, int ow, int wq, bool rowPairs)
    {
        int cRow = Lanes(NarrowForRow(level, ow));
        int cFlat = Lanes(NarrowForRow(level, oh * wq));
        if (cFlat == 1)
        {
            return false;
        }

        double rowSteps = oh * (double)((ow + cRow - 1) / cRow) * (rowPairs && oh > 1 ? 0.67 : 1.0);
        double flatSteps = ((double)(((long)oh * wq) + cFlat - 1) / cFlat) + (0.25 * oh);
        return flatSteps < rowSteps;
    }

    private static int Lanes(IsaLevel level) => level switch { IsaLevel.V512 => 16, IsaLevel.V256 => 8, IsaLevel.V128 => 4, _ => 1 };

    /// <summary>
    /// Depthwise planes [s, e). Row by row over the column phases; or <paramref name="flat"/>: the rows are split
    /// into stride phases too, so every tap is one fixed offset from f = oy·wq + ox and the whole plane is one run
    /// of oh·wq outputs (the columns ox ≥ ow are computed from padding and dropped when compacting). Each kept
    /// output has the same chain either way.
    /// </summary>
    private static unsafe void DepthwisePlanes<TV, S>(Conv2DParams p, float* x, float* w, float* bias, float* y, int s, int e, bool flat)
        where TV : struct
        where S : struct, ISimd<TV>
    {
        int oh = p.ConvOutH, ow = p.ConvOutW;
        int mult = p.OC / p.C;
        int sh = p.StrideH, sw = p.StrideW, dh = p.DilationH, dw = p.DilationW;
        int hp = ((oh - 1) * sh) + ((p.KH - 1) * dh) + 1;
        int wp = ((ow - 1) * sw) + ((p.KW - 1) * dw) + 1;
        int wq = (wp + sw - 1) / sw;
        int rowPhases = flat ? sh : 1;
        int hq = (hp + rowPhases - 1) / rowPhases;
        long phaseSize = (long)PhaseRows(hp, rowPhases) * wq;
        long flatLen = (long)oh * wq;
        // flat: the dropped columns of the last rows read up to a row plus a vector past the last phase
        float[] bufArr = ArrayPool<float>.Shared.Rent((int)(phaseSize * sw) + 16 + (flat ? wq + S.Count + 16 : 0));
        float[]? wideArr = flat ? ArrayPool<float>.Shared.Rent((int)flatLen + 16) : null;
        int taps = p.KH * p.KW;
        int* tapOff = stackalloc int[taps];
        for (int ky = 0; ky < p.KH; ky++)
        {
            for (int kx = 0; kx < p.KW; kx++)
            {
                int off = kx * dw, r = ky * dh;
                long row = ((r % rowPhases) * (long)hq) + (r / rowPhases);
                tapOff[(ky * p.KW) + kx] = (int)(((off % sw) * phaseSize) + (row * wq) + (off / sw));
            }
        }

        bool act = p.Activation.Kind != ActivationKind.None;
        float lo = p.Activation.Lo, hi = p.Activation.Hi;
        TV vlo = S.Splat(lo), vhi = S.Splat(hi);
        int c = S.Count;
        try
        {
            fixed (float* buf = bufArr, wide = wideArr)
            {
                for (int plane = s; plane < e; plane++)
                {
                    int n = plane / p.C, ch = plane % p.C;
                    BuildPhases(x + ((long)plane * p.H * p.W), p.H, p.W, p.PadTop, p.PadLeft, hp, wp, sw, 0f, buf, rowPhases, plane > s);
                    for (int m = 0; m < mult; m++)
                    {
                        int oc = (ch * mult) + m;
                        float* wk = w + ((long)oc * taps);
                        float b0 = 0f;
                        if (bias != null)
                        {
                            b0 += bias[oc];
                        }

                        TV bv = S.Splat(b0);
                        float* yo = y + ((((long)n * p.OC) + oc) * oh * ow);
                        if (flat)
                        {
                            if (taps == 9)
                            {
                                DepthwiseRow9<TV, S>(buf, tapOff, wk, bv, wide, (int)flatLen, act, vlo, vhi);
                            }
                            else
                            {
                                DepthwiseRowAnyTaps<TV, S>(buf, tapOff, taps, wk, b0, wide, (int)flatLen, act, lo, hi);
                            }

                            for (int oy = 0; oy < oh; oy++)
                            {
                                CopyRow(wide + ((long)oy * wq), yo + ((long)oy * ow), ow);
                            }

                            continue;
                        }

                        for (int oy = 0; oy < oh; oy++)
                        {
                            float* rowBase = buf + ((long)oy * sh * wq);
                            float* yr = yo + ((long)oy * ow);
                            if (taps == 9 && ow >= c)
                            {
                                if (p.KH == 3 && sh == 1 && dh == 1 && oy + 1 < oh)
                                {
                                    // two output rows share two of their three input rows
                                    DepthwiseRows9x2<TV, S>(rowBase, wq, tapOff, wk, bv, yr, ow, act, vlo, vhi);
                                    oy++;
                                    continue;
                                }

                                DepthwiseRow9<TV, S>(rowBase, tapOff, wk, bv, yr, ow, act, vlo, vhi);
                                continue;
                            }

                            DepthwiseRowAnyTaps<TV, S>(rowBase, tapOff, taps, wk, b0, yr, ow, act, lo, hi);
                        }
                    }
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(bufArr);
            if (wideArr != null)
            {
                ArrayPool<float>.Shared.Return(wideArr);
            }
        }
    }

    /// <summary>One run of <paramref name="ow"/> depthwise outputs for any window: acc = bias, fma over the taps in order, clamp.</summary>
    private static unsafe void DepthwiseRowAnyTaps<TV, S>(float* rowBase, int* tapOff, int taps, float* wk, float b0, float* yr, int ow, bool act, float lo, float hi)
        where TV : struct
        where S : struct, ISimd<TV>
    {
        int c = S.Count;
        TV bv = S.Splat(b0), vlo = S.Splat(lo), vhi = S.Splat(hi);
        int ox = 0;
        while (ox < ow && ow >= c)
        {
            if (ox > ow - c)
            {
                ox = ow - c; // overlapping last vector: recomputes identical values
            }

            TV acc = bv;
            for (int t = 0; t < taps; t++)
            {
                acc = S.Fma(S.Load(ref rowBase[tapOff[t]], ox), S.Splat(wk[t]), acc);
            }

            if (act)
            {
                acc = S.Min(S.Max(acc, vlo), vhi);
            }

            S.Store(acc, ref yr[0], ox);
            ox += c;
        }

        for (; ox < ow; ox++)
        {
            float acc = b0;
            for (int t = 0; t < taps; t++)
            {
                acc = S1.Fma(rowBase[tapOff[t] + ox], wk[t], acc);
            }

            if (act)
            {
                acc = MathF.Min(MathF.Max(acc, lo), hi);
            }

            yr[ox] = acc;
        }
    }

    /// <summary>
    /// One output row of a 9-tap (3x3) depthwise window, ow ≥ vector width: weights and tap offsets held in
    /// registers, two vectors per step for independent FMA chains. Per element the chain is the generic one:
    /// acc = bias, then fma over taps 0..8 in order, then the clamp.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void DepthwiseRow9<TV, S>(float* rowBase, int* tapOff, float* wk, TV bv, float* yr, int ow, bool act, TV lo, TV hi)
        where TV : struct
        where S : struct, ISimd<TV>
    {
        int c = S.Count;
        TV w0 = S.Splat(wk[0]), w1 = S.Splat(wk[1]), w2 = S.Splat(wk[2]), w3 = S.Splat(wk[3]), w4 = S.Splat(wk[4]);
        TV w5 = S.Splat(wk[5]), w6 = S.Splat(wk[6]), w7 = S.Splat(wk[7]), w8 = S.Splat(wk[8]);
        ref float r0 = ref rowBase[tapOff[0]], r1 = ref rowBase[tapOff[1]], r2 = ref rowBase[tapOff[2]];
        ref float r3 = ref rowBase[tapOff[3]], r4 = ref rowBase[tapOff[4]], r5 = ref rowBase[tapOff[5]];
        ref float r6 = ref rowBase[tapOff[6]], r7 = ref rowBase[tapOff[7]], r8 = ref rowBase[tapOff[8]];
        ref float y0 = ref yr[0];
        nint ox = 0;
        for (; ox + (2 * c) <= ow; ox += 2 * c)
        {
            nint o2 = ox + c;
            TV a = S.Fma(S.Load(ref r0, ox), w0, bv);
            TV b = S.Fma(S.Load(ref r0, o2), w0, bv);
            a = S.Fma(S.Load(ref r1, ox), w1, a);
            b = S.Fma(S.Load(ref r1, o2), w1, b);
            a = S.Fma(S.Load(ref r2, ox), w2, a);
            b = S.Fma(S.Load(ref r2, o2), w2, b);
            a = S.Fma(S.Load(ref r3, ox), w3, a);
            b = S.Fma(S.Load(ref r3, o2), w3, b);
            a = S.Fma(S.Load(ref r4, ox), w4, a);
            b = S.Fma(S.Load(ref r4, o2), w4, b);
            a = S.Fma(S.Load(ref r5, ox), w5, a);
            b = S.Fma(S.Load(ref r5, o2), w5, b);
            a = S.Fma(S.Load(ref r6, ox), w6, a);
            b = S.Fma(S.Load(ref r6, o2), w6, b);
            a = S.Fma(S.Load(ref r7, ox), w7, a);
            b = S.Fma(S.Load(ref r7, o2), w7, b);
            a = S.Fma(S.Load(ref r8, ox), w8, a);
            b = S.Fma(S.Load(ref r8, o2), w8, b);
            if (act)
            {
                a = S.Min(S.Max(a, lo), hi);
                b = S.Min(S.Max(b, lo), hi);
            }

            S.Store(a, ref y0, ox);
            S.Store(b, ref y0, o2);
        }

        while (ox < ow)
        {
            if (ox > ow - c)
            {
                ox = ow - c; // overlapping last vector: recomputes identical values
            }

            TV a = S.Fma(S.Load(ref r0, ox), w0, bv);
            a = S.Fma(S.Load(ref r1, ox), w1, a);
            a = S.Fma(S.Load(ref r2, ox), w2, a);
            a = S.Fma(S.Load(ref r3, ox), w3, a);
            a = S.Fma(S.Load(ref r4, ox), w4, a);
            a = S.Fma(S.Load(ref r5, ox), w5, a);
            a = S.Fma(S.Load(ref r6, ox), w6, a);
            a = S.Fma(S.Load(ref r7, ox), w7, a);
            a = S.Fma(S.Load(ref r8, ox), w8, a);
            if (act)
            {
                a = S.Min(S.Max(a, lo), hi);
            }

            S.Store(a, ref y0, ox);
            ox += c;
        }
    }

    /// <summary>
    /// Output rows oy and oy+1 of a 3x3 depthwise window with row stride 1 (rowBase = oy's first input row, wq the
    /// phase row width): input rows oy..oy+3 are loaded once per column vector. Row oy's tap (ky,kx) is row oy+1's
    /// tap (ky−1,kx); each output keeps the generic chain acc = bias, fma over taps 0..8 in order, clamp.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void DepthwiseRows9x2<TV, S>(float* rowBase, int wq, int* tapOff, float* wk, TV bv, float* yr, int ow, bool act, TV lo, TV hi)
        where TV : struct
        where S : struct, ISimd<TV>
    {
        int c = S.Count;
        TV w0 = S.Splat(wk[0]), w1 = S.Splat(wk[1]), w2 = S.Splat(wk[2]), w3 = S.Splat(wk[3]), w4 = S.Splat(wk[4]);
        TV w5 = S.Splat(wk[5]), w6 = S.Splat(wk[6]), w7 = S.Splat(wk[7]), w8 = S.Splat(wk[8]);

        // column taps kx = 0..2 of input row 0 (tapOff[0..2]); row r adds r·wq
        ref float q0 = ref rowBase[tapOff[0]], q1 = ref rowBase[tapOff[1]], q2 = ref rowBase[tapOff[2]];
        nint r1 = wq, r2 = 2 * (nint)wq, r3 = 3 * (nint)wq;
        ref float y0 = ref yr[0];
        nint ow2 = ow;
        nint ox = 0;
        while (ox < ow)
        {
            if (ox > ow - c)
            {
                ox = ow - c; // overlapping last vector: recomputes identical values
            }

            TV x00 = S.Load(ref q0, ox), x01 = S.Load(ref q1, ox), x02 = S.Load(ref q2, ox);
            TV x10 = S.Load(ref q0, ox + r1), x11 = S.Load(ref q1, ox + r1), x12 = S.Load(ref q2, ox + r1);
            TV a = S.Fma(x00, w0, bv);
            TV b = S.Fma(x10, w0, bv);
            a = S.Fma(x01, w1, a);
            b = S.Fma(x11, w1, b);
            a = S.Fma(x02, w2, a);
            b = S.Fma(x12, w2, b);
            TV x20 = S.Load(ref q0, ox + r2), x21 = S.Load(ref q1, ox + r2), x22 = S.Load(ref q2, ox + r2);
            a = S.Fma(x10, w3, a);
            b = S.Fma(x20, w3, b);
            a = S.Fma(x11, w4, a);
            b = S.Fma(x21, w4, b);
            a = S.Fma(x12, w5, a);
            b = S.Fma(x22, w5, b);
            TV x30 = S.Load(ref q0, ox + r3), x31 = S.Load(ref q1, ox + r3), x32 = S.Load(ref q2, ox + r3);
            a = S.Fma(x20, w6, a);
            b = S.Fma(x30, w6, b);
            a = S.Fma(x21, w7, a);
            b = S.Fma(x31, w7, b);
            a = S.Fma(x22, w8, a);
            b = S.Fma(x32, w8, b);
            if (act)
            {
                a = S.Min(S.Max(a, lo), hi);
                b = S.Min(S.Max(b, lo), hi);
            }

            S.Store(a, ref y0, ox);
            S.Store(b, ref y0, ox + ow2);
            ox += c;
        }
    }

    /// <summary>
    /// Transposed convolution. x[N,C,H,W], w[C, OC/group, KH, KW] (ONNX layout), bias[OC] (may be empty),
    /// y[N,OC,OH,OW] with OH = (H−1)·sh − pt − pb + dh·(KH−1) + 1 + output_pad (or p.OutH).
    /// Contract (bit-identical to <see cref="ConvTranspose2DReference"/>): per group, col[(oc,ky,kx),(iy,ix)] =
    /// fma-chain over ci ascending from 0 of w[ci,oc,ky,kx]·x[ci,iy,ix]; y = 0 (+ bias), then col values are added
    /// in (oc, ky, kx, iy, ix) lexicographic order to y[oc, iy·sh − pt + ky·dh, ix·sw − pl + kx·dw] when inside;
    /// then the activation clamp. The col GEMM runs vectorized/threaded; col2im is scalar.
    /// </summary>
    public static void ConvTranspose2D(IsaLevel isa, Conv2DParams p, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y, int threads = 1)
    {
        p.Validate(true);
        int oh = p.DeconvOutH, ow = p.DeconvOutW;
        int cg = p.C / p.Group, ocg = p.OC / p.Group;
        int kk = ocg * p.KH * p.KW;
        int hw = p.H * p.W;
        if (oh <= 0 || ow <= 0 || x.Length < (long)p.N * p.C * hw || w.Length < (long)p.C * kk || y.Length < (long)p.N * p.OC * oh * ow ||
            (!bias.IsEmpty && bias.Length < p.OC))
        {
            throw new ArgumentException("deconv spans too small");
        }

        float[] col = ArrayPool<float>.Shared.Rent(Math.Max(1, kk * hw));
        try
        {
            for (int n = 0; n < p.N; n++)
            {
                for (int g = 0; g < p.Group; g++)
                {
                    // col[kk, hw] = W_g^T [kk, cg] · X_g [cg, hw]; W_g stored [cg, kk] → transA
                    Gemm.Compute(isa, kk, hw, cg,
                        w.Slice(g * cg * kk), kk, true,
                        x.Slice((((n * p.C) + (g * cg)) * hw)), hw, false,
                        col, hw, threads: threads);
                    Col2Im(p, g, n, oh, ow, col, bias, y);
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(col);
        }

        if (p.Activation.Kind != ActivationKind.None)
        {
            Span<float> all = y.Slice(0, p.N * p.OC * oh * ow);
            Elementwise.Unary(isa, UnaryFunction.Clip, all, all, p.Activation.Lo, p.Activation.Hi, threads);
        }
    }

    private static void Col2Im(Conv2DParams p, int g, int n, int oh, int ow, ReadOnlySpan<float> col, ReadOnlySpan<float> bias, Span<float> y)
    {
        int ocg = p.OC / p.Group;
        int hw = p.H * p.W;
        for (int o = 0; o < ocg; o++)
        {
            int oc = (g * ocg) + o;
            Span<float> yo = y.Slice(((n * p.OC) + oc) * oh * ow, oh * ow);
            float b0 = 0f;
            if (!bias.IsEmpty)
            {
                b0 += bias[oc];
            }

            yo.Fill(b0);
            for (int ky = 0; ky < p.KH; ky++)
            {
                for (int kx = 0; kx < p.KW; kx++)
                {
                    ReadOnlySpan<float> cr = col.Slice(((((o * p.KH) + ky) * p.KW) + kx) * hw, hw);
                    for (int iy = 0; iy < p.H; iy++)
                    {
                        int oy = (iy * p.StrideH) - p.PadTop + (ky * p.DilationH);
                        if ((uint)oy >= (uint)oh)
                        {
                            continue;
                        }

                        Span<float> yr = yo.Slice(oy * ow, ow);
                        ReadOnlySpan<float> crow = cr.Slice(iy * p.W, p.W);
                        int ox0 = (kx * p.DilationW) - p.PadLeft;
                        for (int ix = 0; ix < p.W; ix++)
                        {
                            int ox = (ix * p.StrideW) + ox0;
                            if ((uint)ox < (uint)ow)
                            {
                                yr[ox] += crow[ix];
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>Naive reference of <see cref="ConvTranspose2D"/>'s contract.</summary>
    public static void ConvTranspose2DReference(Conv2DParams p, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y)
    {
        p.Validate(true);
        int oh = p.DeconvOutH, ow = p.DeconvOutW;
        int cg = p.C / p.Group, ocg = p.OC / p.Group;
        int hw = p.H * p.W;
        int kk = ocg * p.KH * p.KW;
        var col = new float[kk * hw];
        for (int n = 0; n < p.N; n++)
        {
            for (int g = 0; g < p.Group; g++)
            {
                for (int r = 0; r < kk; r++)
                {
                    for (int q = 0; q < hw; q++)
                    {
                        float acc = 0f;
                        for (int ci = 0; ci < cg; ci++)
                        {
                            int c = (g * cg) + ci;
                            acc = MathF.FusedMultiplyAdd(w[(c * kk) + r], x[(((n * p.C) + c) * hw) + q], acc);
                        }

                        col[(r * hw) + q] = acc;
                    }
                }

                Col2Im(p, g, n, oh, ow, col, bias, y);
            }
        }

        if (p.Activation.Kind != ActivationKind.None)
        {
            for (int i = 0; i < p.N * p.OC * oh * ow; i++)
            {
                y[i] = MathF.Min(MathF.Max(y[i], p.Activation.Lo), p.Activation.Hi);
            }
        }
    }
}
