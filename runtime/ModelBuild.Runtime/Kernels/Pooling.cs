using System.Runtime.CompilerServices;
using System.Buffers;
using System.Runtime.Intrinsics;

namespace ModelBuild.Runtime.Kernels;

internal enum PoolKind
{
    Max,
    Average,
}

/// <summary>
/// 2-D pooling on NCHW planes (1-D: H = 1; 3-D: see <see cref="PoolNdReference"/> or reshape). Output size is
/// <c>p.OutH/OutW</c> when set (ceil_mode: pass the ceil size) or the floor formula.
/// Max: max over window taps inside the input (IEEE max: NaN propagates). Average: sum of taps in (ky, kx)
/// order starting from 0 with padded taps contributing 0, divided by the tap count — taps inside the input, or
/// (countIncludePad) taps inside the explicitly padded extent [−pt, H+pb)×[−pl, W+pr).
/// Vectorized over the output width via stride-phase planes; bit-identical at all levels and thread counts.
/// </summary>
internal static class Pooling
{
    public static void Pool2D(IsaLevel isa, PoolKind kind, Conv2DParams p, ReadOnlySpan<float> x, Span<float> y, bool countIncludePad = false, int threads = 1)
    {
        p.Validate(false);
        int oh = p.ConvOutH, ow = p.ConvOutW;
        if (oh <= 0 || ow <= 0 || x.Length < (long)p.N * p.C * p.H * p.W || y.Length < (long)p.N * p.C * oh * ow)
        {
            throw new ArgumentException("pool spans too small");
        }

        IsaLevel level = Convolution.NarrowForRow(KernelIsa.Clamp(isa), ow);
        int planes = p.N * p.C;
        int t = KernelParallel.Effective(threads, (long)planes * oh * ow * p.KH * p.KW, 1 << 16);
        unsafe
        {
            fixed (float* px0 = x, py0 = y)
            {
                float* px = px0, py = py0;
                KernelParallel.For(planes, t, new PoolPlaneRange { Level = level, Kind = kind, Params = p, IncludePad = countIncludePad, X = px, Y = py });
            }
        }
    }

    private static int Count(int o, int stride, int pad, int k, int dil, int size, int lo, int hi)
    {
        int cnt = 0;
        for (int t = 0; t < k; t++)
        {
            int i = (o * stride) - pad + (t * dil);
            if (i >= lo && i < hi)
            {
                cnt++;
            }
        }

        return cnt;
    }

    internal static unsafe void PoolPlanes<TV, S>(PoolKind kind, Conv2DParams p, bool includePad, float* x, float* y, int s, int e)
        where TV : struct
        where S : struct, ISimd<TV>
    {
        int oh = p.ConvOutH, ow = p.ConvOutW;
        int sh = p.StrideH, sw = p.StrideW, dh = p.DilationH, dw = p.DilationW;
        int hp = ((oh - 1) * sh) + ((p.KH - 1) * dh) + 1;
        int wp = ((ow - 1) * sw) + ((p.KW - 1) * dw) + 1;
        int wq = (wp + sw - 1) / sw;
        long phaseSize = (long)hp * wq;
        float[] bufArr = ArrayPool<float>.Shared.Rent((int)(phaseSize * sw) + 16);
        int taps = p.KH * p.KW;
        // scratch from the shared pools (returned below): pooling runs on every inference, these were per-call arrays
        int[] tapOff = ArrayPool<int>.Shared.Rent(taps);
        for (int ky = 0; ky < p.KH; ky++)
        {
            for (int kx = 0; kx < p.KW; kx++)
            {
                int off = kx * dw;
                tapOff[(ky * p.KW) + kx] = (int)(((off % sw) * phaseSize) + ((long)ky * dh * wq) + (off / sw));
            }
        }

        bool max = kind == PoolKind.Max;
        float[] cx = ArrayPool<float>.Shared.Rent(ow);
        float[] cy = ArrayPool<float>.Shared.Rent(oh);
        for (int i = 0; i < ow; i++)
        {
            cx[i] = includePad ? Count(i, sw, p.PadLeft, p.KW, dw, p.W, -p.PadLeft, p.W + p.PadRight) : Count(i, sw, p.PadLeft, p.KW, dw, p.W, 0, p.W);
        }

        for (int i = 0; i < oh; i++)
        {
            cy[i] = includePad ? Count(i, sh, p.PadTop, p.KH, dh, p.H, -p.PadTop, p.H + p.PadBottom) : Count(i, sh, p.PadTop, p.KH, dh, p.H, 0, p.H);
        }

        int c = S.Count;
        try
        {
            fixed (float* buf = bufArr, pcx = cx)
            {
                for (int plane = s; plane < e; plane++)
                {
                    Convolution.BuildPhases(x + ((long)plane * p.H * p.W), p.H, p.W, p.PadTop, p.PadLeft, hp, wp, sw, max ? float.NegativeInfinity : 0f, buf, 1, plane > s);
                    float* yo = y + ((long)plane * oh * ow);
                    for (int oy = 0; oy < oh; oy++)
                    {
                        float* rowBase = buf + ((long)oy * sh * wq);
                        float* yr = yo + ((long)oy * ow);
                        float cyv = cy[oy];
                        TV cyV = S.Splat(cyv);
                        int ox = 0;
                        if (taps == 9 && ow >= c)
                        {
                            fixed (int* pt = tapOff)
                            {
                                PoolRow9<TV, S>(max, rowBase, pt, yr, ow, cyV, pcx);
                            }

                            continue;
                        }

                        while (ox < ow && ow >= c)
                        {
                            if (ox > ow - c)
                            {
                                ox = ow - c; // overlapping last vector: recomputes identical values
                            }

                            TV acc = S.Splat(max ? float.NegativeInfinity : 0f);
                            for (int t = 0; t < taps; t++)
                            {
                                TV v = S.Load(ref rowBase[tapOff[t]], ox);
                                acc = max ? S.Max(acc, v) : S.Add(acc, v);
                            }

                            if (!max)
                            {
                                acc = S.Div(acc, S.Mul(cyV, S.Load(ref pcx[0], ox)));
                            }

                            S.Store(acc, ref yr[0], ox);
                            ox += c;
                        }

                        for (; ox < ow; ox++)
                        {
                            float acc = max ? float.NegativeInfinity : 0f;
                            for (int t = 0; t < taps; t++)
                            {
                                float v = rowBase[tapOff[t] + ox];
                                acc = max ? MathF.Max(acc, v) : acc + v;
                            }

                            if (!max)
                            {
                                acc /= cyv * pcx[ox];
                            }

                            yr[ox] = acc;
                        }
                    }
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(bufArr);
            ArrayPool<int>.Shared.Return(tapOff);
            ArrayPool<float>.Shared.Return(cx);
            ArrayPool<float>.Shared.Return(cy);
        }
    }

    /// <summary>
    /// One output row of a 9-tap (3x3) window, ow ≥ vector width, tap offsets held in registers. Per element the
    /// same sequence as the generic loop: acc = −∞ / 0, then max / add over taps 0..8 in order; average divides by
    /// (row count · column count).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void PoolRow9<TV, S>(bool max, float* rowBase, int* tapOff, float* yr, int ow, TV cyV, float* pcx)
        where TV : struct
        where S : struct, ISimd<TV>
    {
        int c = S.Count;
        ref float r0 = ref rowBase[tapOff[0]], r1 = ref rowBase[tapOff[1]], r2 = ref rowBase[tapOff[2]];
        ref float r3 = ref rowBase[tapOff[3]], r4 = ref rowBase[tapOff[4]], r5 = ref rowBase[tapOff[5]];
        ref float r6 = ref rowBase[tapOff[6]], r7 = ref rowBase[tapOff[7]], r8 = ref rowBase[tapOff[8]];
        ref float y0 = ref yr[0];
        TV init = S.Splat(max ? float.NegativeInfinity : 0f);
        nint ox = 0;
        while (ox < ow)
        {
            if (ox > ow - c)
            {
                ox = ow - c; // overlapping last vector: recomputes identical values
            }

            TV acc;
            if (max)
            {
                acc = S.Max(init, S.Load(ref r0, ox));
                acc = S.Max(acc, S.Load(ref r1, ox));
                acc = S.Max(acc, S.Load(ref r2, ox));
                acc = S.Max(acc, S.Load(ref r3, ox));
                acc = S.Max(acc, S.Load(ref r4, ox));
                acc = S.Max(acc, S.Load(ref r5, ox));
                acc = S.Max(acc, S.Load(ref r6, ox));
                acc = S.Max(acc, S.Load(ref r7, ox));
                acc = S.Max(acc, S.Load(ref r8, ox));
            }
            else
            {
                acc = S.Add(init, S.Load(ref r0, ox));
                acc = S.Add(acc, S.Load(ref r1, ox));
                acc = S.Add(acc, S.Load(ref r2, ox));
                acc = S.Add(acc, S.Load(ref r3, ox));
                acc = S.Add(acc, S.Load(ref r4, ox));
                acc = S.Add(acc, S.Load(ref r5, ox));
                acc = S.Add(acc, S.Load(ref r6, ox));
                acc = S.Add(acc, S.Load(ref r7, ox));
                acc = S.Add(acc, S.Load(ref r8, ox));
                acc = S.Div(acc, S.Mul(cyV, S.Load(ref pcx[0], ox)));
            }

            S.Store(acc, ref y0, ox);
            ox += c;
        }
    }

    /// <summary>Naive reference of <see cref="Pool2D"/>'s contract.</summary>
    public static void Pool2DReference(PoolKind kind, Conv2DParams p, ReadOnlySpan<float> x, Span<float> y, bool countIncludePad = false)
    {
        int oh = p.ConvOutH, ow = p.ConvOutW;
        for (int plane = 0; plane < p.N * p.C; plane++)
        {
            for (int oy = 0; oy < oh; oy++)
            {
                for (int ox = 0; ox < ow; ox++)
                {
                    float acc = kind == PoolKind.Max ? float.NegativeInfinity : 0f;
                    int cyv = 0, cxv = 0;
                    for (int ky = 0; ky < p.KH; ky++)
                    {
                        int iy = (oy * p.StrideH) - p.PadTop + (ky * p.DilationH);
                        bool inY = (uint)iy < (uint)p.H;
                        if (countIncludePad ? iy >= -p.PadTop && iy < p.H + p.PadBottom : inY)
                        {
                            cyv++;
                        }

                        for (int kx = 0; kx < p.KW; kx++)
                        {
                            int ix = (ox * p.StrideW) - p.PadLeft + (kx * p.DilationW);
                            bool inX = (uint)ix < (uint)p.W;
                            float v = inY && inX ? x[(plane * p.H * p.W) + (iy * p.W) + ix] : (kind == PoolKind.Max ? float.NegativeInfinity : 0f);
                            acc = kind == PoolKind.Max ? MathF.Max(acc, v) : acc + v;
                        }
                    }

                    for (int kx = 0; kx < p.KW; kx++)
                    {
                        int ix = (ox * p.StrideW) - p.PadLeft + (kx * p.DilationW);
                        if (countIncludePad ? ix >= -p.PadLeft && ix < p.W + p.PadRight : (uint)ix < (uint)p.W)
                        {
                            cxv++;
                        }
                    }

                    if (kind == PoolKind.Average)
                    {
                        acc /= (float)cyv * cxv;
                    }

                    y[(plane * oh * ow) + (oy * ow) + ox] = acc;
                }
            }
        }
    }

    /// <summary>
    /// Global pooling: y[plane] = mean (fixed 16-partial sum / count) or max of each of <paramref name="planes"/>
    /// contiguous planes of <paramref name="planeSize"/> elements.
    /// </summary>
    public static void GlobalPool(IsaLevel isa, PoolKind kind, ReadOnlySpan<float> x, Span<float> y, int planes, int planeSize, int threads = 1)
    {
        if (planes < 0 || planeSize <= 0 || x.Length < (long)planes * planeSize || y.Length < planes)
        {
            throw new ArgumentException("global pool spans too small");
        }

        Reduction.Reduce(isa, kind == PoolKind.Max ? ReduceOp.Max : ReduceOp.Mean, x, y, planes, planeSize, 1, threads);
    }

    /// <summary>
    /// General N-d (1-D/2-D/3-D...) scalar pooling over the trailing spatial dims of x[N, C, d0, d1, ...]:
    /// same contract as <see cref="Pool2D"/> generalised per dimension (max, or average with (countIncludePad) divisor).
    /// </summary>
    public static void PoolNdReference(PoolKind kind, ReadOnlySpan<float> x, ReadOnlySpan<int> inShape, Span<float> y, ReadOnlySpan<int> outShape,
        ReadOnlySpan<int> kernel, ReadOnlySpan<int> strides, ReadOnlySpan<int> padsBegin, ReadOnlySpan<int> padsEnd, ReadOnlySpan<int> dilations, bool countIncludePad = false)
    {
        int nd = kernel.Length;
        if (inShape.Length != nd + 2 || outShape.Length != nd + 2)
        {
            throw new ArgumentException("rank mismatch");
        }

        int planes = inShape[0] * inShape[1];
        long inPlane = 1, outPlane = 1, taps = 1;
        for (int d = 0; d < nd; d++)
        {
            inPlane *= inShape[d + 2];
            outPlane *= outShape[d + 2];
            taps *= kernel[d];
        }

        Span<int> o = stackalloc int[nd];
        Span<int> k = stackalloc int[nd];
        for (int plane = 0; plane < planes; plane++)
        {
            for (long oi = 0; oi < outPlane; oi++)
            {
                long rem = oi;
                for (int d = nd - 1; d >= 0; d--)
                {
                    o[d] = (int)(rem % outShape[d + 2]);
                    rem /= outShape[d + 2];
                }

                float acc = kind == PoolKind.Max ? float.NegativeInfinity : 0f;
                float count = 1f;
                for (int d = 0; d < nd; d++)
                {
                    int cnt = 0;
                    for (int t = 0; t < kernel[d]; t++)
                    {
                        int i = (o[d] * strides[d]) - padsBegin[d] + (t * dilations[d]);
                        if (countIncludePad ? i >= -padsBegin[d] && i < inShape[d + 2] + padsEnd[d] : i >= 0 && i < inShape[d + 2])
                        {
                            cnt++;
                        }
                    }

                    count *= cnt;
                }

                for (long ti = 0; ti < taps; ti++)
                {
                    long r2 = ti;
                    for (int d = nd - 1; d >= 0; d--)
                    {
                        k[d] = (int)(r2 % kernel[d]);
                        r2 /= kernel[d];
                    }

                    long idx = 0;
                    bool inside = true;
                    for (int d = 0; d < nd; d++)
                    {
                        int i = (o[d] * strides[d]) - padsBegin[d] + (k[d] * dilations[d]);
                        if ((uint)i >= (uint)inShape[d + 2])
                        {
                            inside = false;
                            break;
                        }

                        idx = (idx * inShape[d + 2]) + i;
                    }

                    float v = inside ? x[(int)((plane * inPlane) + idx)] : (kind == PoolKind.Max ? float.NegativeInfinity : 0f);
                    acc = kind == PoolKind.Max ? MathF.Max(acc, v) : acc + v;
                }

                if (kind == PoolKind.Average)
                {
                    acc /= count;
                }

                y[(int)((plane * outPlane) + oi)] = acc;
            }
        }
    }
}

/// <summary>Pooling planes [s, e) at one ISA level (the body of the 2-D pooling kernel).</summary>
internal unsafe struct PoolPlaneRange : IRangeBody
{
    public IsaLevel Level;
    public PoolKind Kind;
    public Conv2DParams Params;
    public bool IncludePad;
    public float* X, Y;

    public readonly void Run(int s, int e)
    {
        switch (Level)
        {
            case IsaLevel.V512: Pooling.PoolPlanes<Vector512<float>, S512>(Kind, Params, IncludePad, X, Y, s, e); break;
            case IsaLevel.V256: Pooling.PoolPlanes<Vector256<float>, S256>(Kind, Params, IncludePad, X, Y, s, e); break;
            case IsaLevel.V128: Pooling.PoolPlanes<Vector128<float>, S128>(Kind, Params, IncludePad, X, Y, s, e); break;
            default: Pooling.PoolPlanes<float, S1>(Kind, Params, IncludePad, X, Y, s, e); break;
        }
    }
}
