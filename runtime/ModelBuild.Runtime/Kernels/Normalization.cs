using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelBuild.Runtime.Kernels;

/// <summary>
/// Normalization kernels. Statistics use the fixed 16-partial layout (bit-identical at every level):
/// mean = Σx / n; var = Σ fma(x−mean, x−mean) / n (two-pass); inv = 1 / sqrt(var + eps) (float, scalar);
/// y = fma((x − mean)·inv, gamma, beta). Threads split rows / planes.
/// </summary>
internal static class Normalization
{
    /// <summary>
    /// LayerNorm over the last <paramref name="size"/> elements of each of <paramref name="rows"/> rows.
    /// gamma/beta: length <paramref name="size"/> or empty (1 / 0).
    /// </summary>
    public static void LayerNorm(IsaLevel isa, ReadOnlySpan<float> x, Span<float> y, int rows, int size, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, float epsilon, int threads = 1)
    {
        if (rows < 0 || size <= 0 || x.Length < (long)rows * size || y.Length < (long)rows * size ||
            (!gamma.IsEmpty && gamma.Length < size) || (!beta.IsEmpty && beta.Length < size))
        {
            throw new ArgumentException("layer norm spans too small");
        }

        IsaLevel level = KernelIsa.Clamp(isa);
        int t = KernelParallel.Effective(threads, (long)rows * size, 1 << 14);
        unsafe
        {
            fixed (float* px0 = x, py0 = y, pg0 = gamma, pb0 = beta)
            {
                float* px = px0, py = py0, pg = gamma.IsEmpty ? null : pg0, pb = beta.IsEmpty ? null : pb0;
                KernelParallel.For(rows, t, new LayerNormRows { Level = level, X = px, Y = py, Gamma = pg, Beta = pb, Size = size, Epsilon = epsilon });
            }
        }
    }

    /// <summary>
    /// GroupNorm on x[N, C, spatial]: statistics per (n, group) over (C/groups)·spatial elements, then per-channel
    /// scale/bias (length C, or empty). InstanceNorm is groups == C.
    /// </summary>
    public static void GroupNorm(IsaLevel isa, ReadOnlySpan<float> x, Span<float> y, int n, int c, int spatial, int groups, ReadOnlySpan<float> scale, ReadOnlySpan<float> bias, float epsilon, int threads = 1)
    {
        if (n < 0 || c <= 0 || spatial <= 0 || groups <= 0 || c % groups != 0 || x.Length < (long)n * c * spatial || y.Length < (long)n * c * spatial ||
            (!scale.IsEmpty && scale.Length < c) || (!bias.IsEmpty && bias.Length < c))
        {
            throw new ArgumentException("group norm arguments invalid");
        }

        IsaLevel level = KernelIsa.Clamp(isa);
        int cpg = c / groups;
        int gsize = cpg * spatial;
        int t = KernelParallel.Effective(threads, (long)n * c * spatial, 1 << 14);
        unsafe
        {
            fixed (float* px0 = x, py0 = y, ps0 = scale, pb0 = bias)
            {
                float* px = px0, py = py0, ps = scale.IsEmpty ? null : ps0, pb = bias.IsEmpty ? null : pb0;
                KernelParallel.For(n * groups, t, new GroupNormGroups
                {
                    Level = level, X = px, Y = py, Scale = ps, Bias = pb, Groups = groups, ChannelsPerGroup = cpg, Spatial = spatial, Epsilon = epsilon,
                });
            }
        }
    }

    /// <summary>InstanceNorm on x[N, C, spatial] with per-channel scale/bias (GroupNorm with groups = C).</summary>
    public static void InstanceNorm(IsaLevel isa, ReadOnlySpan<float> x, Span<float> y, int n, int c, int spatial, ReadOnlySpan<float> scale, ReadOnlySpan<float> bias, float epsilon, int threads = 1) =>
        GroupNorm(isa, x, y, n, c, spatial, c, scale, bias, epsilon, threads);

    /// <summary>
    /// Per-channel affine on x[N, C, spatial]: y = fma(x, scale[c], shift[c]) (shift empty: y = x·scale[c]).
    /// Used for BatchNorm inference (see <see cref="BatchNormToScaleShift"/>) and MNN Scale.
    /// </summary>
    public static void ChannelAffine(IsaLevel isa, ReadOnlySpan<float> x, Span<float> y, int n, int c, int spatial, ReadOnlySpan<float> scale, ReadOnlySpan<float> shift, int threads = 1)
    {
        if (n < 0 || c <= 0 || spatial < 0 || x.Length < (long)n * c * spatial || y.Length < (long)n * c * spatial || scale.Length < c || (!shift.IsEmpty && shift.Length < c))
        {
            throw new ArgumentException("channel affine arguments invalid");
        }

        IsaLevel level = KernelIsa.Clamp(isa);
        int t = KernelParallel.Effective(threads, (long)n * c * spatial, 1 << 15);
        unsafe
        {
            fixed (float* px0 = x, py0 = y, ps0 = scale, pb0 = shift)
            {
                float* px = px0, py = py0, ps = ps0, pb = shift.IsEmpty ? null : pb0;
                KernelParallel.For(n * c, t, new ChannelAffinePlanes { Level = level, X = px, Y = py, Scale = ps, Shift = pb, Channels = c, Spatial = spatial });
            }
        }
    }

    /// <summary>BatchNorm folding: scale = gamma / sqrt(var + eps); shift = fma(−mean, scale, beta) (scalar float).</summary>
    public static void BatchNormToScaleShift(ReadOnlySpan<float> mean, ReadOnlySpan<float> variance, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, float epsilon, Span<float> scale, Span<float> shift)
    {
        for (int i = 0; i < scale.Length; i++)
        {
            float s = gamma[i] / MathF.Sqrt(variance[i] + epsilon);
            scale[i] = s;
            shift[i] = MathF.FusedMultiplyAdd(-mean[i], s, beta[i]);
        }
    }

    /// <summary>PRelu with per-channel slope on x[N, C, spatial]: y = x ≥ 0 ? x : x·slope[c]; slope of length 1 applies to all channels.</summary>
    public static void PRelu(IsaLevel isa, ReadOnlySpan<float> x, Span<float> y, int n, int c, int spatial, ReadOnlySpan<float> slope, int threads = 1)
    {
        if (n < 0 || c <= 0 || spatial < 0 || x.Length < (long)n * c * spatial || y.Length < (long)n * c * spatial || (slope.Length != 1 && slope.Length < c))
        {
            throw new ArgumentException("prelu arguments invalid");
        }

        IsaLevel level = KernelIsa.Clamp(isa);
        int t = KernelParallel.Effective(threads, (long)n * c * spatial, 1 << 15);
        unsafe
        {
            fixed (float* px0 = x, py0 = y, ps0 = slope)
            {
                float* px = px0, py = py0, ps = ps0;
                bool single = slope.Length == 1;
                KernelParallel.For(n * c, t, (p0, p1) =>
                {
                    for (int pl = p0; pl < p1; pl++)
                    {
                        long off = (long)pl * spatial;
                        Loops.UnaryDispatch(level, new LeakyReluOp(ps[single ? 0 : pl % c]), ref px[off], ref py[off], spatial);
                    }
                });
            }
        }
    }

    /// <summary>
    /// LRN across channels on x[N, C, spatial]: sq = Σ_{c' in [c−⌊(size−1)/2⌋, c+⌈(size−1)/2⌉]} x[c']² (FMA, c' ascending);
    /// y = x · pow(bias + alpha/size · sq, −beta) with our float pow (same at every level).
    /// </summary>
    public static void Lrn(IsaLevel isa, ReadOnlySpan<float> x, Span<float> y, int n, int c, int spatial, int size, float alpha, float beta, float bias, int threads = 1)
    {
        if (n < 0 || c <= 0 || spatial < 0 || size <= 0 || x.Length < (long)n * c * spatial || y.Length < (long)n * c * spatial)
        {
            throw new ArgumentException("lrn arguments invalid");
        }

        if (spatial == 0 || n == 0)
        {
            return;
        }

        IsaLevel level = KernelIsa.Clamp(isa);
        int t = KernelParallel.Effective(threads, (long)n * c * spatial * size, 1 << 15);
        int before = (size - 1) / 2, after = size - 1 - before;
        float aos = alpha / size;
        unsafe
        {
            fixed (float* px0 = x, py0 = y)
            {
                float* px = px0, py = py0;
                KernelParallel.For(n * c, t, (p0, p1) =>
                {
                    float[] sq = new float[spatial];
                    for (int pl = p0; pl < p1; pl++)
                    {
                        int ni = pl / c, ch = pl % c;
                        Array.Clear(sq);
                        int lo = Math.Max(0, ch - before), hi = Math.Min(c - 1, ch + after);
                        for (int cc = lo; cc <= hi; cc++)
                        {
                            long off2 = (((long)ni * c) + cc) * spatial;
                            Elementwise.RowKind same = Elementwise.RowKind.Same;
                            Loops.BinaryDispatch(level, new SqAcc(), same, ref sq[0], ref px[off2], ref sq[0], spatial);
                        }

                        long off = (long)pl * spatial;
                        Loops.BinaryDispatch(level, new LrnOp(aos, bias, -beta), Elementwise.RowKind.Same, ref px[off], ref sq[0], ref py[off], spatial);
                    }
                });
            }
        }
    }

    internal static void Stats(IsaLevel level, ref float x, int n, float eps, out float mean, out float inv)
    {
        mean = Partial16.Reduce(level, new SumRed(), ref x, n) / n;
        float var = Partial16.Reduce(level, new CenteredSqRed(mean), ref x, n) / n;
        inv = 1f / MathF.Sqrt(var + eps);
    }

    internal static unsafe void ApplyDispatch(IsaLevel level, ref float x, ref float y, int n, float mean, float inv, float* gamma, float* beta, float sc, float bi)
    {
        switch (level)
        {
            case IsaLevel.V512: Apply<Vector512<float>, S512>(ref x, ref y, n, mean, inv, gamma, beta, sc, bi); break;
            case IsaLevel.V256: Apply<Vector256<float>, S256>(ref x, ref y, n, mean, inv, gamma, beta, sc, bi); break;
            case IsaLevel.V128: Apply<Vector128<float>, S128>(ref x, ref y, n, mean, inv, gamma, beta, sc, bi); break;
            default: Apply<float, S1>(ref x, ref y, n, mean, inv, gamma, beta, sc, bi); break;
        }
    }

    /// <summary>y = fma((x − mean)·inv, g, b) where g/b come from the arrays when given, else the scalars.</summary>
    internal static unsafe void Apply<TV, S>(ref float x, ref float y, int n, float mean, float inv, float* gamma, float* beta, float sc, float bi)
        where TV : struct
        where S : struct, ISimd<TV>
    {
        TV mv = S.Splat(mean), iv = S.Splat(inv), sv = S.Splat(sc), bv = S.Splat(bi);
        int c = S.Count;
        int i = 0;
        for (; i <= n - c; i += c)
        {
            TV g = gamma == null ? sv : S.Load(ref gamma[0], i);
            TV b = beta == null ? bv : S.Load(ref beta[0], i);
            S.Store(S.Fma(S.Mul(S.Sub(S.Load(ref x, i), mv), iv), g, b), ref y, i);
        }

        for (; i < n; i++)
        {
            float g = gamma == null ? sc : gamma[i];
            float b = beta == null ? bi : beta[i];
            Unsafe.Add(ref y, i) = MathF.FusedMultiplyAdd((Unsafe.Add(ref x, i) - mean) * inv, g, b);
        }
    }

    internal readonly struct AffineOp(float scale, float shift) : IUnaryOp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TV Invoke<TV, S>(TV x) where TV : struct where S : struct, ISimd<TV> => S.Fma(x, S.Splat(scale), S.Splat(shift));
    }

    private readonly struct SqAcc : IBinaryOp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TV Invoke<TV, S>(TV acc, TV x) where TV : struct where S : struct, ISimd<TV> => S.Fma(x, x, acc);
    }

    private readonly struct LrnOp(float aos, float bias, float negBeta) : IBinaryOp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TV Invoke<TV, S>(TV x, TV sq) where TV : struct where S : struct, ISimd<TV> =>
            S.Mul(x, FloatMath.Pow<TV, S>(S.Fma(sq, S.Splat(aos), S.Splat(bias)), S.Splat(negBeta)));
    }
}

/// <summary>LayerNorm rows [r0, r1) (the body of <see cref="Normalization.LayerNorm"/>).</summary>
internal unsafe struct LayerNormRows : IRangeBody, IWidthBody
{
    public IsaLevel Level;
    public float* X, Y, Gamma, Beta;
    public int Size;
    public float Epsilon;

    public readonly void Run(int r0, int r1)
    {
        // one dispatch for the chunk (short rows paid three each)
        var rows = this;
        rows.X = X + ((long)r0 * Size);
        rows.Y = Y + ((long)r0 * Size);
        rows.Rows = r1 - r0;
        IsaDispatch.Run(Level, ref rows);
    }

    /// <summary>Rows of this chunk (set by <see cref="Run(int, int)"/>).</summary>
    public int Rows;

    /// <summary>Each row exactly as <see cref="Normalization.Stats"/> then <see cref="Normalization.ApplyDispatch"/>, at one width.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public readonly void Run<TV, S>()
        where TV : struct
        where S : struct, ISimd<TV>
    {
        int n = Size;
        for (int r = 0; r < Rows; r++)
        {
            ref float xr = ref X[(long)r * n];
            float mean = Partial16.Reduce<SumRed, TV, S>(default, ref xr, n) / n;
            float var = Partial16.Reduce<CenteredSqRed, TV, S>(new CenteredSqRed(mean), ref xr, n) / n;
            float inv = 1f / MathF.Sqrt(var + Epsilon);
            Normalization.Apply<TV, S>(ref xr, ref Y[(long)r * n], n, mean, inv, Gamma, Beta, 1f, 0f);
        }
    }
}

/// <summary>GroupNorm (n, group) items [g0, g1) (the body of <see cref="Normalization.GroupNorm"/>).</summary>
internal unsafe struct GroupNormGroups : IRangeBody
{
    public IsaLevel Level;
    public float* X, Y, Scale, Bias;
    public int Groups, ChannelsPerGroup, Spatial;
    public float Epsilon;

    public readonly void Run(int g0, int g1)
    {
        int gsize = ChannelsPerGroup * Spatial;
        for (int g = g0; g < g1; g++)
        {
            long off = (long)g * gsize;
            Normalization.Stats(Level, ref X[off], gsize, Epsilon, out float mean, out float inv);
            int c0 = (g % Groups) * ChannelsPerGroup;
            for (int ci = 0; ci < ChannelsPerGroup; ci++)
            {
                long o2 = off + ((long)ci * Spatial);
                float sc = Scale == null ? 1f : Scale[c0 + ci];
                float bi = Bias == null ? 0f : Bias[c0 + ci];
                Normalization.ApplyDispatch(Level, ref X[o2], ref Y[o2], Spatial, mean, inv, null, null, sc, bi);
            }
        }
    }
}

/// <summary>Per-channel affine planes [p0, p1) (the body of <see cref="Normalization.ChannelAffine"/>).</summary>
internal unsafe struct ChannelAffinePlanes : IRangeBody
{
    public IsaLevel Level;
    public float* X, Y, Scale, Shift;
    public int Channels, Spatial;

    public readonly void Run(int p0, int p1)
    {
        for (int pl = p0; pl < p1; pl++)
        {
            int ch = pl % Channels;
            long off = (long)pl * Spatial;
            if (Shift == null)
            {
                Loops.BinaryDispatch(Level, new MulOp(), Elementwise.RowKind.ScalarRight, ref X[off], ref Scale[ch], ref Y[off], Spatial);
            }
            else
            {
                Loops.UnaryDispatch(Level, new Normalization.AffineOp(Scale[ch], Shift[ch]), ref X[off], ref Y[off], Spatial);
            }
        }
    }
}
