using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelBuild.Runtime.Kernels;

/// <summary>Where a GEMM bias vector is broadcast.</summary>
internal enum GemmBias
{
    None,
    /// <summary>bias[i] added to every element of row i (length M) — convolution bias.</summary>
    PerRow,
    /// <summary>bias[j] added to every element of column j (length N) — fully-connected bias.</summary>
    PerColumn,
}

/// <summary>
/// B pre-packed into column panels of the register-tile width of one ISA level (see <see cref="Gemm.PackB"/>).
/// Immutable, thread-safe to share between runs.
/// </summary>
internal sealed class PackedB
{
    internal PackedB(float[] data, int k, int n, int panelWidth, IsaLevel isa)
    {
        Data = data;
        K = k;
        N = n;
        PanelWidth = panelWidth;
        Isa = isa;
    }

    public int K { get; }

    public int N { get; }

    /// <summary>The (clamped) level the panels were laid out for; GEMMs with this B run at this level.</summary>
    public IsaLevel Isa { get; }

    internal int PanelWidth { get; }

    internal float[] Data { get; }
}

/// <summary>
/// A pre-packed into <see cref="Gemm.MR"/>-row panels over the full K (see <see cref="Gemm.PackA"/>); the layout
/// does not depend on the ISA level. Immutable, thread-safe to share between runs (e.g. convolution weights packed once).
/// </summary>
internal sealed class PackedA
{
    internal PackedA(float[] data, int m, int k)
    {
        Data = data;
        M = m;
        K = k;
    }

    public int M { get; }

    public int K { get; }

    internal float[] Data { get; }
}

/// <summary>
/// Single-precision GEMM: <c>C[M,N] = act(init + op(A)[M,K] · op(B)[K,N])</c> with
/// <c>init = (accumulate ? C : 0) (+ bias)</c>. Row-major storage with leading dimensions; <c>transA</c> means
/// A is stored K×M (element (i,k) at a[k·lda+i]), <c>transB</c> means B is stored N×K (element (k,j) at b[j·ldb+k]).
/// <para>Order of operations (the contract every ISA level meets bit-for-bit): for each C element,
/// <c>acc = accumulate ? C[i,j] : 0; if bias: acc = acc + bias; for k = 0..K-1: acc = fma(A[i,k], B[k,j], acc);
/// C[i,j] = min(max(acc, lo), hi)</c> (activation skipped for None). <see cref="Reference"/> implements exactly that.</para>
/// <para>Implementation: B packed into panels of 2 vectors (16/32/8 floats at V512/V256/V128, 2 at scalar), A packed
/// into 6-row panels, K blocked so a B micro-panel stays in L1, 6×2-vector register-blocked FMA micro-kernel
/// written once generically over the vector width. Threads split N (or M when N is narrow) into contiguous
/// panel-aligned ranges.</para>
/// </summary>
internal static class Gemm
{
    internal const int MR = 6;
    internal const int NRV = 2; // vectors per panel

    /// <summary>Panel width (floats) used at a given (clamped) level.</summary>
    /// <summary>
    /// The widest level whose panel a product with only <paramref name="n"/> columns still fills (same bits at any
    /// level): attention's 16×16 products at V512 ran half-empty 32-column panels through the copy-in/copy-out tile
    /// path (3 µs per 4-head product).
    /// </summary>
    internal static IsaLevel NarrowForColumns(IsaLevel level, int n)
    {
        if (level == IsaLevel.V512 && n <= PanelWidth(IsaLevel.V512) / 2)
        {
            level = KernelIsa.Clamp(IsaLevel.V256);
        }

        if (level == IsaLevel.V256 && n <= PanelWidth(IsaLevel.V256) / 2)
        {
            level = KernelIsa.Clamp(IsaLevel.V128);
        }

        return level;
    }

    internal static int PanelWidth(IsaLevel level) => level switch
    {
        IsaLevel.V512 => 32,
        IsaLevel.V256 => 16,
        IsaLevel.V128 => 8,
        _ => 2,
    };

    /// <summary>C = act(init + op(A)·op(B)). See the type remarks for the exact contract.</summary>
    public static void Compute(
        IsaLevel isa, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, bool transA,
        ReadOnlySpan<float> b, int ldb, bool transB,
        Span<float> c, int ldc,
        ReadOnlySpan<float> bias = default, GemmBias biasKind = GemmBias.None,
        bool accumulate = false, FusedActivation activation = default, int threads = 1)
    {
        CheckA(m, k, a, lda, transA);
        CheckB(k, n, b, ldb, transB);
        CheckC(m, n, c, ldc, bias, biasKind);
        if (m == 0 || n == 0)
        {
            return;
        }

        unsafe
        {
            fixed (float* pa = a, pb = b, pc = c, pbias = bias)
            {
                if (SmallGemm.Applies(m, n, k, transB))
                {
                    SmallGemm.Run(NarrowForColumns(KernelIsa.Clamp(isa), n), m, n, k, pa, lda, transA, pb, ldb, pc, ldc, pbias, biasKind, accumulate, activation);
                    return;
                }

                var job = new Job
                {
                    Level = NarrowForColumns(KernelIsa.Clamp(isa), n), M = m, N = n, K = k, A = pa, Lda = lda, TransA = transA,
                    B = pb, Ldb = ldb, TransB = transB, PackedB = null, C = pc, Ldc = ldc, Bias = pbias,
                    BiasKind = biasKind, Accumulate = accumulate, Lo = activation.Lo, Hi = activation.Hi,
                    HasAct = activation.Kind != ActivationKind.None,
                };
                Run(ref job, threads);
            }
        }
    }

    /// <summary>C = act(init + op(A)·B) with B pre-packed by <see cref="PackB"/>; runs at <see cref="PackedB.Isa"/> (same bits as any level).</summary>
    public static void Compute(
        IsaLevel isa, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, bool transA,
        PackedB b,
        Span<float> c, int ldc,
        ReadOnlySpan<float> bias = default, GemmBias biasKind = GemmBias.None,
        bool accumulate = false, FusedActivation activation = default, int threads = 1)
    {
        ArgumentNullException.ThrowIfNull(b);
        if (b.K != k || b.N != n)
        {
            throw new ArgumentException($"packed B is {b.K}x{b.N}, expected {k}x{n}");
        }

        CheckA(m, k, a, lda, transA);
        CheckC(m, n, c, ldc, bias, biasKind);
        if (m == 0 || n == 0)
        {
            return;
        }

        unsafe
        {
            fixed (float* pa = a, pc = c, pbias = bias, pbp = b.Data)
            {
                var job = new Job
                {
                    Level = b.Isa, M = m, N = n, K = k, A = pa, Lda = lda, TransA = transA,
                    B = null, Ldb = 0, TransB = false, PackedB = pbp, C = pc, Ldc = ldc, Bias = pbias,
                    BiasKind = biasKind, Accumulate = accumulate, Lo = activation.Lo, Hi = activation.Hi,
                    HasAct = activation.Kind != ActivationKind.None,
                };
                Run(ref job, threads);
            }
        }
    }

    /// <summary>C = act(init + A·op(B)) with A pre-packed by <see cref="PackA"/> (same bits as the unpacked call).</summary>
    public static void Compute(
        IsaLevel isa, int n, PackedA a,
        ReadOnlySpan<float> b, int ldb, bool transB,
        Span<float> c, int ldc,
        ReadOnlySpan<float> bias = default, GemmBias biasKind = GemmBias.None,
        bool accumulate = false, FusedActivation activation = default, int threads = 1)
    {
        ArgumentNullException.ThrowIfNull(a);
        int m = a.M, k = a.K;
        CheckB(k, n, b, ldb, transB);
        CheckC(m, n, c, ldc, bias, biasKind);
        if (m == 0 || n == 0)
        {
            return;
        }

        unsafe
        {
            fixed (float* pa = a.Data, pb = b, pc = c, pbias = bias)
            {
                var job = new Job
                {
                    Level = KernelIsa.Clamp(isa), M = m, N = n, K = k, A = null, Lda = 0, TransA = false, PackedA = pa,
                    B = pb, Ldb = ldb, TransB = transB, PackedB = null, C = pc, Ldc = ldc, Bias = pbias,
                    BiasKind = biasKind, Accumulate = accumulate, Lo = activation.Lo, Hi = activation.Hi,
                    HasAct = activation.Kind != ActivationKind.None,
                };
                Run(ref job, threads);
            }
        }
    }

    /// <summary>C = act(init + A·B) with both operands pre-packed; runs at <see cref="PackedB.Isa"/> (same bits as any level).</summary>
    public static void Compute(
        PackedA a, PackedB b,
        Span<float> c, int ldc,
        ReadOnlySpan<float> bias = default, GemmBias biasKind = GemmBias.None,
        bool accumulate = false, FusedActivation activation = default, int threads = 1)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (b.K != a.K)
        {
            throw new ArgumentException($"packed B is {b.K}x{b.N}, packed A is {a.M}x{a.K}");
        }

        int m = a.M, n = b.N, k = a.K;
        CheckC(m, n, c, ldc, bias, biasKind);
        if (m == 0 || n == 0)
        {
            return;
        }

        unsafe
        {
            fixed (float* pa = a.Data, pc = c, pbias = bias, pbp = b.Data)
            {
                var job = new Job
                {
                    Level = b.Isa, M = m, N = n, K = k, A = null, Lda = 0, TransA = false, PackedA = pa,
                    B = null, Ldb = 0, TransB = false, PackedB = pbp, C = pc, Ldc = ldc, Bias = pbias,
                    BiasKind = biasKind, Accumulate = accumulate, Lo = activation.Lo, Hi = activation.Hi,
                    HasAct = activation.Kind != ActivationKind.None,
                };
                Run(ref job, threads);
            }
        }
    }

    /// <summary>
    /// C = act(bias + A·B) with A pre-packed and B indirect: B[k, j] = b[rowOff[k] + j] (implicit-GEMM convolution).
    /// The caller guarantees b[rowOff[k] + j] is readable for j up to N rounded up to a whole panel.
    /// </summary>
    internal static unsafe void ComputeIndirect(
        IsaLevel level, PackedA a, float* b, int* rowOff, int n, float* c, int ldc, float* bias, GemmBias biasKind,
        FusedActivation activation, int threads)
    {
        if (a.M == 0 || n == 0)
        {
            return;
        }

        fixed (float* pa = a.Data)
        {
            var job = new Job
            {
                Level = level, M = a.M, N = n, K = a.K, A = null, Lda = 0, TransA = false, PackedA = pa,
                B = b, Ldb = 0, TransB = false, PackedB = null, BRowOff = rowOff, C = c, Ldc = ldc, Bias = bias,
                BiasKind = biasKind, Accumulate = false, Lo = activation.Lo, Hi = activation.Hi,
                HasAct = activation.Kind != ActivationKind.None,
            };
            Run(ref job, threads);
        }
    }

    /// <summary>Packs op(A) (M×K) into <see cref="MR"/>-row panels over the full K for repeated use (any ISA level).</summary>
    public static PackedA PackA(ReadOnlySpan<float> a, int lda, bool transA, int m, int k)
    {
        CheckA(m, k, a, lda, transA);
        int panels = (m + MR - 1) / MR;
        var data = new float[Math.Max(1L, (long)panels * k * MR)];
        unsafe
        {
            fixed (float* pa = a, pd = data)
            {
                for (int p = 0; p < panels; p++)
                {
                    PackAPanel(pa, lda, transA, p * MR, Math.Min(MR, m - (p * MR)), 0, k, pd + ((long)p * k * MR));
                }
            }
        }

        return new PackedA(data, m, k);
    }

    /// <summary>Packs op(B) (K×N) into the panel layout of <paramref name="isa"/> (clamped) for repeated use.</summary>
    public static PackedB PackB(IsaLevel isa, ReadOnlySpan<float> b, int ldb, bool transB, int k, int n)
    {
        CheckB(k, n, b, ldb, transB);
        IsaLevel level = KernelIsa.Clamp(isa);
        int nr = PanelWidth(level);
        int panels = (n + nr - 1) / nr;
        var data = new float[(long)panels * k * nr];
        unsafe
        {
            fixed (float* pb = b, pd = data)
            {
                for (int p = 0; p < panels; p++)
                {
                    PackBPanel(pb, ldb, transB, 0, k, p * nr, Math.Min(nr, n - (p * nr)), nr, pd + ((long)p * k * nr));
                }
            }
        }

        return new PackedB(data, k, n, nr, level);
    }

    /// <summary>Naive scalar implementation of the contract (i, j, k loops) — the bit-exact reference.</summary>
    public static void Reference(
        int m, int n, int k,
        ReadOnlySpan<float> a, int lda, bool transA,
        ReadOnlySpan<float> b, int ldb, bool transB,
        Span<float> c, int ldc,
        ReadOnlySpan<float> bias = default, GemmBias biasKind = GemmBias.None,
        bool accumulate = false, FusedActivation activation = default)
    {
        CheckA(m, k, a, lda, transA);
        CheckB(k, n, b, ldb, transB);
        CheckC(m, n, c, ldc, bias, biasKind);
        float lo = activation.Lo, hi = activation.Hi;
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                float acc = accumulate ? c[(i * ldc) + j] : 0f;
                if (biasKind == GemmBias.PerRow)
                {
                    acc += bias[i];
                }
                else if (biasKind == GemmBias.PerColumn)
                {
                    acc += bias[j];
                }

                for (int kk = 0; kk < k; kk++)
                {
                    float av = transA ? a[(kk * lda) + i] : a[(i * lda) + kk];
                    float bv = transB ? b[(j * ldb) + kk] : b[(kk * ldb) + j];
                    acc = MathF.FusedMultiplyAdd(av, bv, acc);
                }

                if (activation.Kind != ActivationKind.None)
                {
                    acc = MathF.Min(MathF.Max(acc, lo), hi);
                }

                c[(i * ldc) + j] = acc;
            }
        }
    }

    private static void CheckA(int m, int k, ReadOnlySpan<float> a, int lda, bool transA)
    {
        if (m < 0 || k < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(m));
        }

        long need = m == 0 || k == 0 ? 0 : transA ? ((long)(k - 1) * lda) + m : ((long)(m - 1) * lda) + k;
        if ((transA ? lda < m : lda < k) && m > 0 && k > 0 || a.Length < need)
        {
            throw new ArgumentException("A too small for m, k, lda");
        }
    }

    private static void CheckB(int k, int n, ReadOnlySpan<float> b, int ldb, bool transB)
    {
        if (n < 0 || k < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(n));
        }

        long need = n == 0 || k == 0 ? 0 : transB ? ((long)(n - 1) * ldb) + k : ((long)(k - 1) * ldb) + n;
        if ((transB ? ldb < k : ldb < n) && n > 0 && k > 0 || b.Length < need)
        {
            throw new ArgumentException("B too small for k, n, ldb");
        }
    }

    private static void CheckC(int m, int n, Span<float> c, int ldc, ReadOnlySpan<float> bias, GemmBias biasKind)
    {
        long need = m == 0 || n == 0 ? 0 : ((long)(m - 1) * ldc) + n;
        if ((ldc < n && m > 0) || c.Length < need)
        {
            throw new ArgumentException("C too small for m, n, ldc");
        }

        if ((biasKind == GemmBias.PerRow && bias.Length < m) || (biasKind == GemmBias.PerColumn && bias.Length < n))
        {
            throw new ArgumentException("bias too short");
        }
    }

    internal unsafe struct Job
    {
        public IsaLevel Level;
        public int M, N, K;
        public float* A;
        public int Lda;
        public bool TransA;
        /// <summary>A packed by <see cref="PackA"/> (then <see cref="A"/> is unused), or null.</summary>
        public float* PackedA;
        public float* B;
        public int Ldb;
        public bool TransB;
        public float* PackedB;
        /// <summary>Indirect B (implicit-GEMM convolution), or null: row k of B starts at B + BRowOff[k], columns are
        /// contiguous, and whole panels past N may be read (the caller provides the slack).</summary>
        public int* BRowOff;
        public float* C;
        public int Ldc;
        public float* Bias;
        public GemmBias BiasKind;
        public bool Accumulate;
        public float Lo, Hi;
        public bool HasAct;
    }

    internal static unsafe void Run(ref Job job, int threads)
    {
        int nr = PanelWidth(job.Level);
        int panels = (job.N + nr - 1) / nr;
        int mPanels = (job.M + MR - 1) / MR;
        long flops = (long)job.M * job.N * Math.Max(job.K, 1);
        int t = KernelParallel.Effective(threads, flops, 1L << 18);
        if (t <= 1)
        {
            RunRange(ref job, 0, job.M, 0, job.N);
            return;
        }

        RunParallel(job, t, nr, panels, mPanels);
    }

    /// <summary>Separate from <see cref="Run"/> so that only a parallel GEMM allocates its closure.</summary>
    private static unsafe void RunParallel(Job j, int t, int nr, int panels, int mPanels)
    {
        if (panels >= 2 * t || panels >= mPanels)
        {
            // With A pre-packed (or B pre-packed, whose panels are most of the work, SmallPlaneConv) a column range
            // costs little to start, so it is split finer and claimed by whichever thread is free (a thread on a busy
            // core takes less); otherwise each range would pack A again.
            KernelParallel.ForBalanced(panels, t, j.PackedA != null || j.PackedB != null ? 4 : 1, (p0, p1) =>
            {
                Job jj = j;
                RunRange(ref jj, 0, jj.M, p0 * nr, Math.Min(jj.N, p1 * nr));
            });
        }
        else
        {
            KernelParallel.For(mPanels, t, (p0, p1) =>
            {
                Job jj = j;
                RunRange(ref jj, p0 * MR, Math.Min(jj.M, p1 * MR), 0, jj.N);
            });
        }
    }

    /// <summary>Computes rows [m0,m1) × columns [n0,n1) (n0 panel-aligned) single-threaded.</summary>
    internal static unsafe void RunRange(ref Job job, int m0, int m1, int n0, int n1)
    {
        switch (job.Level)
        {
            case IsaLevel.V512: RunRange<Vector512<float>, S512>(ref job, m0, m1, n0, n1); break;
            case IsaLevel.V256: RunRange<Vector256<float>, S256>(ref job, m0, m1, n0, n1); break;
            case IsaLevel.V128: RunRange<Vector128<float>, S128>(ref job, m0, m1, n0, n1); break;
            default: RunRange<float, S1>(ref job, m0, m1, n0, n1); break;
        }
    }

    private static unsafe void RunRange<TV, S>(ref Job job, int m0, int m1, int n0, int n1)
        where TV : struct
        where S : struct, ISimd<TV>
    {
        int nr = NRV * S.Count;
        int K = job.K;
        // K block: C tiles are stored and reloaded once per block (exact, so any kc gives the same bits). 512 at every
        // width (measured at V512 against 128: 10-16 % faster on deep 1x1 and 7x7 layers, where C reloads missed L2)
        int kc = KcOverride > 0 ? KcOverride : 512;
        int mc = Math.Max(MR, (65536 / kc) / MR * MR);
        int nc = Math.Max(nr, (262144 / Math.Max(1, Math.Min(kc, Math.Max(K, 1)))) / nr * nr);
        float* C = job.C;
        int ldc = job.Ldc;

        if (K == 0)
        {
            // C = act((accumulate ? C : 0) (+ bias))
            for (int i = m0; i < m1; i++)
            {
                float* row = C + ((long)i * ldc);
                for (int jx = n0; jx < n1; jx++)
                {
                    float v = job.Accumulate ? row[jx] : 0f;
                    if (job.BiasKind == GemmBias.PerRow)
                    {
                        v += job.Bias[i];
                    }
                    else if (job.BiasKind == GemmBias.PerColumn)
                    {
                        v += job.Bias[jx];
                    }

                    row[jx] = job.HasAct ? MathF.Min(MathF.Max(v, job.Lo), job.Hi) : v;
                }
            }

            return;
        }

        int mcAlloc = Math.Min(mc, ((m1 - m0 + MR - 1) / MR) * MR);
        int ncAlloc = Math.Min(nc, ((n1 - n0 + nr - 1) / nr) * nr);
        int kcAlloc = Math.Min(kc, K);
        float[]? aBufArr = job.PackedA == null ? ArrayPool<float>.Shared.Rent(mcAlloc * kcAlloc + 16) : null;
        // Unpacked row-major B with few rows of A to amortize a pack over: full panels are read in place (row stride
        // ldb); only the ragged last panel is packed. Same loads of the same values, so the same bits.
        bool directB = job.PackedB == null && !job.TransB && DirectB(m1 - m0, job.Ldb);
        bool indirectB = job.BRowOff != null;
        float[]? bBufArr = job.PackedB == null && !indirectB ? ArrayPool<float>.Shared.Rent(ncAlloc * kcAlloc + 16) : null;
        float* tile = stackalloc float[MR * nr];
        float* rowBiasPad = stackalloc float[MR];
        float* colBiasPad = stackalloc float[nr];
        TV lo = S.Splat(job.Lo), hi = S.Splat(job.Hi);
        try
        {
            fixed (float* aBuf = aBufArr, bBufPinned = bBufArr)
            {
                for (int jc = n0; jc < n1; jc += nc)
                {
                    int ncur = Math.Min(nc, n1 - jc);
                    int npanels = (ncur + nr - 1) / nr;
                    for (int pc = 0; pc < K; pc += kc)
                    {
                        int kcur = Math.Min(kc, K - pc);
                        bool last = pc + kcur == K;
                        float* bPack;
                        long bPanelStride;
                        if (indirectB)
                        {
                            bPack = null; // every panel is read in place through the row offsets
                            bPanelStride = 0;
                        }
                        else if (job.PackedB != null)
                        {
                            bPack = job.PackedB + ((long)(jc / nr) * K * nr) + ((long)pc * nr);
                            bPanelStride = (long)K * nr;
                        }
                        else
                        {
                            // whole panel rows on cache lines (the buffer has 16 floats of slack): a 64-byte vector load
                            // that straddles two lines costs about two
                            bPack = (float*)(((nint)bBufPinned + 63) & ~(nint)63);
                            bPanelStride = (long)kcur * nr;
                            for (int p = 0; p < npanels; p++)
                            {
                                int j0 = jc + (p * nr);
                                if (directB && n1 - j0 >= nr)
                                {
                                    continue; // full panel read in place
                                }

                                PackBPanel(job.B, job.Ldb, job.TransB, pc, kcur, j0, Math.Min(nr, n1 - j0), nr, bPack + (p * bPanelStride));
                            }
                        }

                        for (int ic = m0; ic < m1; ic += mc)
                        {
                            int mcur = Math.Min(mc, m1 - ic);
                            int mpanels = (mcur + MR - 1) / MR;
                            float* aBlock;
                            long aPanelStride;
                            if (job.PackedA != null)
                            {
                                // ic is MR-aligned (row splits and mc are multiples of MR)
                                aBlock = job.PackedA + ((long)(ic / MR) * K * MR) + ((long)pc * MR);
                                aPanelStride = (long)K * MR;
                            }
                            else
                            {
                                aBlock = aBuf;
                                aPanelStride = (long)kcur * MR;
                                for (int p = 0; p < mpanels; p++)
                                {
                                    int i0 = ic + (p * MR);
                                    PackAPanel(job.A, job.Lda, job.TransA, i0, Math.Min(MR, m1 - i0), pc, kcur, aBuf + (p * aPanelStride));
                                }
                            }

                            bool act = last && job.HasAct;
                            bool first = pc == 0;
                            bool loadC = !first || job.Accumulate;
                            for (int jp = 0; jp < npanels; jp++)
                            {
                                int j0 = jc + (jp * nr);
                                int ncols = Math.Min(nr, n1 - j0);
                                float* bp = bPack + (jp * bPanelStride);
                                nint bStride = nr;
                                int* bOff = null;
                                if (indirectB)
                                {
                                    bp = job.B + j0;
                                    bOff = job.BRowOff + pc;
                                }
                                else if (directB && ncols == nr)
                                {
                                    bp = job.B + ((long)pc * job.Ldb) + j0;
                                    bStride = job.Ldb;
                                }

                                for (int p = 0; p < mpanels; p++)
                                {
                                    int i0 = ic + (p * MR);
                                    int nrows = Math.Min(MR, m1 - i0);
                                    float* ap = aBlock + (p * aPanelStride);
                                    float* cp = C + ((long)i0 * ldc) + j0;
                                    float* rb = null, cb = null;
                                    if (first && job.BiasKind == GemmBias.PerRow)
                                    {
                                        rb = job.Bias + i0;
                                        if (nrows < MR)
                                        {
                                            for (int r = 0; r < MR; r++)
                                            {
                                                rowBiasPad[r] = r < nrows ? rb[r] : 0f;
                                            }

                                            rb = rowBiasPad;
                                        }
                                    }
                                    else if (first && job.BiasKind == GemmBias.PerColumn)
                                    {
                                        cb = job.Bias + j0;
                                        if (ncols < nr)
                                        {
                                            for (int q = 0; q < nr; q++)
                                            {
                                                colBiasPad[q] = q < ncols ? cb[q] : 0f;
                                            }

                                            cb = colBiasPad;
                                        }
                                    }

                                    if (nrows == MR && ncols == nr)
                                    {
                                        if (bOff != null)
                                        {
                                            Micro<TV, S, IndirectBRows>(ap, new IndirectBRows(bp, bOff), kcur, cp, ldc, loadC, rb, cb, act, lo, hi);
                                        }
                                        else
                                        {
                                            Micro<TV, S, StridedBRows>(ap, new StridedBRows(bp, bStride), kcur, cp, ldc, loadC, rb, cb, act, lo, hi);
                                        }
                                    }
                                    else if (ncols == nr && nrows <= 2)
                                    {
                                        // few leftover rows (e.g. M = 1 GEMV-like calls): one-row kernels, no wasted rows
                                        for (int r = 0; r < nrows; r++)
                                        {
                                            if (bOff != null)
                                            {
                                                MicroRow<TV, S, IndirectBRows>(ap + r, new IndirectBRows(bp, bOff), kcur, cp + ((long)r * ldc), loadC, rb == null ? null : rb + r, cb, act, lo, hi);
                                            }
                                            else
                                            {
                                                MicroRow<TV, S, StridedBRows>(ap + r, new StridedBRows(bp, bStride), kcur, cp + ((long)r * ldc), loadC, rb == null ? null : rb + r, cb, act, lo, hi);
                                            }
                                        }
                                    }
                                    else
                                    {
                                        if (loadC)
                                        {
                                            for (int r = 0; r < nrows; r++)
                                            {
                                                for (int q = 0; q < ncols; q++)
                                                {
                                                    tile[(r * nr) + q] = cp[((long)r * ldc) + q];
                                                }
                                            }
                                        }

                                        if (bOff != null)
                                        {
                                            Micro<TV, S, IndirectBRows>(ap, new IndirectBRows(bp, bOff), kcur, tile, nr, loadC, rb, cb, act, lo, hi);
                                        }
                                        else
                                        {
                                            Micro<TV, S, StridedBRows>(ap, new StridedBRows(bp, bStride), kcur, tile, nr, loadC, rb, cb, act, lo, hi);
                                        }
                                        for (int r = 0; r < nrows; r++)
                                        {
                                            for (int q = 0; q < ncols; q++)
                                            {
                                                cp[((long)r * ldc) + q] = tile[(r * nr) + q];
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        finally
        {
            if (aBufArr != null)
            {
                ArrayPool<float>.Shared.Return(aBufArr);
            }
            if (bBufArr != null)
            {
                ArrayPool<float>.Shared.Return(bBufArr);
            }
        }
    }

    /// <summary>
    /// Whether to skip packing B (see RunRange): packing costs about a copy of B per call, amortized over M/MR row
    /// panels; in place loads win up to a few hundred rows (measured: 1x1 convolutions with M ≤ 160 gained 5–75 %,
    /// square 512³ lost 10 %). ldb is bounded so the kc rows a micro-kernel walks stay TLB-friendly.
    /// </summary>
    private static bool DirectB(int rows, int ldb) => rows <= DirectBMaxRows && ldb <= (1 << 16);

    internal static int DirectBMaxRows = 160;

    /// <summary>K block length when &gt; 0 instead of the default (bench A/B runs; results are the same bits).</summary>
    internal static int KcOverride;

    /// <summary>6 × (2 vectors) register tile: C[r, 0..2V) = fma-chain over k (k ascending), optional clamp; B rows from <typeparamref name="TRows"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void Micro<TV, S, TRows>(float* a, TRows rows, int kc, float* c, nint ldc, bool loadC, float* rowBias, float* colBias, bool act, TV lo, TV hi)
        where TV : struct
        where S : struct, ISimd<TV>
        where TRows : struct, IBRows
    {
        nint w = S.Count;
        ref float c0 = ref c[0];
        TV c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        if (loadC)
        {
            c00 = S.Load(ref c0, 0); c01 = S.Load(ref c0, w);
            c10 = S.Load(ref c0, ldc); c11 = S.Load(ref c0, ldc + w);
            c20 = S.Load(ref c0, 2 * ldc); c21 = S.Load(ref c0, (2 * ldc) + w);
            c30 = S.Load(ref c0, 3 * ldc); c31 = S.Load(ref c0, (3 * ldc) + w);
            c40 = S.Load(ref c0, 4 * ldc); c41 = S.Load(ref c0, (4 * ldc) + w);
            c50 = S.Load(ref c0, 5 * ldc); c51 = S.Load(ref c0, (5 * ldc) + w);
        }
        else
        {
            TV z = S.Splat(0f);
            c00 = z; c01 = z; c10 = z; c11 = z; c20 = z; c21 = z; c30 = z; c31 = z; c40 = z; c41 = z; c50 = z; c51 = z;
        }

        // init = (accumulate ? C : 0) + bias, exactly as the reference
        if (rowBias != null)
        {
            TV r0 = S.Splat(rowBias[0]), r1 = S.Splat(rowBias[1]), r2 = S.Splat(rowBias[2]);
            TV r3 = S.Splat(rowBias[3]), r4 = S.Splat(rowBias[4]), r5 = S.Splat(rowBias[5]);
            c00 = S.Add(c00, r0); c01 = S.Add(c01, r0);
            c10 = S.Add(c10, r1); c11 = S.Add(c11, r1);
            c20 = S.Add(c20, r2); c21 = S.Add(c21, r2);
            c30 = S.Add(c30, r3); c31 = S.Add(c31, r3);
            c40 = S.Add(c40, r4); c41 = S.Add(c41, r4);
            c50 = S.Add(c50, r5); c51 = S.Add(c51, r5);
        }
        else if (colBias != null)
        {
            ref float cbr = ref colBias[0];
            TV q0 = S.Load(ref cbr, 0), q1 = S.Load(ref cbr, w);
            c00 = S.Add(c00, q0); c01 = S.Add(c01, q1);
            c10 = S.Add(c10, q0); c11 = S.Add(c11, q1);
            c20 = S.Add(c20, q0); c21 = S.Add(c21, q1);
            c30 = S.Add(c30, q0); c31 = S.Add(c31, q1);
            c40 = S.Add(c40, q0); c41 = S.Add(c41, q1);
            c50 = S.Add(c50, q0); c51 = S.Add(c51, q1);
        }
        for (int k = 0; k < kc; k++)
        {
            ref float bp = ref *rows.Row(k);
            TV b0 = S.Load(ref bp, 0), b1 = S.Load(ref bp, w);
            TV a0 = S.Splat(a[0]);
            c00 = S.Fma(a0, b0, c00);
            c01 = S.Fma(a0, b1, c01);
            TV a1 = S.Splat(a[1]);
            c10 = S.Fma(a1, b0, c10);
            c11 = S.Fma(a1, b1, c11);
            TV a2 = S.Splat(a[2]);
            c20 = S.Fma(a2, b0, c20);
            c21 = S.Fma(a2, b1, c21);
            TV a3 = S.Splat(a[3]);
            c30 = S.Fma(a3, b0, c30);
            c31 = S.Fma(a3, b1, c31);
            TV a4 = S.Splat(a[4]);
            c40 = S.Fma(a4, b0, c40);
            c41 = S.Fma(a4, b1, c41);
            TV a5 = S.Splat(a[5]);
            c50 = S.Fma(a5, b0, c50);
            c51 = S.Fma(a5, b1, c51);
            a += MR;
        }

        if (act)
        {
            c00 = S.Min(S.Max(c00, lo), hi); c01 = S.Min(S.Max(c01, lo), hi);
            c10 = S.Min(S.Max(c10, lo), hi); c11 = S.Min(S.Max(c11, lo), hi);
            c20 = S.Min(S.Max(c20, lo), hi); c21 = S.Min(S.Max(c21, lo), hi);
            c30 = S.Min(S.Max(c30, lo), hi); c31 = S.Min(S.Max(c31, lo), hi);
            c40 = S.Min(S.Max(c40, lo), hi); c41 = S.Min(S.Max(c41, lo), hi);
            c50 = S.Min(S.Max(c50, lo), hi); c51 = S.Min(S.Max(c51, lo), hi);
        }

        S.Store(c00, ref c0, 0); S.Store(c01, ref c0, w);
        S.Store(c10, ref c0, ldc); S.Store(c11, ref c0, ldc + w);
        S.Store(c20, ref c0, 2 * ldc); S.Store(c21, ref c0, (2 * ldc) + w);
        S.Store(c30, ref c0, 3 * ldc); S.Store(c31, ref c0, (3 * ldc) + w);
        S.Store(c40, ref c0, 4 * ldc); S.Store(c41, ref c0, (4 * ldc) + w);
        S.Store(c50, ref c0, 5 * ldc); S.Store(c51, ref c0, (5 * ldc) + w);
    }

    /// <summary>1 × (2 vectors) tile for row r of a packed A panel (a points at element r; stride MR). Same per-element chain as <see cref="Micro"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void MicroRow<TV, S, TRows>(float* a, TRows rows, int kc, float* c, bool loadC, float* rowBias, float* colBias, bool act, TV lo, TV hi)
        where TV : struct
        where S : struct, ISimd<TV>
        where TRows : struct, IBRows
    {
        nint w = S.Count;
        ref float c0 = ref c[0];
        TV x0, x1;
        if (loadC)
        {
            x0 = S.Load(ref c0, 0);
            x1 = S.Load(ref c0, w);
        }
        else
        {
            x0 = S.Splat(0f);
            x1 = x0;
        }

        if (rowBias != null)
        {
            TV r0 = S.Splat(rowBias[0]);
            x0 = S.Add(x0, r0);
            x1 = S.Add(x1, r0);
        }
        else if (colBias != null)
        {
            ref float cbr = ref colBias[0];
            x0 = S.Add(x0, S.Load(ref cbr, 0));
            x1 = S.Add(x1, S.Load(ref cbr, w));
        }

        for (int k = 0; k < kc; k++)
        {
            ref float bp = ref *rows.Row(k);
            TV av = S.Splat(a[0]);
            x0 = S.Fma(av, S.Load(ref bp, 0), x0);
            x1 = S.Fma(av, S.Load(ref bp, w), x1);
            a += MR;
        }

        if (act)
        {
            x0 = S.Min(S.Max(x0, lo), hi);
            x1 = S.Min(S.Max(x1, lo), hi);
        }

        S.Store(x0, ref c0, 0);
        S.Store(x1, ref c0, w);
    }

    /// <summary>Packs op(B)[k0..k0+kc) × [j0..j0+ncols) into dst[kk*nr + q], zero-padding columns ncols..nr.</summary>
    internal static unsafe void PackBPanel(float* b, int ldb, bool transB, int k0, int kc, int j0, int ncols, int nr, float* dst)
    {
        if (!transB)
        {
            for (int kk = 0; kk < kc; kk++)
            {
                float* src = b + ((long)(k0 + kk) * ldb) + j0;
                float* d = dst + ((long)kk * nr);
                if (ncols == nr)
                {
                    Buffer.MemoryCopy(src, d, nr * sizeof(float), nr * sizeof(float));
                }
                else
                {
                    int q = 0;
                    for (; q < ncols; q++)
                    {
                        d[q] = src[q];
                    }

                    for (; q < nr; q++)
                    {
                        d[q] = 0f;
                    }
                }
            }
        }
        else
        {
            for (int q = 0; q < nr; q++)
            {
                if (q < ncols)
                {
                    float* src = b + ((long)(j0 + q) * ldb) + k0;
                    for (int kk = 0; kk < kc; kk++)
                    {
                        dst[((long)kk * nr) + q] = src[kk];
                    }
                }
                else
                {
                    for (int kk = 0; kk < kc; kk++)
                    {
                        dst[((long)kk * nr) + q] = 0f;
                    }
                }
            }
        }
    }

    /// <summary>Packs op(A)[i0..i0+nrows) × [k0..k0+kc) into dst[kk*MR + r], zero-padding rows nrows..MR.</summary>
    internal static unsafe void PackAPanel(float* a, int lda, bool transA, int i0, int nrows, int k0, int kc, float* dst)
    {
        if (transA)
        {
            for (int kk = 0; kk < kc; kk++)
            {
                float* src = a + ((long)(k0 + kk) * lda) + i0;
                float* d = dst + ((long)kk * MR);
                int r = 0;
                for (; r < nrows; r++)
                {
                    d[r] = src[r];
                }

                for (; r < MR; r++)
                {
                    d[r] = 0f;
                }
            }
        }
        else
        {
            for (int r = 0; r < MR; r++)
            {
                if (r < nrows)
                {
                    float* src = a + ((long)(i0 + r) * lda) + k0;
                    for (int kk = 0; kk < kc; kk++)
                    {
                        dst[((long)kk * MR) + r] = src[kk];
                    }
                }
                else
                {
                    for (int kk = 0; kk < kc; kk++)
                    {
                        dst[((long)kk * MR) + r] = 0f;
                    }
                }
            }
        }
    }
}
