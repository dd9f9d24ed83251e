using System.Runtime.Intrinsics;

namespace ModelBuild.Runtime.Kernels;

/// <summary>
/// Direct convolution for few output or input channels (one group, stride 1, a window larger than 1×1), e.g. the
/// RGB output and input layers of a style-transfer net (32→3 and 3→32, 9×9). im2col would copy K = C·KH·KW values
/// per output position to feed only OC rows of FMAs (or a short K), so the copy costs as much as the arithmetic.
/// Here each output row is computed from a zero-padded copy of the input, four output channels at a time with
/// their accumulators for a strip of up to four vectors in registers. Every output is
/// still acc = 0 (+ bias), then fma over (ci, ky, kx) ascending with padded taps as real zeros, then the clamp —
/// the contract of <see cref="Convolution.Conv2D"/>, so the bits match every other path, level and thread count.
/// </summary>
internal static class DirectConv
{
    /// <summary>Output channels per register block; more channels run block after block over the same padded input.</summary>
    public const int OcBlock = 4;

    /// <summary>Few output channels (the output layer), or few input channels (an RGB input layer, K ≤ 4·KH·KW).</summary>
    public static bool Applies(Conv2DParams p) =>
        p.Group == 1 && (p.OC <= OcBlock || p.C <= 4) && p.StrideH == 1 && p.StrideW == 1 && p.KH * p.KW > 1;

    [ThreadStatic]
    private static float[]? t_padded;

    public static unsafe void Run(IsaLevel isa, Conv2DParams p, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y, int threads)
    {
        int oh = p.ConvOutH, ow = p.ConvOutW;

        // Padded planes cover every tap of every output: row oy + ky·dh, column ox + kx·dw.
        int hp = oh + ((p.KH - 1) * p.DilationH), wp = ow + ((p.KW - 1) * p.DilationW);
        int planes = p.N * p.C;
        long padded = (long)planes * hp * wp;
        if (padded > Array.MaxLength)
        {
            throw new ArgumentException("direct convolution input too large");
        }

        float[] buf = t_padded is { } a && a.Length >= padded ? a : (t_padded = new float[padded]);
        IsaLevel level = Convolution.NarrowForRow(KernelIsa.Clamp(isa), ow);
        int tPad = KernelParallel.Effective(threads, padded, 1 << 16);
        int tRun = KernelParallel.Effective(threads, (long)p.N * p.OC * oh * ow * p.C * p.KH * p.KW, 1 << 18);
        fixed (float* px0 = x, pw0 = w, pb0 = bias, py0 = y, pp0 = buf)
        {
            float* px = px0, pw = pw0, pb = bias.IsEmpty ? null : pb0, py = py0, pp = pp0;
            KernelParallel.For(planes, tPad, (s, e) => Pad(p, px, pp, hp, wp, s, e));
            KernelParallel.For(p.N * oh, tRun, (s, e) =>
            {
                for (int row = s; row < e; row++)
                {
                    switch (level)
                    {
                        case IsaLevel.V512: Row<Vector512<float>, S512>(p, pp, hp, wp, pw, pb, py, row, oh, ow); break;
                        case IsaLevel.V256: Row<Vector256<float>, S256>(p, pp, hp, wp, pw, pb, py, row, oh, ow); break;
                        case IsaLevel.V128: Row<Vector128<float>, S128>(p, pp, hp, wp, pw, pb, py, row, oh, ow); break;
                        default: Row<float, S1>(p, pp, hp, wp, pw, pb, py, row, oh, ow); break;
                    }
                }
            });
        }
    }

    private static unsafe void Pad(Conv2DParams p, float* x, float* dst, int hp, int wp, int s, int e)
    {
        for (int plane = s; plane < e; plane++)
        {
            float* src = x + ((long)plane * p.H * p.W);
            float* d = dst + ((long)plane * hp * wp);
            int lo = Math.Min(p.PadLeft, wp), n = Math.Clamp(wp - p.PadLeft, 0, p.W);
            for (int py = 0; py < hp; py++)
            {
                var drow = new Span<float>(d + ((long)py * wp), wp);
                int iy = py - p.PadTop;
                if ((uint)iy >= (uint)p.H || n <= 0)
                {
                    drow.Clear();
                    continue;
                }

                drow[..lo].Clear();
                new ReadOnlySpan<float>(src + ((long)iy * p.W), n).CopyTo(drow.Slice(p.PadLeft, n));
                drow[(p.PadLeft + n)..].Clear();
            }
        }
    }

    /// <summary>
    /// One output row (all OC) of image n = row / oh: four-vector strips where the level has the registers for 16
    /// accumulators (V512), then two-vector and one-vector strips, then single outputs.
    /// </summary>
    private static unsafe void Row<TV, S>(Conv2DParams p, float* padded, int hp, int wp, float* w, float* bias, float* y, int row, int oh, int ow)
        where TV : struct
        where S : struct, ISimd<TV>
    {
        int n = row / oh, oy = row - (n * oh);
        float* xin = padded + ((long)n * p.C * hp * wp) + ((long)oy * wp);
        float* yout = y + ((long)n * p.OC * oh * ow) + ((long)oy * ow);
        int vw = S.Count, oplane = oh * ow;
        long k = (long)p.C * p.KH * p.KW;
        for (int oc0 = 0; oc0 < p.OC; oc0 += OcBlock)
        {
            int oc = Math.Min(OcBlock, p.OC - oc0);
            float* wb = w + (oc0 * k), bb = bias == null ? null : bias + oc0, yb = yout + ((long)oc0 * oplane);
            int ox = 0;
            if (vw == 16)
            {
                for (; ox + (4 * vw) <= ow; ox += 4 * vw)
                {
                    Strip<TV, S, Four>(p, oc, xin + ox, hp, wp, wb, bb, yb + ox, oplane);
                }
            }

            for (; ox + (2 * vw) <= ow; ox += 2 * vw)
            {
                Strip<TV, S, Two>(p, oc, xin + ox, hp, wp, wb, bb, yb + ox, oplane);
            }

            for (; ox + vw <= ow; ox += vw)
            {
                Strip<TV, S, One>(p, oc, xin + ox, hp, wp, wb, bb, yb + ox, oplane);
            }

            for (; ox < ow; ox++)
            {
                Strip<float, S1, One>(p, oc, xin + ox, hp, wp, wb, bb, yb + ox, oplane);
            }
        }
    }

    private interface IWidth
    {
        static abstract int Vectors { get; }
    }

    private struct One : IWidth
    {
        public static int Vectors => 1;
    }

    private struct Two : IWidth
    {
        public static int Vectors => 2;
    }

    private struct Four : IWidth
    {
        public static int Vectors => 4;
    }

    /// <summary>
    /// R.Vectors vectors of outputs at x for <paramref name="oc"/> (≤ 4) output channels (R is a type so that each
    /// width gets its own register allocation). Accumulators of absent channels are never stored.
    /// </summary>
    private static unsafe void Strip<TV, S, R>(Conv2DParams p, int oc, float* x, int hp, int wp, float* w, float* bias, float* y, int oplane)
        where TV : struct
        where S : struct, ISimd<TV>
        where R : struct, IWidth
    {
        nint vw = S.Count;
        int kh = p.KH, kw = p.KW, dh = p.DilationH, dw = p.DilationW;
        long k = (long)p.C * kh * kw;
        TV z = S.Splat(0f);
        TV b0 = z, b1 = z, b2 = z, b3 = z;
        if (bias != null)
        {
            // 0 + bias, as the GEMM's init (keeps a −0 bias identical to every other path)
            b0 = S.Add(z, S.Splat(bias[0]));
            b1 = oc > 1 ? S.Add(z, S.Splat(bias[1])) : z;
            b2 = oc > 2 ? S.Add(z, S.Splat(bias[2])) : z;
            b3 = oc > 3 ? S.Add(z, S.Splat(bias[3])) : z;
        }

        TV a00 = b0, a01 = b0, a02 = b0, a03 = b0;
        TV a10 = b1, a11 = b1, a12 = b1, a13 = b1;
        TV a20 = b2, a21 = b2, a22 = b2, a23 = b2;
        TV a30 = b3, a31 = b3, a32 = b3, a33 = b3;
        float* w1 = oc > 1 ? w + k : w, w2 = oc > 2 ? w + (2 * k) : w, w3 = oc > 3 ? w + (3 * k) : w;
        long plane = (long)hp * wp;
        int tap = 0;
        for (int ci = 0; ci < p.C; ci++)
        {
            for (int ky = 0; ky < kh; ky++)
            {
                float* xr = x + (ci * plane) + ((long)ky * dh * wp);
                for (int kx = 0; kx < kw; kx++, tap++)
                {
                    ref float xv = ref xr[kx * dw];
                    TV v0 = S.Load(ref xv, 0);
                    TV v1 = R.Vectors >= 2 ? S.Load(ref xv, vw) : z;
                    TV v2 = R.Vectors == 4 ? S.Load(ref xv, 2 * vw) : z;
                    TV v3 = R.Vectors == 4 ? S.Load(ref xv, 3 * vw) : z;
                    TV c = S.Splat(w[tap]);
                    a00 = S.Fma(c, v0, a00);
                    if (R.Vectors >= 2) { a01 = S.Fma(c, v1, a01); }
                    if (R.Vectors == 4) { a02 = S.Fma(c, v2, a02); a03 = S.Fma(c, v3, a03); }
                    if (oc > 1)
                    {
                        c = S.Splat(w1[tap]);
                        a10 = S.Fma(c, v0, a10);
                        if (R.Vectors >= 2) { a11 = S.Fma(c, v1, a11); }
                        if (R.Vectors == 4) { a12 = S.Fma(c, v2, a12); a13 = S.Fma(c, v3, a13); }
                    }

                    if (oc > 2)
                    {
                        c = S.Splat(w2[tap]);
                        a20 = S.Fma(c, v0, a20);
                        if (R.Vectors >= 2) { a21 = S.Fma(c, v1, a21); }
                        if (R.Vectors == 4) { a22 = S.Fma(c, v2, a22); a23 = S.Fma(c, v3, a23); }
                    }

                    if (oc > 3)
                    {
                        c = S.Splat(w3[tap]);
                        a30 = S.Fma(c, v0, a30);
                        if (R.Vectors >= 2) { a31 = S.Fma(c, v1, a31); }
                        if (R.Vectors == 4) { a32 = S.Fma(c, v2, a32); a33 = S.Fma(c, v3, a33); }
                    }
                }
            }
        }

        bool act = p.Activation.Kind != ActivationKind.None;
        TV lo = S.Splat(p.Activation.Lo), hi = S.Splat(p.Activation.Hi);
        Store<TV, S, R>(a00, a01, a02, a03, act, lo, hi, y);
        if (oc > 1)
        {
            Store<TV, S, R>(a10, a11, a12, a13, act, lo, hi, y + oplane);
        }

        if (oc > 2)
        {
            Store<TV, S, R>(a20, a21, a22, a23, act, lo, hi, y + (2L * oplane));
        }

        if (oc > 3)
        {
            Store<TV, S, R>(a30, a31, a32, a33, act, lo, hi, y + (3L * oplane));
        }
    }

    private static unsafe void Store<TV, S, R>(TV v0, TV v1, TV v2, TV v3, bool act, TV lo, TV hi, float* y)
        where TV : struct
        where S : struct, ISimd<TV>
        where R : struct, IWidth
    {
        nint vw = S.Count;
        ref float y0 = ref y[0];
        S.Store(act ? S.Min(S.Max(v0, lo), hi) : v0, ref y0, 0);
        if (R.Vectors >= 2)
        {
            S.Store(act ? S.Min(S.Max(v1, lo), hi) : v1, ref y0, vw);
        }

        if (R.Vectors == 4)
        {
            S.Store(act ? S.Min(S.Max(v2, lo), hi) : v2, ref y0, 2 * vw);
            S.Store(act ? S.Min(S.Max(v3, lo), hi) : v3, ref y0, 3 * vw);
        }
    }
}
