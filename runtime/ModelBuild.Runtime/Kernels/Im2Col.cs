using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ModelBuild.Runtime.Kernels;

/// <summary>
/// im2col for the convolution GEMM, written straight into GEMM B panels (<see cref="PackedB"/> layout): for output
/// positions p0..p0+pt of one group, dst[(q·K + k)·nr + j] = x_padded[ci, iy, ix] of column q·nr + j and reduction
/// index k = (ci·KH + ky)·KW + kx. Pure data movement (exact copies and zeros), so any copy width gives the same bits.
/// The tile's output-row pieces are computed once and reused for every k; stride-1 rows are copied with short
/// vector moves instead of a call per piece (this gather was about half the time of a 3x3 convolution).
/// </summary>
internal static class Im2Col
{
    /// <summary>Fills the panels for output positions p0..p0+pt (nr a power of two; dst holds ceil(pt/nr)·K·nr floats).</summary>
    public static unsafe void Packed(Conv2DParams p, int cg, int ow, ReadOnlySpan<float> x, int p0, int pt, int nr, float[] dstArr)
    {
        int k = cg * p.KH * p.KW;
        int panels = (pt + nr - 1) / nr;
        int H = p.H, W = p.W, sw = p.StrideW;
        long panelStride = (long)k * nr;
        int shift = System.Numerics.BitOperations.Log2((uint)nr);

        // row pieces of the tile: tile column j0, output row oy, first output column ox0, length
        int rows = ((p0 + pt - 1) / ow) - (p0 / ow) + 1;
        Span<int> piece = rows <= 256 ? stackalloc int[rows * 4] : new int[rows * 4];
        {
            int j = 0, oy = p0 / ow, ox = p0 % ow, r = 0;
            while (j < pt)
            {
                int run = Math.Min(ow - ox, pt - j);
                piece[r * 4] = j;
                piece[(r * 4) + 1] = oy;
                piece[(r * 4) + 2] = ox;
                piece[(r * 4) + 3] = run;
                r++;
                j += run;
                ox = 0;
                oy++;
            }
        }

        fixed (float* xs = x, dst = dstArr)
        fixed (int* pc = piece)
        {
            int tailCols = (panels * nr) - pt;
            if (tailCols > 0)
            {
                float* last = dst + ((long)(panels - 1) * panelStride);
                for (int kk = 0; kk < k; kk++)
                {
                    new Span<float>(last + ((long)kk * nr) + (nr - tailCols), tailCols).Clear();
                }
            }

            for (int kk = 0; kk < k; kk++)
            {
                int kx = kk % p.KW, ky = (kk / p.KW) % p.KH, ci = kk / (p.KW * p.KH);
                float* xc = xs + ((long)ci * H * W);
                float* dk = dst + ((long)kk * nr);
                int dyOff = (ky * p.DilationH) - p.PadTop, dxOff = (kx * p.DilationW) - p.PadLeft;
                for (int r = 0; r < rows; r++)
                {
                    int j = pc[r * 4], oy = pc[(r * 4) + 1], ox = pc[(r * 4) + 2], run = pc[(r * 4) + 3];
                    int iy = (oy * p.StrideH) + dyOff;
                    int ix0 = (ox * sw) + dxOff;
                    if ((uint)iy >= (uint)H)
                    {
                        Put(dk, panelStride, nr, shift, j, null, run);
                    }
                    else if (sw == 1)
                    {
                        // [j, j+run) ← x row [ix0, ix0+run): zeros left of 0 and right of W
                        int left = Math.Clamp(-ix0, 0, run);
                        int right = Math.Clamp(ix0 + run - W, 0, run - left);
                        int mid = run - left - right;
                        if (left > 0)
                        {
                            Put(dk, panelStride, nr, shift, j, null, left);
                        }

                        Put(dk, panelStride, nr, shift, j + left, xc + ((long)iy * W) + ix0 + left, mid);
                        if (right > 0)
                        {
                            Put(dk, panelStride, nr, shift, j + left + mid, null, right);
                        }
                    }
                    else
                    {
                        // t with ix0 + t·sw inside [0, W): [tLo, tHi)
                        int tLo = Math.Min(run, Math.Max(0, (-ix0 + sw - 1) / sw));
                        int tHi = Math.Max(tLo, Math.Min(run, (W - ix0 + sw - 1) / sw));
                        if (tLo > 0)
                        {
                            Put(dk, panelStride, nr, shift, j, null, tLo);
                        }

                        PutStrided(dk, panelStride, nr, shift, j + tLo, xc + ((long)iy * W) + ix0 + (tLo * sw), sw, tHi - tLo);
                        if (run > tHi)
                        {
                            Put(dk, panelStride, nr, shift, j + tHi, null, run - tHi);
                        }
                    }
                }
            }
        }
    }

    /// <summary>Writes len values src[0], src[sw], ... at panel-layout columns j.. of one k row.</summary>
    private static unsafe void PutStrided(float* dk, long panelStride, int nr, int shift, int j, float* src, int sw, int len)
    {
        while (len > 0)
        {
            int off = j & (nr - 1);
            int n = Math.Min(len, nr - off);
            float* d = dk + ((j >> shift) * panelStride) + off;
            int i = 0;
            for (; i + 4 <= n; i += 4, src += 4 * sw)
            {
                d[i] = src[0];
                d[i + 1] = src[sw];
                d[i + 2] = src[2 * sw];
                d[i + 3] = src[3 * sw];
            }

            for (; i < n; i++, src += sw)
            {
                d[i] = src[0];
            }

            j += n;
            len -= n;
        }
    }

    /// <summary>Writes len values (src, or zeros when null) at panel-layout columns j.. of one k row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Put(float* dk, long panelStride, int nr, int shift, int j, float* src, int len)
    {
        while (len > 0)
        {
            int off = j & (nr - 1);
            int n = Math.Min(len, nr - off);
            float* d = dk + ((j >> shift) * panelStride) + off;
            if (src == null)
            {
                Zero(d, n);
            }
            else
            {
                Copy(src, d, n);
                src += n;
            }

            j += n;
            len -= n;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Copy(float* src, float* dst, int n)
    {
        if (n >= 8)
        {
            int i = 0;
            for (; i <= n - 8; i += 8)
            {
                Vector256.Store(Vector256.Load(src + i), dst + i);
            }

            if (i < n)
            {
                Vector256.Store(Vector256.Load(src + n - 8), dst + n - 8); // overlapping last move: same values
            }
        }
        else
        {
            for (int i = 0; i < n; i++)
            {
                dst[i] = src[i];
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Zero(float* dst, int n)
    {
        if (n >= 8)
        {
            int i = 0;
            for (; i <= n - 8; i += 8)
            {
                Vector256.Store(Vector256<float>.Zero, dst + i);
            }

            if (i < n)
            {
                Vector256.Store(Vector256<float>.Zero, dst + n - 8);
            }
        }
        else
        {
            for (int i = 0; i < n; i++)
            {
                dst[i] = 0f;
            }
        }
    }
}
