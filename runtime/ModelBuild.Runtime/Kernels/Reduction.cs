using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelBuild.Runtime.Kernels;

internal enum ReduceOp
{
    Sum,
    Mean,
    Max,
    Min,
    Prod,
    SumSquare,
    /// <summary>Σ|x|.</summary>
    L1,
    /// <summary>√Σx².</summary>
    L2,
    /// <summary>log Σ eˣ (max-shifted).</summary>
    LogSumExp,
}

/// <summary>Accumulation step of a 16-partial reduction: partial = Combine(partial, x); partials merged by <see cref="Merge"/>.</summary>
internal interface IReduceOp
{
    float Identity { get; }

    TV Combine<TV, S>(TV acc, TV x)
        where TV : struct
        where S : struct, ISimd<TV>;

    float Merge(float a, float b);
}

internal readonly struct SumRed : IReduceOp
{
    public float Identity => 0f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Combine<TV, S>(TV acc, TV x) where TV : struct where S : struct, ISimd<TV> => S.Add(acc, x);

    public float Merge(float a, float b) => a + b;
}

internal readonly struct SumSqRed : IReduceOp
{
    public float Identity => 0f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Combine<TV, S>(TV acc, TV x) where TV : struct where S : struct, ISimd<TV> => S.Fma(x, x, acc);

    public float Merge(float a, float b) => a + b;
}

/// <summary>Σ (x − mean)², FMA per element.</summary>
internal readonly struct CenteredSqRed(float mean) : IReduceOp
{
    public float Identity => 0f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Combine<TV, S>(TV acc, TV x) where TV : struct where S : struct, ISimd<TV>
    {
        TV d = S.Sub(x, S.Splat(mean));
        return S.Fma(d, d, acc);
    }

    public float Merge(float a, float b) => a + b;
}

internal readonly struct L1Red : IReduceOp
{
    public float Identity => 0f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Combine<TV, S>(TV acc, TV x) where TV : struct where S : struct, ISimd<TV> => S.Add(acc, S.Abs(x));

    public float Merge(float a, float b) => a + b;
}

internal readonly struct ProdRed : IReduceOp
{
    public float Identity => 1f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Combine<TV, S>(TV acc, TV x) where TV : struct where S : struct, ISimd<TV> => S.Mul(acc, x);

    public float Merge(float a, float b) => a * b;
}

internal readonly struct MaxRed : IReduceOp
{
    public float Identity => float.NegativeInfinity;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Combine<TV, S>(TV acc, TV x) where TV : struct where S : struct, ISimd<TV> => S.Max(acc, x);

    public float Merge(float a, float b) => MathF.Max(a, b);
}

internal readonly struct MinRed : IReduceOp
{
    public float Identity => float.PositiveInfinity;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Combine<TV, S>(TV acc, TV x) where TV : struct where S : struct, ISimd<TV> => S.Min(acc, x);

    public float Merge(float a, float b) => MathF.Min(a, b);
}

/// <summary>Σ exp(x − shift).</summary>
internal readonly struct SumExpRed(float shift) : IReduceOp
{
    public float Identity => 0f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Combine<TV, S>(TV acc, TV x) where TV : struct where S : struct, ISimd<TV> =>
        S.Add(acc, FloatMath.Exp<TV, S>(S.Sub(x, S.Splat(shift))));

    public float Merge(float a, float b) => a + b;
}

[InlineArray(16)]
internal struct Partials16<TV>
    where TV : struct
{
    private TV _e0;
}

/// <summary>
/// The fixed 16-partial reduction layout shared by every width: element i goes to partial i % 16 (combined in
/// increasing i), then partials merge as a fixed binary tree p[i] ⊕= p[i+8], p[i] ⊕= p[i+4], p[i] ⊕= p[i+2],
/// p[0] ⊕= p[1]. V512 holds the 16 partials in 1 register, V256 in 2, V128 in 4, scalar in 16 floats ⇒ same bits.
/// </summary>
internal static class Partial16
{
    public static float Reduce<TR>(IsaLevel isa, TR op, ref float x, int n)
        where TR : struct, IReduceOp
    {
        return KernelIsa.Clamp(isa) switch
        {
            IsaLevel.V512 => Reduce<TR, Vector512<float>, S512>(op, ref x, n),
            IsaLevel.V256 => Reduce<TR, Vector256<float>, S256>(op, ref x, n),
            IsaLevel.V128 => Reduce<TR, Vector128<float>, S128>(op, ref x, n),
            _ => Reduce<TR, float, S1>(op, ref x, n),
        };
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Reduce<TR, TV, S>(TR op, ref float x, int n)
        where TR : struct, IReduceOp
        where TV : struct
        where S : struct, ISimd<TV>
    {
        int c = S.Count;
        int per = 16 / c;
        Partials16<TV> acc = default;
        TV id = S.Splat(op.Identity);
        for (int j = 0; j < per; j++)
        {
            acc[j] = id;
        }

        int i = 0;
        if (per == 1)
        {
            TV a0 = id;
            for (; i <= n - 16; i += 16)
            {
                a0 = op.Combine<TV, S>(a0, S.Load(ref x, i));
            }

            acc[0] = a0;
        }
        else if (per == 2)
        {
            TV a0 = id, a1 = id;
            for (; i <= n - 16; i += 16)
            {
                a0 = op.Combine<TV, S>(a0, S.Load(ref x, i));
                a1 = op.Combine<TV, S>(a1, S.Load(ref x, i + c));
            }

            acc[0] = a0;
            acc[1] = a1;
        }
        else if (per == 4)
        {
            TV a0 = id, a1 = id, a2 = id, a3 = id;
            for (; i <= n - 16; i += 16)
            {
                a0 = op.Combine<TV, S>(a0, S.Load(ref x, i));
                a1 = op.Combine<TV, S>(a1, S.Load(ref x, i + c));
                a2 = op.Combine<TV, S>(a2, S.Load(ref x, i + (2 * c)));
                a3 = op.Combine<TV, S>(a3, S.Load(ref x, i + (3 * c)));
            }

            acc[0] = a0;
            acc[1] = a1;
            acc[2] = a2;
            acc[3] = a3;
        }
        else
        {
            for (; i <= n - 16; i += 16)
            {
                for (int j = 0; j < per; j++)
                {
                    acc[j] = op.Combine<TV, S>(acc[j], S.Load(ref x, i + (j * c)));
                }
            }
        }

        Span<float> p = stackalloc float[16];
        for (int j = 0; j < per; j++)
        {
            for (int l = 0; l < c; l++)
            {
                p[(j * c) + l] = S.GetElement(acc[j], l);
            }
        }

        for (; i < n; i++)
        {
            p[i & 15] = op.Combine<float, S1>(p[i & 15], Unsafe.Add(ref x, i));
        }

        for (int s = 8; s >= 1; s >>= 1)
        {
            for (int j = 0; j < s; j++)
            {
                p[j] = op.Merge(p[j], p[j + s]);
            }
        }

        return p[0];
    }
}

/// <summary>
/// Reductions and softmax over one axis of a tensor viewed as [outer, axisLen, inner] (multiple adjacent reduced
/// axes: multiply them into axisLen; non-adjacent: transpose first or reduce repeatedly).
/// inner == 1: each output uses the fixed 16-partial layout (see <c>Partial16</c>) — bit-identical at every level.
/// inner &gt; 1: vectorized across inner, each output accumulates along the axis sequentially from index 0
/// (acc = identity, then acc = acc ⊕ x[k]) — bit-identical at every level.
/// Threads split the outer dimension.
/// </summary>
internal static class Reduction
{
    /// <summary>y[outer, inner] = reduce over axis of x[outer, axisLen, inner]. axisLen 0 gives the identity (Mean: NaN).</summary>
    public static void Reduce(IsaLevel isa, ReduceOp op, ReadOnlySpan<float> x, Span<float> y, int outer, int axisLen, int inner, int threads = 1)
    {
        Check(x.Length, y.Length, outer, axisLen, inner, false);
        IsaLevel level = KernelIsa.Clamp(isa);
        int t = KernelParallel.Effective(threads, (long)outer * axisLen * inner, 1 << 15);
        unsafe
        {
            fixed (float* px0 = x, py0 = y)
            {
                KernelParallel.For(outer, t, new ReduceItems { Level = level, Op = op, X = px0, Y = py0, AxisLength = axisLen, Inner = inner });
            }
        }
    }

    internal static float ReduceRow(IsaLevel level, ReduceOp op, ref float x, int n)
    {
        switch (op)
        {
            case ReduceOp.Sum: return Partial16.Reduce(level, new SumRed(), ref x, n);
            case ReduceOp.Mean: return Partial16.Reduce(level, new SumRed(), ref x, n) / n;
            case ReduceOp.Max: return Partial16.Reduce(level, new MaxRed(), ref x, n);
            case ReduceOp.Min: return Partial16.Reduce(level, new MinRed(), ref x, n);
            case ReduceOp.Prod: return Partial16.Reduce(level, new ProdRed(), ref x, n);
            case ReduceOp.SumSquare: return Partial16.Reduce(level, new SumSqRed(), ref x, n);
            case ReduceOp.L1: return Partial16.Reduce(level, new L1Red(), ref x, n);
            case ReduceOp.L2: return MathF.Sqrt(Partial16.Reduce(level, new SumSqRed(), ref x, n));
            case ReduceOp.LogSumExp:
                {
                    float m = Partial16.Reduce(level, new MaxRed(), ref x, n);
                    if (float.IsInfinity(m) || float.IsNaN(m))
                    {
                        return m;
                    }

                    float s = Partial16.Reduce(level, new SumExpRed(m), ref x, n);
                    return m + FloatMath.Log<float, S1>(s);
                }

            default: throw new ArgumentOutOfRangeException(nameof(op));
        }
    }

    internal static void ReduceStrided(IsaLevel level, ReduceOp op, ReadOnlySpan<float> x, Span<float> y, int axisLen, int inner, float[] tmp)
    {
        BinaryFunction combine;
        float id;
        switch (op)
        {
            case ReduceOp.Max: combine = BinaryFunction.Max; id = float.NegativeInfinity; break;
            case ReduceOp.Min: combine = BinaryFunction.Min; id = float.PositiveInfinity; break;
            case ReduceOp.Prod: combine = BinaryFunction.Mul; id = 1f; break;
            case ReduceOp.LogSumExp: combine = BinaryFunction.Max; id = float.NegativeInfinity; break;
            default: combine = BinaryFunction.Add; id = 0f; break;
        }

        y.Fill(id);
        for (int k = 0; k < axisLen; k++)
        {
            ReadOnlySpan<float> row = x.Slice(k * inner, inner);
            if (op is ReduceOp.SumSquare or ReduceOp.L2)
            {
                Loops.Binary(level, new SqAccOp(), Elementwise.RowKind.Same, y, row, y, 1);
            }
            else if (op == ReduceOp.L1)
            {
                Loops.Binary(level, new AbsAccOp(), Elementwise.RowKind.Same, y, row, y, 1);
            }
            else
            {
                Elementwise.BinaryDispatch(level, combine, Elementwise.RowKind.Same, y, row, y, 1);
            }
        }

        switch (op)
        {
            case ReduceOp.Mean:
                Elementwise.BinaryDispatch(level, BinaryFunction.Div, Elementwise.RowKind.ScalarRight, y, [(float)axisLen], y, 1);
                break;
            case ReduceOp.L2:
                Loops.Unary(level, new SqrtOp(), y, y, 1);
                break;
            case ReduceOp.LogSumExp:
                {
                    // y holds the max; tmp2 accumulates exp(x - max) sequentially
                    float[] s = new float[inner];
                    for (int k = 0; k < axisLen; k++)
                    {
                        Loops.Binary(level, new SubOp(), Elementwise.RowKind.Same, x.Slice(k * inner, inner), y, tmp, 1);
                        Loops.Unary(level, new ExpOp(), tmp, tmp, 1);
                        Loops.Binary(level, new AddOp(), Elementwise.RowKind.Same, s, tmp, s, 1);
                    }

                    Loops.Unary(level, new LogOp(), s, s, 1);
                    for (int j = 0; j < inner; j++)
                    {
                        // infinite max: result is the max itself
                        s[j] = float.IsInfinity(y[j]) ? 0f : s[j];
                    }

                    Loops.Binary(level, new AddOp(), Elementwise.RowKind.Same, y, s, y, 1);
                    break;
                }
        }
    }

    /// <summary>Softmax along the axis of x[outer, axisLen, inner]: exp(x − max) / Σ exp(x − max).</summary>
    public static void Softmax(IsaLevel isa, ReadOnlySpan<float> x, Span<float> y, int outer, int axisLen, int inner, int threads = 1) =>
        SoftmaxCore(isa, x, y, outer, axisLen, inner, false, threads);

    /// <summary>LogSoftmax along the axis: (x − max) − log Σ exp(x − max).</summary>
    public static void LogSoftmax(IsaLevel isa, ReadOnlySpan<float> x, Span<float> y, int outer, int axisLen, int inner, int threads = 1) =>
        SoftmaxCore(isa, x, y, outer, axisLen, inner, true, threads);

    private static void SoftmaxCore(IsaLevel isa, ReadOnlySpan<float> x, Span<float> y, int outer, int axisLen, int inner, bool log, int threads)
    {
        Check(x.Length, y.Length, outer, axisLen, inner, true);
        if (axisLen == 0)
        {
            return;
        }

        IsaLevel level = KernelIsa.Clamp(isa);
        int t = KernelParallel.Effective(threads, (long)outer * axisLen * inner, 1 << 14);
        unsafe
        {
            fixed (float* px0 = x, py0 = y)
            {
                float* px = px0, py = py0;
                KernelParallel.For(outer, t, new SoftmaxRows { Level = level, X = px, Y = py, AxisLength = axisLen, Inner = inner, Log = log });
            }
        }
    }

    internal static void SoftmaxRow(IsaLevel level, ReadOnlySpan<float> x, Span<float> y, bool log)
    {
        int n = x.Length;
        float m = Partial16.Reduce(level, new MaxRed(), ref MemoryMarshal.GetReference(x), n);
        Loops.Binary(level, new SubOp(), Elementwise.RowKind.ScalarRight, x, [m], y, 1);
        if (log)
        {
            float s = Partial16.Reduce(level, new SumExpRed(0f), ref MemoryMarshal.GetReference(y), n);
            float ls = FloatMath.Log<float, S1>(s);
            Loops.Binary(level, new SubOp(), Elementwise.RowKind.ScalarRight, y, [ls], y, 1);
        }
        else
        {
            Loops.Unary(level, new ExpOp(), y, y, 1);
            float s = Partial16.Reduce(level, new SumRed(), ref MemoryMarshal.GetReference(y), n);
            Loops.Binary(level, new DivOp(), Elementwise.RowKind.ScalarRight, y, [s], y, 1);
        }
    }

    internal static void SoftmaxStrided(IsaLevel level, ReadOnlySpan<float> x, Span<float> y, int axisLen, int inner, bool log, Span<float> mx, Span<float> sm)
    {
        mx = mx[..inner];
        sm = sm[..inner];
        x.Slice(0, inner).CopyTo(mx);
        for (int k = 1; k < axisLen; k++)
        {
            Loops.Binary(level, new MaxOp(), Elementwise.RowKind.Same, mx, x.Slice(k * inner, inner), mx, 1);
        }

        sm.Clear();
        for (int k = 0; k < axisLen; k++)
        {
            Span<float> yr = y.Slice(k * inner, inner);
            Loops.Binary(level, new SubOp(), Elementwise.RowKind.Same, x.Slice(k * inner, inner), mx, yr, 1);
            if (log)
            {
                Loops.Binary(level, new ExpAccOp(), Elementwise.RowKind.Same, sm, yr, sm, 1);
            }
            else
            {
                Loops.Unary(level, new ExpOp(), yr, yr, 1);
                Loops.Binary(level, new AddOp(), Elementwise.RowKind.Same, sm, yr, sm, 1);
            }
        }

        if (log)
        {
            Loops.Unary(level, new LogOp(), sm, sm, 1);
        }

        for (int k = 0; k < axisLen; k++)
        {
            Span<float> yr = y.Slice(k * inner, inner);
            if (log)
            {
                Loops.Binary(level, new SubOp(), Elementwise.RowKind.Same, yr, sm, yr, 1);
            }
            else
            {
                Loops.Binary(level, new DivOp(), Elementwise.RowKind.Same, yr, sm, yr, 1);
            }
        }
    }

    private static void Check(int xl, int yl, int outer, int axisLen, int inner, bool sameSize)
    {
        if (outer < 0 || axisLen < 0 || inner < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(outer));
        }

        long n = (long)outer * axisLen * inner;
        if (xl < n || yl < (sameSize ? n : (long)outer * inner))
        {
            throw new ArgumentException("span too small for outer × axisLen × inner");
        }
    }

    /// <summary>acc + x² (FMA).</summary>
    private readonly struct SqAccOp : IBinaryOp
    {
        public TV Invoke<TV, S>(TV acc, TV x) where TV : struct where S : struct, ISimd<TV> => S.Fma(x, x, acc);
    }

    private readonly struct AbsAccOp : IBinaryOp
    {
        public TV Invoke<TV, S>(TV acc, TV x) where TV : struct where S : struct, ISimd<TV> => S.Add(acc, S.Abs(x));
    }

    private readonly struct ExpAccOp : IBinaryOp
    {
        public TV Invoke<TV, S>(TV acc, TV x) where TV : struct where S : struct, ISimd<TV> => S.Add(acc, FloatMath.Exp<TV, S>(x));
    }
}

/// <summary>Softmax items [o0, o1) (the body of <c>Reduction.SoftmaxCore</c>).</summary>
internal unsafe struct SoftmaxRows : IRangeBody
{
    public IsaLevel Level;
    public float* X, Y;
    public int AxisLength, Inner;
    public bool Log;

    public readonly void Run(int o0, int o1)
    {
        // strided softmax keeps a running max and sum per inner position; pooled so a run allocates nothing
        float[]? mx = Inner > 1 ? System.Buffers.ArrayPool<float>.Shared.Rent(Inner) : null;
        float[]? sm = Inner > 1 ? System.Buffers.ArrayPool<float>.Shared.Rent(Inner) : null;
        try
        {
            for (int o = o0; o < o1; o++)
            {
                long baseOff = (long)o * AxisLength * Inner;
                var xs = new ReadOnlySpan<float>(X + baseOff, AxisLength * Inner);
                var ys = new Span<float>(Y + baseOff, AxisLength * Inner);
                if (Inner == 1 && !Log)
                {
                    // all rows of this chunk under one dispatch (rows of 16 paid five dispatches each)
                    var rows = new SoftmaxContiguousRows { X = X + baseOff, Y = Y + baseOff, N = AxisLength, Rows = o1 - o };
                    IsaDispatch.Run(Level, ref rows);
                    break;
                }

                if (Inner == 1)
                {
                    Reduction.SoftmaxRow(Level, xs, ys, Log);
                }
                else
                {
                    Reduction.SoftmaxStrided(Level, xs, ys, AxisLength, Inner, Log, mx!, sm!);
                }
            }
        }
        finally
        {
            if (mx is not null)
            {
                System.Buffers.ArrayPool<float>.Shared.Return(mx);
                System.Buffers.ArrayPool<float>.Shared.Return(sm!);
            }
        }
    }
}

/// <summary>
/// Softmax of <see cref="Rows"/> contiguous rows of <see cref="N"/>, each exactly as <c>Reduction.SoftmaxRow</c>: m =
/// max (16 partials), y = exp(x − m) element-wise, s = Σ y (16 partials), y = y / s — the same operations on the same
/// values, fused into one width-specialised loop.
/// </summary>
internal unsafe struct SoftmaxContiguousRows : IWidthBody
{
    public float* X, Y;
    public int N, Rows;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public readonly void Run<TV, S>()
        where TV : struct
        where S : struct, ISimd<TV>
    {
        int n = N, c = S.Count;
        for (int r = 0; r < Rows; r++)
        {
            float* x = X + ((long)r * n), y = Y + ((long)r * n);
            float m = Partial16.Reduce<MaxRed, TV, S>(default, ref *x, n);
            TV mv = S.Splat(m);
            int i = 0;
            for (; i <= n - c; i += c)
            {
                S.Store(FloatMath.Exp<TV, S>(S.Sub(S.Load(ref *x, i), mv)), ref *y, i);
            }

            for (; i < n; i++)
            {
                y[i] = FloatMath.Exp<float, S1>(x[i] - m);
            }

            float sum = Partial16.Reduce<SumRed, TV, S>(default, ref *y, n);
            TV sv = S.Splat(sum);
            for (i = 0; i <= n - c; i += c)
            {
                S.Store(S.Div(S.Load(ref *y, i), sv), ref *y, i);
            }

            for (; i < n; i++)
            {
                y[i] /= sum;
            }
        }
    }
}

/// <summary>Reduction items [o0, o1) (the body of <c>Reduction.Reduce</c>).</summary>
internal unsafe struct ReduceItems : IRangeBody
{
    public IsaLevel Level;
    public ReduceOp Op;
    public float* X, Y;
    public int AxisLength, Inner;

    public readonly void Run(int o0, int o1)
    {
        if (Inner == 1)
        {
            for (int o = o0; o < o1; o++)
            {
                Y[o] = Reduction.ReduceRow(Level, Op, ref X[(long)o * AxisLength], AxisLength);
            }

            return;
        }

        float[] tmp = new float[Inner];
        for (int o = o0; o < o1; o++)
        {
            Reduction.ReduceStrided(Level, Op, new ReadOnlySpan<float>(X + ((long)o * AxisLength * Inner), AxisLength * Inner), new Span<float>(Y + ((long)o * Inner), Inner), AxisLength, Inner, tmp);
        }
    }
}
