using System.Runtime.Intrinsics;

namespace ModelBuild.Runtime.Kernels;

/// <summary>
/// Nearest-neighbour resize with precomputed source indices: y[p, oy, ox] = x[p, rows[oy], cols[ox]]. Only copies,
/// so every ISA level and thread count gives the same bits. Output rows that repeat the previous row's source are
/// copied from it; a 2× column pattern (cols[i] = i/2, the usual Upsample) duplicates with vector shuffles.
/// </summary>
internal static class NearestResize
{
    /// <summary>Resizes <paramref name="planes"/> planes of h×w into rows.Length × cols.Length.</summary>
    public static void Run(IsaLevel isa, ReadOnlySpan<float> x, int planes, int h, int w, int[] rows, int[] cols, Span<float> y, int threads = 1)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(cols);
        int oh = rows.Length, ow = cols.Length;
        if (planes < 0 || h <= 0 || w <= 0 || x.Length < (long)planes * h * w || y.Length < (long)planes * oh * ow
            || !AllBelow(rows, h) || !AllBelow(cols, w))
        {
            throw new ArgumentException("nearest resize arguments invalid");
        }

        isa = KernelIsa.Clamp(isa);
        bool doubled = IsDoubling(cols, w);
        int items = planes * oh;
        int t = KernelParallel.Effective(threads, (long)items * ow, 1 << 15);
        unsafe
        {
            fixed (float* px = x, py = y)
            {
                KernelParallel.For(items, t, new NearestRows { Isa = isa, X = px, Y = py, H = h, W = w, Rows = rows, Cols = cols, Doubled = doubled });
            }
        }
    }

    /// <summary>Output rows [i0, i1) of all planes (the parallel body of <see cref="Run"/>).</summary>
    private unsafe struct NearestRows : IRangeBody
    {
        public IsaLevel Isa;
        public float* X, Y;
        public int H, W;
        public int[] Rows, Cols;
        public bool Doubled;

        public readonly void Run(int i0, int i1)
        {
            int oh = Rows.Length, ow = Cols.Length;
            for (int i = i0; i < i1; i++)
            {
                int p = i / oh, oy = i - (p * oh);
                float* dst = Y + ((long)i * ow);
                if (oy > 0 && i > i0 && Rows[oy] == Rows[oy - 1])
                {
                    new ReadOnlySpan<float>(dst - ow, ow).CopyTo(new Span<float>(dst, ow));
                    continue;
                }

                float* src = X + ((((long)p * H) + Rows[oy]) * W);
                if (Doubled)
                {
                    DoubleRow(Isa, src, W, dst);
                }
                else
                {
                    for (int ox = 0; ox < ow; ox++)
                    {
                        dst[ox] = src[Cols[ox]];
                    }
                }
            }
        }
    }

    /// <summary>True when every index is in [0, n) (a loop: a lambda here cost an allocation per call).</summary>
    private static bool AllBelow(int[] indices, int n)
    {
        foreach (int i in indices)
        {
            if ((uint)i >= (uint)n)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when cols is 0,0,1,1,…,w−1,w−1.</summary>
    private static bool IsDoubling(int[] cols, int w)
    {
        if (cols.Length != 2 * w)
        {
            return false;
        }

        for (int i = 0; i < cols.Length; i++)
        {
            if (cols[i] != i >> 1)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>dst[2i] = dst[2i+1] = src[i] for i &lt; w.</summary>
    private static unsafe void DoubleRow(IsaLevel isa, float* src, int w, float* dst)
    {
        int i = 0;
        if (isa == IsaLevel.V512)
        {
            var idx = Vector512.Create(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
            for (; i + 8 <= w; i += 8)
            {
                var v = Vector256.Load(src + i);
                Vector512.Shuffle(Vector512.Create(v, v), idx).Store(dst + (2 * i));
            }
        }
        else if (isa == IsaLevel.V256)
        {
            var idx = Vector256.Create(0, 0, 1, 1, 2, 2, 3, 3);
            for (; i + 4 <= w; i += 4)
            {
                var v = Vector128.Load(src + i);
                Vector256.Shuffle(Vector256.Create(v, v), idx).Store(dst + (2 * i));
            }
        }
        else if (isa == IsaLevel.V128)
        {
            var lo = Vector128.Create(0, 0, 1, 1);
            var hi = Vector128.Create(2, 2, 3, 3);
            for (; i + 4 <= w; i += 4)
            {
                var v = Vector128.Load(src + i);
                Vector128.Shuffle(v, lo).Store(dst + (2 * i));
                Vector128.Shuffle(v, hi).Store(dst + (2 * i) + 4);
            }
        }

        for (; i < w; i++)
        {
            float v = src[i];
            dst[2 * i] = v;
            dst[(2 * i) + 1] = v;
        }
    }
}
