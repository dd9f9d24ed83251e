using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ModelBuild.Runtime.Kernels;

/// <summary>
/// Direct convolution for few output or input channels (one group, column stride 1 or 2, a window larger than 1×1), e.g. the
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

    /// <summary>
    /// Few output channels (the output layer), or few input channels (an RGB input layer, K ≤ 4·KH·KW); column
    /// stride 1 or 2 (stride 2 reads column phases, see <see cref="Pad"/>), any row stride.
    /// </summary>
    public static bool Applies(Conv2DParams p) =>
        p.Group == 1 && (p.OC <= OcBlock || p.C <= 4) && p.StrideW is 1 or 2 && p.KH * p.KW > 1;

    [ThreadStatic]
    private static float[]? t_padded;

    /// <summary>
    /// Padded input of one image plane: <c>Sw</c> column phases of Hp rows × Wq columns each, phase ph holding padded
    /// columns j·sw + ph, so output ox's tap kx is element ox + TapOffset[kx] of a row (contiguous across ox).
    /// </summary>
    private sealed class Layout
    {
        public int Hp, Wq, Sw;
        public long Phase, Plane;
        public int[] TapOffset = [];

        // the fused clamp, read once (FusedActivation.Lo/Hi are switches the JIT does not inline: a call after the
        // FMA loop would force the accumulators onto the stack)
        public bool Act;
        public float Lo, Hi;
    }

    public static unsafe void Run(IsaLevel isa, Conv2DParams p, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y, int threads)
    {
        int oh = p.ConvOutH, ow = p.ConvOutW, sw = p.StrideW;

        // Padded planes cover every tap of every output: row oy·sh + ky·dh, column ox·sw + kx·dw.
        int hp = ((oh - 1) * p.StrideH) + ((p.KH - 1) * p.DilationH) + 1;
        int wp = ((ow - 1) * sw) + ((p.KW - 1) * p.DilationW) + 1;
        var l = new Layout { Hp = hp, Wq = (wp + sw - 1) / sw, Sw = sw, TapOffset = new int[p.KW] };
        l.Act = p.Activation.Kind != ActivationKind.None;
        l.Lo = p.Activation.Lo;
        l.Hi = p.Activation.Hi;
        l.Phase = (long)hp * l.Wq;
        l.Plane = l.Phase * sw;
        for (int kx = 0; kx < p.KW; kx++)
        {
            int c = kx * p.DilationW;
            l.TapOffset[kx] = (int)(((c % sw) * l.Phase) + (c / sw));
        }

        int planes = p.N * p.C;
        long padded = planes * l.Plane;
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
            KernelParallel.For(planes, tPad, (s, e) => Pad(p, l, px, pp, s, e));
            KernelParallel.For(p.N * oh, tRun, (s, e) =>
            {
                for (int row = s; row < e; row++)
                {
                    switch (level)
                    {
                        case IsaLevel.V512: Row<Vector512<float>, S512>(p, l, pp, pw, pb, py, row, oh, ow); break;
                        case IsaLevel.V256: Row<Vector256<float>, S256>(p, l, pp, pw, pb, py, row, oh, ow); break;
                        case IsaLevel.V128: Row<Vector128<float>, S128>(p, l, pp, pw, pb, py, row, oh, ow); break;
                        default: Row<float, S1>(p, l, pp, pw, pb, py, row, oh, ow); break;
                    }
                }
            });
        }
    }

    /// <summary>Writes phase[ph][py, j] = input[py − padTop, j·sw + ph − padLeft], 0 outside the input.</summary>
    private static unsafe void Pad(Conv2DParams p, Layout l, float* x, float* dst, int s, int e)
    {
        int sw = l.Sw, wq = l.Wq;
        for (int plane = s; plane < e; plane++)
        {
            float* src = x + ((long)plane * p.H * p.W);
            for (int ph = 0; ph < sw; ph++)
            {
                float* d = dst + (plane * l.Plane) + (ph * l.Phase);

                // columns j whose source ix = j·sw + ph − padLeft lies in [0, W)
                int jLo = Math.Min(wq, Math.Max(0, (p.PadLeft - ph + sw - 1) / sw));
                int jHi = Math.Max(jLo, Math.Min(wq, (p.W + p.PadLeft - ph + sw - 1) / sw));
                for (int py = 0; py < l.Hp; py++)
                {
                    var drow = new Span<float>(d + ((long)py * wq), wq);
                    int iy = py - p.PadTop;
                    if ((uint)iy >= (uint)p.H || jHi == jLo)
                    {
                        drow.Clear();
                        continue;
                    }

                    drow[..jLo].Clear();
                    float* srow = src + ((long)iy * p.W) + ((jLo * sw) + ph - p.PadLeft);
                    if (sw == 1)
                    {
                        new ReadOnlySpan<float>(srow, jHi - jLo).CopyTo(drow[jLo..jHi]);
                    }
                    else
                    {
                        for (int j = jLo; j < jHi; j++, srow += sw)
                        {
                            drow[j] = *srow;
                        }
                    }

                    drow[jHi..].Clear();
                }
            }
        }
    }

    /// <summary>
    /// One output row (all OC) of image n = row / oh, <see cref="OcBlock"/> channels at a time (the last block
    /// may hold fewer; its channel count is a type, see <see cref="Strips"/>).
    /// </summary>
    private static unsafe void Row<TV, S>(Conv2DParams p, Layout l, float* padded, float* w, float* bias, float* y, int row, int oh, int ow)
        where TV : struct
        where S : struct, ISimd<TV>
    {
        int n = row / oh, oy = row - (n * oh);
        float* xin = padded + (n * p.C * l.Plane) + ((long)oy * p.StrideH * l.Wq);
        float* yout = y + ((long)n * p.OC * oh * ow) + ((long)oy * ow);
        int oplane = oh * ow;
        long k = (long)p.C * p.KH * p.KW;
        fixed (int* taps = l.TapOffset)
        {
            for (int oc0 = 0; oc0 < p.OC; oc0 += OcBlock)
            {
                float* wb = w + (oc0 * k), bb = bias == null ? null : bias + oc0, yb = yout + ((long)oc0 * oplane);
                switch (Math.Min(OcBlock, p.OC - oc0))
                {
                    case 4: Strips<TV, S, C4>(p, l, taps, xin, wb, bb, yb, ow, oplane); break;
                    case 3: Strips<TV, S, C3>(p, l, taps, xin, wb, bb, yb, ow, oplane); break;
                    case 2: Strips<TV, S, C2>(p, l, taps, xin, wb, bb, yb, ow, oplane); break;
                    default: Strips<TV, S, C1>(p, l, taps, xin, wb, bb, yb, ow, oplane); break;
                }
            }
        }
    }

    /// <summary>
    /// One row of <typeparamref name="O"/> output channels: four-vector strips where the level has the registers for
    /// 16 accumulators (V512), then two-vector and one-vector strips, then one vector overlapping the last.
    /// </summary>
    private static unsafe void Strips<TV, S, O>(Conv2DParams p, Layout l, int* taps, float* xin, float* wb, float* bb, float* yb, int ow, int oplane)
        where TV : struct
        where S : struct, ISimd<TV>
        where O : struct, IChannels
    {
        int vw = S.Count, ox = 0;
        if (vw == 16)
        {
            for (; ox + (4 * vw) <= ow; ox += 4 * vw)
            {
                Strip<TV, S, Four, O>(p, l, taps, xin + ox, wb, bb, yb + ox, oplane);
            }
        }

        for (; ox + (2 * vw) <= ow; ox += 2 * vw)
        {
            Strip<TV, S, Two, O>(p, l, taps, xin + ox, wb, bb, yb + ox, oplane);
        }

        for (; ox + vw <= ow; ox += vw)
        {
            Strip<TV, S, One, O>(p, l, taps, xin + ox, wb, bb, yb + ox, oplane);
        }

        if (ox < ow)
        {
            // Last vector ends at the row's end (ow ≥ vw, see NarrowForRow): the overlapped outputs are
            // recomputed by the same chain, so they get the same values.
            Strip<TV, S, One, O>(p, l, taps, xin + ow - vw, wb, bb, yb + ow - vw, oplane);
        }
    }

    /// <summary>Output channels of a register block, as a type: the JIT then drops the absent channels' code, and no
    /// branch inside the FMA loop leaves the register allocator guessing (without PGO it spilled every accumulator
    /// around such branches: 8× slower).</summary>
    private interface IChannels
    {
        static abstract int Count { get; }
    }

    private struct C1 : IChannels
    {
        public static int Count => 1;
    }

    private struct C2 : IChannels
    {
        public static int Count => 2;
    }

    private struct C3 : IChannels
    {
        public static int Count => 3;
    }

    private struct C4 : IChannels
    {
        public static int Count => 4;
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
    /// R.Vectors vectors of outputs at x for O.Count (≤ 4) output channels (R and O are types so that each shape
    /// gets its own register allocation). Accumulators of absent channels are never stored.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Strip<TV, S, R, O>(Conv2DParams p, Layout l, int* taps, float* x, float* w, float* bias, float* y, int oplane)
        where TV : struct
        where S : struct, ISimd<TV>
        where R : struct, IWidth
        where O : struct, IChannels
    {
        int oc = O.Count;
        nint vw = S.Count;
        int kh = p.KH, kw = p.KW, dh = p.DilationH;
        long plane = l.Plane, rowStep = (long)dh * l.Wq;
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
        int tap = 0;
        for (int ci = 0; ci < p.C; ci++)
        {
            for (int ky = 0; ky < kh; ky++)
            {
                float* xr = x + (ci * plane) + (ky * rowStep);
                for (int kx = 0; kx < kw; kx++, tap++)
                {
                    ref float xv = ref xr[taps[kx]];
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

        bool act = l.Act;
        TV lo = S.Splat(l.Lo), hi = S.Splat(l.Hi);
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

    // Inlined: a call would kill every vector register (none is callee-saved), so the accumulators, live across
    // it, would be spilled to the stack at each FMA of the loop above (measured: 6-8x slower without PGO).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
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
