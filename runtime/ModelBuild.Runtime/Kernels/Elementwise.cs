using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelBuild.Runtime.Kernels;

/// <summary>Unary element-wise functions. Parameters: see each member (alpha/beta arguments of <see cref="Elementwise.Unary"/>).</summary>
internal enum UnaryFunction
{
    Identity,
    Relu,
    /// <summary>min(max(x,0),6).</summary>
    Relu6,
    /// <summary>min(max(x,alpha),beta) — alpha = min, beta = max.</summary>
    Clip,
    /// <summary>x ≥ 0 ? x : alpha·x.</summary>
    LeakyRelu,
    /// <summary>x &gt; 0 ? x : alpha·(eˣ−1).</summary>
    Elu,
    /// <summary>beta·(x &gt; 0 ? x : alpha·(eˣ−1)) — alpha default 1.67326, beta (gamma) 1.0507.</summary>
    Selu,
    Sigmoid,
    /// <summary>max(0, min(1, alpha·x + beta)).</summary>
    HardSigmoid,
    /// <summary>x·max(0, min(1, x/6 + 1/2)).</summary>
    HardSwish,
    Tanh,
    Softplus,
    Softsign,
    Erf,
    /// <summary>0.5·x·(1+erf(x/√2)).</summary>
    GeluErf,
    /// <summary>0.5·x·(1+tanh(√(2/π)(x+0.044715x³))).</summary>
    GeluTanh,
    Exp,
    Log,
    Sqrt,
    Rsqrt,
    Reciprocal,
    Abs,
    Neg,
    Square,
    Floor,
    Ceil,
    /// <summary>Round half to even.</summary>
    Round,
    Sign,
    Sin,
    Cos,
    /// <summary>x·sigmoid(x) (Swish).</summary>
    Silu,
    /// <summary>x·tanh(softplus(x)).</summary>
    Mish,
}

internal enum BinaryFunction
{
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    Min,
    Max,
    SquaredDifference,
    /// <summary>Floor modulo: a − floor(a/b)·b (sign of b), like MNN FloorMod / ONNX Mod fmod=0.</summary>
    Mod,
    /// <summary>Truncated modulo: a − trunc(a/b)·b (sign of a), like C fmod / ONNX Mod fmod=1.</summary>
    FMod,
}

internal enum CompareOp
{
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

/// <summary>Activation fused into GEMM / convolution outputs.</summary>
internal enum ActivationKind
{
    None,
    Relu,
    Relu6,
    /// <summary>min(max(x, Min), Max).</summary>
    Clip,
}

/// <summary>Activation applied to each output after its full accumulation: y = min(max(acc, lo), hi).</summary>
internal readonly record struct FusedActivation(ActivationKind Kind, float Min = 0f, float Max = 0f)
{
    public static FusedActivation None => new(ActivationKind.None);

    public static FusedActivation Relu => new(ActivationKind.Relu);

    public static FusedActivation Relu6 => new(ActivationKind.Relu6);

    public static FusedActivation Clip(float min, float max) => new(ActivationKind.Clip, min, max);

    internal float Lo => Kind switch { ActivationKind.Relu or ActivationKind.Relu6 => 0f, ActivationKind.Clip => Min, _ => float.NegativeInfinity };

    internal float Hi => Kind switch { ActivationKind.Relu6 => 6f, ActivationKind.Clip => Max, _ => float.PositiveInfinity };
}

/// <summary>
/// Element-wise kernels on float32 spans. Every method: first parameter <c>isa</c> (clamped to the hardware),
/// last parameter <c>threads</c> (≤ 1 = calling thread). All results are bit-identical at every ISA level and
/// thread count (one generic source per operator; independent outputs). In-place use (y aliasing x/a/b
/// exactly) is allowed; partially overlapping spans are not.
/// </summary>
internal static class Elementwise
{
    private const int ParallelGrain = 1 << 15;

    /// <summary>y[i] = op(x[i]). <paramref name="alpha"/>/<paramref name="beta"/> are the op parameters listed on <see cref="UnaryFunction"/>.</summary>
    public static void Unary(IsaLevel isa, UnaryFunction op, ReadOnlySpan<float> x, Span<float> y, float alpha = 0f, float beta = 0f, int threads = 1)
    {
        switch (op)
        {
            case UnaryFunction.Identity: Loops.Unary(isa, new IdentityOp(), x, y, threads); break;
            case UnaryFunction.Relu: Loops.Unary(isa, new ReluOp(), x, y, threads); break;
            case UnaryFunction.Relu6: Loops.Unary(isa, new ClipOp(0f, 6f), x, y, threads); break;
            case UnaryFunction.Clip: Loops.Unary(isa, new ClipOp(alpha, beta), x, y, threads); break;
            case UnaryFunction.LeakyRelu: Loops.Unary(isa, new LeakyReluOp(alpha), x, y, threads); break;
            case UnaryFunction.Elu: Loops.Unary(isa, new EluOp(alpha), x, y, threads); break;
            case UnaryFunction.Selu: Loops.Unary(isa, new SeluOp(alpha, beta), x, y, threads); break;
            case UnaryFunction.Sigmoid: Loops.Unary(isa, new SigmoidOp(), x, y, threads); break;
            case UnaryFunction.HardSigmoid: Loops.Unary(isa, new HardSigmoidOp(alpha, beta), x, y, threads); break;
            case UnaryFunction.HardSwish: Loops.Unary(isa, new HardSwishOp(), x, y, threads); break;
            case UnaryFunction.Tanh: Loops.Unary(isa, new TanhOp(), x, y, threads); break;
            case UnaryFunction.Softplus: Loops.Unary(isa, new SoftplusOp(), x, y, threads); break;
            case UnaryFunction.Softsign: Loops.Unary(isa, new SoftsignOp(), x, y, threads); break;
            case UnaryFunction.Erf: Loops.Unary(isa, new ErfOp(), x, y, threads); break;
            case UnaryFunction.GeluErf: Loops.Unary(isa, new GeluErfOp(), x, y, threads); break;
            case UnaryFunction.GeluTanh: Loops.Unary(isa, new GeluTanhOp(), x, y, threads); break;
            case UnaryFunction.Exp: Loops.Unary(isa, new ExpOp(), x, y, threads); break;
            case UnaryFunction.Log: Loops.Unary(isa, new LogOp(), x, y, threads); break;
            case UnaryFunction.Sqrt: Loops.Unary(isa, new SqrtOp(), x, y, threads); break;
            case UnaryFunction.Rsqrt: Loops.Unary(isa, new RsqrtOp(), x, y, threads); break;
            case UnaryFunction.Reciprocal: Loops.Unary(isa, new ReciprocalOp(), x, y, threads); break;
            case UnaryFunction.Abs: Loops.Unary(isa, new AbsOp(), x, y, threads); break;
            case UnaryFunction.Neg: Loops.Unary(isa, new NegOp(), x, y, threads); break;
            case UnaryFunction.Square: Loops.Unary(isa, new SquareOp(), x, y, threads); break;
            case UnaryFunction.Floor: Loops.Unary(isa, new FloorOp(), x, y, threads); break;
            case UnaryFunction.Ceil: Loops.Unary(isa, new CeilOp(), x, y, threads); break;
            case UnaryFunction.Round: Loops.Unary(isa, new RoundOp(), x, y, threads); break;
            case UnaryFunction.Sign: Loops.Unary(isa, new SignOp(), x, y, threads); break;
            case UnaryFunction.Sin: Loops.Unary(isa, new SinOp(), x, y, threads); break;
            case UnaryFunction.Cos: Loops.Unary(isa, new CosOp(), x, y, threads); break;
            case UnaryFunction.Silu: Loops.Unary(isa, new SiluOp(), x, y, threads); break;
            case UnaryFunction.Mish: Loops.Unary(isa, new MishOp(), x, y, threads); break;
            default: throw new ArgumentOutOfRangeException(nameof(op));
        }
    }

    /// <summary>y[i] = a[i] op b[i] (same length).</summary>
    public static void Binary(IsaLevel isa, BinaryFunction op, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y, int threads = 1)
    {
        if (a.Length != y.Length || b.Length != y.Length)
        {
            throw new ArgumentException("a, b and y must have the same length");
        }

        BinaryDispatch(isa, op, RowKind.Same, a, b, y, threads);
    }

    /// <summary>y[i] = a[i] op b (scalar on the right).</summary>
    public static void BinaryScalarRight(IsaLevel isa, BinaryFunction op, ReadOnlySpan<float> a, float b, Span<float> y, int threads = 1)
    {
        if (a.Length != y.Length)
        {
            throw new ArgumentException("a and y must have the same length");
        }

        BinaryDispatch(isa, op, RowKind.ScalarRight, a, new ReadOnlySpan<float>(in b), y, threads);
    }

    /// <summary>y[i] = a op b[i] (scalar on the left).</summary>
    public static void BinaryScalarLeft(IsaLevel isa, BinaryFunction op, float a, ReadOnlySpan<float> b, Span<float> y, int threads = 1)
    {
        if (b.Length != y.Length)
        {
            throw new ArgumentException("b and y must have the same length");
        }

        BinaryDispatch(isa, op, RowKind.ScalarLeft, new ReadOnlySpan<float>(in a), b, y, threads);
    }

    /// <summary>
    /// Numpy/ONNX multidirectional broadcasting: y[yShape] = a[aShape] op b[bShape]. Shapes are right-aligned;
    /// each a/b dim must equal the y dim or be 1. Dims are collapsed, then rows of the innermost dim run through
    /// the same-shape / scalar-left / scalar-right vector loops (or a strided scalar loop).
    /// </summary>
    public static void BinaryBroadcast(IsaLevel isa, BinaryFunction op, ReadOnlySpan<float> a, ReadOnlySpan<int> aShape, ReadOnlySpan<float> b, ReadOnlySpan<int> bShape, Span<float> y, ReadOnlySpan<int> yShape, int threads = 1) =>
        BinaryBroadcast(isa, op, BroadcastWalker.Create(aShape, bShape, yShape), a, b, y, threads);

    /// <summary>
    /// <see cref="BinaryBroadcast(IsaLevel, BinaryFunction, ReadOnlySpan{float}, ReadOnlySpan{int}, ReadOnlySpan{float}, ReadOnlySpan{int}, Span{float}, ReadOnlySpan{int}, int)"/>
    /// with the walker planned once by the caller (an executor's Reshape): a call then allocates nothing unless it
    /// goes parallel.
    /// </summary>
    internal static void BinaryBroadcast(IsaLevel isa, BinaryFunction op, BroadcastWalker plan, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y, int threads = 1)
    {
        if (a.Length < plan.ALength || b.Length < plan.BLength || y.Length < plan.YLength)
        {
            throw new ArgumentException("span shorter than its shape");
        }

        if (plan.YLength == 0)
        {
            return;
        }

        int t = KernelParallel.Effective(threads, plan.YLength, ParallelGrain);
        unsafe
        {
            fixed (float* pa = a, pb = b, py = y)
            {
                IsaLevel level = KernelIsa.Clamp(isa);
                if (t <= 1)
                {
                    BroadcastRows(level, op, plan, pa, pb, py, 0, plan.Rows);
                }
                else
                {
                    BroadcastRowsParallel(level, op, plan, pa, pb, py, t);
                }
            }
        }
    }

    /// <summary>Separate from the caller so that only a parallel call pays for the closure.</summary>
    private static unsafe void BroadcastRowsParallel(IsaLevel level, BinaryFunction op, BroadcastWalker plan, float* pa, float* pb, float* py, int t) =>
        KernelParallel.For(plan.Rows, t, (r0, r1) => BroadcastRows(level, op, plan, pa, pb, py, r0, r1));

    private static unsafe void BroadcastRows(IsaLevel level, BinaryFunction op, BroadcastWalker plan, float* pa, float* pb, float* py, int r0, int r1)
    {
        int inner = plan.Inner;
        Span<int> idx = stackalloc int[BroadcastWalker.MaxRank];
        for (int r = r0; r < r1; r++)
        {
            plan.Offsets(r, idx, out long oa, out long ob);
            int sa = plan.InnerStrideA, sb = plan.InnerStrideB;
            var ya = new Span<float>(py + ((long)r * inner), inner);
            if (sa == 1 && sb == 1)
            {
                BinaryDispatch(level, op, RowKind.Same, new ReadOnlySpan<float>(pa + oa, inner), new ReadOnlySpan<float>(pb + ob, inner), ya, 1);
            }
            else if (sa == 1 && sb == 0)
            {
                BinaryDispatch(level, op, RowKind.ScalarRight, new ReadOnlySpan<float>(pa + oa, inner), new ReadOnlySpan<float>(pb + ob, 1), ya, 1);
            }
            else if (sa == 0 && sb == 1)
            {
                BinaryDispatch(level, op, RowKind.ScalarLeft, new ReadOnlySpan<float>(pa + oa, 1), new ReadOnlySpan<float>(pb + ob, inner), ya, 1);
            }
            else
            {
                // both broadcast along the row (inner==1 after collapsing or 0/0 strides): scalar op
                for (int i = 0; i < inner; i++)
                {
                    float va = pa[oa + ((long)i * sa)], vb = pb[ob + ((long)i * sb)];
                    BinaryDispatch(IsaLevel.Scalar, op, RowKind.Same, new ReadOnlySpan<float>(in va), new ReadOnlySpan<float>(in vb), ya.Slice(i, 1), 1);
                }
            }
        }
    }

    /// <summary>Broadcasting comparison producing 1f/0f. NaN compares unequal to everything (NotEqual gives 1).</summary>
    public static void Compare(IsaLevel isa, CompareOp op, ReadOnlySpan<float> a, ReadOnlySpan<int> aShape, ReadOnlySpan<float> b, ReadOnlySpan<int> bShape, Span<float> y, ReadOnlySpan<int> yShape)
    {
        var plan = BroadcastWalker.Create(aShape, bShape, yShape);
        CheckLengths(plan, a.Length, b.Length, y.Length);
        Span<int> idx = stackalloc int[BroadcastWalker.MaxRank];
        for (int r = 0; r < plan.Rows; r++)
        {
            plan.Offsets(r, idx, out long oa, out long ob);
            for (int i = 0; i < plan.Inner; i++)
            {
                y[(r * plan.Inner) + i] = Cmp(op, a[(int)(oa + ((long)i * plan.InnerStrideA))], b[(int)(ob + ((long)i * plan.InnerStrideB))]) ? 1f : 0f;
            }
        }
    }

    /// <summary>Broadcasting comparison producing int32 1/0 (ONNX bool stored as int32).</summary>
    public static void Compare(IsaLevel isa, CompareOp op, ReadOnlySpan<float> a, ReadOnlySpan<int> aShape, ReadOnlySpan<float> b, ReadOnlySpan<int> bShape, Span<int> y, ReadOnlySpan<int> yShape)
    {
        var plan = BroadcastWalker.Create(aShape, bShape, yShape);
        CheckLengths(plan, a.Length, b.Length, y.Length);
        Span<int> idx = stackalloc int[BroadcastWalker.MaxRank];
        for (int r = 0; r < plan.Rows; r++)
        {
            plan.Offsets(r, idx, out long oa, out long ob);
            for (int i = 0; i < plan.Inner; i++)
            {
                y[(r * plan.Inner) + i] = Cmp(op, a[(int)(oa + ((long)i * plan.InnerStrideA))], b[(int)(ob + ((long)i * plan.InnerStrideB))]) ? 1 : 0;
            }
        }
    }

    /// <summary>Broadcasting comparison of int32 tensors producing int32 1/0.</summary>
    public static void Compare(IsaLevel isa, CompareOp op, ReadOnlySpan<int> a, ReadOnlySpan<int> aShape, ReadOnlySpan<int> b, ReadOnlySpan<int> bShape, Span<int> y, ReadOnlySpan<int> yShape)
    {
        var plan = BroadcastWalker.Create(aShape, bShape, yShape);
        CheckLengths(plan, a.Length, b.Length, y.Length);
        Span<int> idx = stackalloc int[BroadcastWalker.MaxRank];
        for (int r = 0; r < plan.Rows; r++)
        {
            plan.Offsets(r, idx, out long oa, out long ob);
            for (int i = 0; i < plan.Inner; i++)
            {
                int va = a[(int)(oa + ((long)i * plan.InnerStrideA))], vb = b[(int)(ob + ((long)i * plan.InnerStrideB))];
                bool res = op switch
                {
                    CompareOp.Equal => va == vb,
                    CompareOp.NotEqual => va != vb,
                    CompareOp.Less => va < vb,
                    CompareOp.LessOrEqual => va <= vb,
                    CompareOp.Greater => va > vb,
                    CompareOp.GreaterOrEqual => va >= vb,
                    _ => throw new ArgumentOutOfRangeException(nameof(op)),
                };
                y[(r * plan.Inner) + i] = res ? 1 : 0;
            }
        }
    }

    private static void CheckLengths(BroadcastWalker plan, int a, int b, int y)
    {
        if (a < plan.ALength || b < plan.BLength || y < plan.YLength)
        {
            throw new ArgumentException("span shorter than its shape");
        }
    }

    private static bool Cmp(CompareOp op, float a, float b) => op switch
    {
        CompareOp.Equal => a == b,
        CompareOp.NotEqual => a != b,
        CompareOp.Less => a < b,
        CompareOp.LessOrEqual => a <= b,
        CompareOp.Greater => a > b,
        CompareOp.GreaterOrEqual => a >= b,
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    internal enum RowKind
    {
        Same,
        ScalarRight,
        ScalarLeft,
    }

    internal static void BinaryDispatch(IsaLevel isa, BinaryFunction op, RowKind kind, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y, int threads)
    {
        switch (op)
        {
            case BinaryFunction.Add: Loops.Binary(isa, new AddOp(), kind, a, b, y, threads); break;
            case BinaryFunction.Sub: Loops.Binary(isa, new SubOp(), kind, a, b, y, threads); break;
            case BinaryFunction.Mul: Loops.Binary(isa, new MulOp(), kind, a, b, y, threads); break;
            case BinaryFunction.Div: Loops.Binary(isa, new DivOp(), kind, a, b, y, threads); break;
            case BinaryFunction.Pow: Loops.Binary(isa, new PowOp(), kind, a, b, y, threads); break;
            case BinaryFunction.Min: Loops.Binary(isa, new MinOp(), kind, a, b, y, threads); break;
            case BinaryFunction.Max: Loops.Binary(isa, new MaxOp(), kind, a, b, y, threads); break;
            case BinaryFunction.SquaredDifference: Loops.Binary(isa, new SquaredDifferenceOp(), kind, a, b, y, threads); break;
            case BinaryFunction.Mod: Loops.Binary(isa, new ModOp(), kind, a, b, y, threads); break;
            case BinaryFunction.FMod: Loops.Binary(isa, new FModOp(), kind, a, b, y, threads); break;
            default: throw new ArgumentOutOfRangeException(nameof(op));
        }
    }
}

/// <summary>Collapsed broadcast geometry: rows × inner with per-operand strides.</summary>
internal sealed class BroadcastWalker
{
    public const int MaxRank = 16;

    private readonly int[] _dims;     // outer dims (excluding inner)
    private readonly long[] _sa;
    private readonly long[] _sb;

    private BroadcastWalker(int[] dims, long[] sa, long[] sb, int inner, int isa, int isb, long aLen, long bLen, long yLen)
    {
        _dims = dims;
        _sa = sa;
        _sb = sb;
        Inner = inner;
        InnerStrideA = isa;
        InnerStrideB = isb;
        ALength = aLen;
        BLength = bLen;
        YLength = yLen;
        long rows = 1;
        foreach (int d in dims)
        {
            rows *= d;
        }

        Rows = (int)rows;
    }

    public int Rows { get; }

    public int Inner { get; }

    public int InnerStrideA { get; }

    public int InnerStrideB { get; }

    public long ALength { get; }

    public long BLength { get; }

    public long YLength { get; }

    public static BroadcastWalker Create(ReadOnlySpan<int> aShape, ReadOnlySpan<int> bShape, ReadOnlySpan<int> yShape)
    {
        int rank = yShape.Length;
        if (aShape.Length > rank || bShape.Length > rank || rank > MaxRank)
        {
            throw new ArgumentException("operand rank exceeds output rank (or > 16)");
        }

        var dims = new List<int>();
        var sa = new List<long>();
        var sb = new List<long>();
        long strideA = 1, strideB = 1, aLen = 1, bLen = 1, yLen = 1;
        var tmp = new (int D, long A, long B)[rank];
        for (int i = rank - 1; i >= 0; i--)
        {
            int yd = yShape[i];
            int ad = i - (rank - aShape.Length) >= 0 ? aShape[i - (rank - aShape.Length)] : 1;
            int bd = i - (rank - bShape.Length) >= 0 ? bShape[i - (rank - bShape.Length)] : 1;
            if (yd < 0 || (ad != yd && ad != 1) || (bd != yd && bd != 1))
            {
                throw new ArgumentException($"shapes not broadcastable at dim {i}: a={ad} b={bd} y={yd}");
            }

            tmp[i] = (yd, ad == 1 && yd != 1 ? 0 : strideA, bd == 1 && yd != 1 ? 0 : strideB);
            strideA *= ad;
            strideB *= bd;
            aLen *= ad;
            bLen *= bd;
            yLen *= yd;
        }

        // drop size-1 dims, collapse mergeable neighbours (innermost first)
        var merged = new List<(int D, long A, long B)>();
        for (int i = rank - 1; i >= 0; i--)
        {
            var cur = tmp[i];
            if (cur.D == 1)
            {
                continue;
            }

            if (merged.Count > 0)
            {
                var prev = merged[^1];
                if (cur.A == prev.A * prev.D && cur.B == prev.B * prev.D)
                {
                    merged[^1] = ((int)((long)prev.D * cur.D), prev.A, prev.B);
                    continue;
                }
            }

            merged.Add(cur);
        }

        if (merged.Count == 0)
        {
            merged.Add((1, 0, 0));
        }

        var innerDim = merged[0];
        for (int i = merged.Count - 1; i >= 1; i--)
        {
            dims.Add(merged[i].D);
            sa.Add(merged[i].A);
            sb.Add(merged[i].B);
        }

        if (yLen == 0)
        {
            return new BroadcastWalker([0], [0], [0], 0, 0, 0, aLen, bLen, 0);
        }

        return new BroadcastWalker(dims.ToArray(), sa.ToArray(), sb.ToArray(), innerDim.D, (int)innerDim.A, (int)innerDim.B, aLen, bLen, yLen);
    }

    /// <summary>Operand offsets of row <paramref name="row"/>.</summary>
    public void Offsets(int row, Span<int> scratch, out long oa, out long ob)
    {
        oa = 0;
        ob = 0;
        long r = row;
        for (int d = _dims.Length - 1; d >= 0; d--)
        {
            long i = r % _dims[d];
            r /= _dims[d];
            oa += i * _sa[d];
            ob += i * _sb[d];
        }
    }
}

/// <summary>One generic loop driver per loop shape, dispatched once per call on the clamped ISA level.</summary>
internal static class Loops
{
    private const int ParallelGrain = 1 << 15;

    public static void Unary<TOp>(IsaLevel isa, TOp op, ReadOnlySpan<float> x, Span<float> y, int threads)
        where TOp : struct, IUnaryOp
    {
        if (x.Length != y.Length)
        {
            throw new ArgumentException("x and y must have the same length");
        }

        int n = x.Length;
        int t = KernelParallel.Effective(threads, n, ParallelGrain);
        if (t <= 1)
        {
            UnaryDispatch(isa, op, ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(y), n);
            return;
        }

        unsafe
        {
            fixed (float* px = x, py = y)
            {
                UnaryParallel(isa, op, px, py, n, t);
            }
        }
    }

    /// <summary>Separate from <see cref="Unary"/> so that only a parallel call allocates its closure.</summary>
    private static unsafe void UnaryParallel<TOp>(IsaLevel isa, TOp op, float* px, float* py, int n, int t)
        where TOp : struct, IUnaryOp
    {
        int chunks = (n + 255) / 256;
        KernelParallel.For(chunks, t, (c0, c1) =>
        {
            int s = c0 * 256, e = Math.Min(n, c1 * 256);
            UnaryDispatch(isa, op, ref px[s], ref py[s], e - s);
        });
    }

    public static void UnaryDispatch<TOp>(IsaLevel isa, TOp op, ref float x, ref float y, nint n)
        where TOp : struct, IUnaryOp
    {
        switch (KernelIsa.Clamp(isa))
        {
            case IsaLevel.V512: UnaryCore<TOp, Vector512<float>, S512>(op, ref x, ref y, n); break;
            case IsaLevel.V256: UnaryCore<TOp, Vector256<float>, S256>(op, ref x, ref y, n); break;
            case IsaLevel.V128: UnaryCore<TOp, Vector128<float>, S128>(op, ref x, ref y, n); break;
            default: UnaryCore<TOp, float, S1>(op, ref x, ref y, n); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void UnaryCore<TOp, TV, S>(TOp op, ref float x, ref float y, nint n)
        where TOp : struct, IUnaryOp
        where TV : struct
        where S : struct, ISimd<TV>
    {
        nint i = 0;
        nint c = S.Count;
        for (; i <= n - (4 * c); i += 4 * c)
        {
            TV v0 = S.Load(ref x, i), v1 = S.Load(ref x, i + c), v2 = S.Load(ref x, i + (2 * c)), v3 = S.Load(ref x, i + (3 * c));
            S.Store(op.Invoke<TV, S>(v0), ref y, i);
            S.Store(op.Invoke<TV, S>(v1), ref y, i + c);
            S.Store(op.Invoke<TV, S>(v2), ref y, i + (2 * c));
            S.Store(op.Invoke<TV, S>(v3), ref y, i + (3 * c));
        }

        for (; i <= n - c; i += c)
        {
            S.Store(op.Invoke<TV, S>(S.Load(ref x, i)), ref y, i);
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref y, i) = op.Invoke<float, S1>(Unsafe.Add(ref x, i));
        }
    }

    public static void Binary<TOp>(IsaLevel isa, TOp op, Elementwise.RowKind kind, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y, int threads)
        where TOp : struct, IBinaryOp
    {
        int n = y.Length;
        int t = KernelParallel.Effective(threads, n, ParallelGrain);
        if (t <= 1)
        {
            BinaryDispatch(isa, op, kind, ref MemoryMarshal.GetReference(a), ref MemoryMarshal.GetReference(b), ref MemoryMarshal.GetReference(y), n);
            return;
        }

        unsafe
        {
            fixed (float* pa = a, pb = b, py = y)
            {
                BinaryParallel(isa, op, kind, pa, pb, py, n, t);
            }
        }
    }

    /// <summary>Separate from <see cref="Binary"/> so that only a parallel call allocates its closure.</summary>
    private static unsafe void BinaryParallel<TOp>(IsaLevel isa, TOp op, Elementwise.RowKind kind, float* pa, float* pb, float* py, int n, int t)
        where TOp : struct, IBinaryOp
    {
        int chunks = (n + 255) / 256;
        KernelParallel.For(chunks, t, (c0, c1) =>
        {
            int s = c0 * 256, e = Math.Min(n, c1 * 256);
            ref float ra = ref (kind == Elementwise.RowKind.ScalarLeft ? ref pa[0] : ref pa[s]);
            ref float rb = ref (kind == Elementwise.RowKind.ScalarRight ? ref pb[0] : ref pb[s]);
            BinaryDispatch(isa, op, kind, ref ra, ref rb, ref py[s], e - s);
        });
    }

    public static void BinaryDispatch<TOp>(IsaLevel isa, TOp op, Elementwise.RowKind kind, ref float a, ref float b, ref float y, nint n)
        where TOp : struct, IBinaryOp
    {
        switch (KernelIsa.Clamp(isa))
        {
            case IsaLevel.V512: BinaryCore<TOp, Vector512<float>, S512>(op, kind, ref a, ref b, ref y, n); break;
            case IsaLevel.V256: BinaryCore<TOp, Vector256<float>, S256>(op, kind, ref a, ref b, ref y, n); break;
            case IsaLevel.V128: BinaryCore<TOp, Vector128<float>, S128>(op, kind, ref a, ref b, ref y, n); break;
            default: BinaryCore<TOp, float, S1>(op, kind, ref a, ref b, ref y, n); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BinaryCore<TOp, TV, S>(TOp op, Elementwise.RowKind kind, ref float a, ref float b, ref float y, nint n)
        where TOp : struct, IBinaryOp
        where TV : struct
        where S : struct, ISimd<TV>
    {
        nint i = 0;
        nint c = S.Count;
        if (kind == Elementwise.RowKind.Same)
        {
            for (; i <= n - (2 * c); i += 2 * c)
            {
                TV a0 = S.Load(ref a, i), a1 = S.Load(ref a, i + c);
                TV b0 = S.Load(ref b, i), b1 = S.Load(ref b, i + c);
                S.Store(op.Invoke<TV, S>(a0, b0), ref y, i);
                S.Store(op.Invoke<TV, S>(a1, b1), ref y, i + c);
            }

            for (; i <= n - c; i += c)
            {
                S.Store(op.Invoke<TV, S>(S.Load(ref a, i), S.Load(ref b, i)), ref y, i);
            }

            for (; i < n; i++)
            {
                Unsafe.Add(ref y, i) = op.Invoke<float, S1>(Unsafe.Add(ref a, i), Unsafe.Add(ref b, i));
            }
        }
        else if (kind == Elementwise.RowKind.ScalarRight)
        {
            float bs = b;
            TV bv = S.Splat(bs);
            for (; i <= n - c; i += c)
            {
                S.Store(op.Invoke<TV, S>(S.Load(ref a, i), bv), ref y, i);
            }

            for (; i < n; i++)
            {
                Unsafe.Add(ref y, i) = op.Invoke<float, S1>(Unsafe.Add(ref a, i), bs);
            }
        }
        else
        {
            float as_ = a;
            TV av = S.Splat(as_);
            for (; i <= n - c; i += c)
            {
                S.Store(op.Invoke<TV, S>(av, S.Load(ref b, i)), ref y, i);
            }

            for (; i < n; i++)
            {
                Unsafe.Add(ref y, i) = op.Invoke<float, S1>(as_, Unsafe.Add(ref b, i));
            }
        }
    }
}
