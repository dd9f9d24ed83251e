using System.Runtime.CompilerServices;

namespace ModelBuild.Runtime.Kernels;

/// <summary>
/// Small products with few columns (attention's per-head 16×16×16, a transformer's per-token layers): the blocked
/// GEMM's packing, panel bookkeeping and edge tiles cost more than the arithmetic there (3 µs for four 16×16×16
/// heads). Here B is read in place, four rows of C at a time with one accumulator vector per row. Each element is
/// <see cref="Gemm"/>'s chain: acc = (accumulate ? C : 0) (+ bias), fma over k ascending, clamp — so the same bits.
/// Every helper around the FMA loop is inlined: a call there would spill the accumulators (Kernels/README.md).
/// </summary>
internal static unsafe class SmallGemm
{
    /// <summary>Row-major B (no transpose), at most 32 columns and 2^14 multiply-adds (past that the blocked GEMM's
    /// register tile wins: four accumulators run latency-bound on long k).</summary>
    public static bool Applies(int m, int n, int k, bool transB) =>
        !transB && n <= 32 && k > 0 && (long)m * n * k <= 1 << 14;

    public static void Run(IsaLevel level, int m, int n, int k, float* a, int lda, bool transA, float* b, int ldb,
        float* c, int ldc, float* bias, GemmBias biasKind, bool accumulate, FusedActivation activation)
    {
        var body = new Body
        {
            M = m, N = n, K = k, A = a, Lda = lda, TransA = transA, B = b, Ldb = ldb, C = c, Ldc = ldc,
            Bias = bias, BiasKind = biasKind, Accumulate = accumulate,
            Act = activation.Kind != ActivationKind.None, Lo = activation.Lo, Hi = activation.Hi,
        };
        IsaDispatch.Run(level, ref body);
    }

    private struct Body : IWidthBody
    {
        public int M, N, K, Lda, Ldb, Ldc;
        public float* A, B, C, Bias;
        public bool TransA, Accumulate, Act;
        public GemmBias BiasKind;
        public float Lo, Hi;

        public readonly void Run<TV, S>()
            where TV : struct
            where S : struct, ISimd<TV>
        {
            int w = S.Count, j = 0;
            for (; j <= N - w; j += w)
            {
                Columns<TV, S>(j);
            }

            for (; j < N; j++)
            {
                Columns<float, S1>(j);
            }
        }

        /// <summary>Columns [j, j + S.Count) of every row.</summary>
        private readonly void Columns<TV, S>(int j)
            where TV : struct
            where S : struct, ISimd<TV>
        {
            int i = 0;
            for (; i <= M - 4; i += 4)
            {
                FourRows<TV, S>(i, j);
            }

            for (; i < M; i++)
            {
                OneRow<TV, S>(i, j);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private readonly float At(int i, int kk) => TransA ? A[((long)kk * Lda) + i] : A[((long)i * Lda) + kk];

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private readonly TV Init<TV, S>(int i, int j)
            where TV : struct
            where S : struct, ISimd<TV>
        {
            TV acc = Accumulate ? S.Load(ref C[((long)i * Ldc) + j], 0) : S.Splat(0f);
            if (BiasKind == GemmBias.PerRow)
            {
                acc = S.Add(acc, S.Splat(Bias[i]));
            }
            else if (BiasKind == GemmBias.PerColumn)
            {
                acc = S.Add(acc, S.Load(ref Bias[j], 0));
            }

            return acc;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private readonly void Store<TV, S>(TV acc, int i, int j)
            where TV : struct
            where S : struct, ISimd<TV>
        {
            if (Act)
            {
                acc = S.Min(S.Max(acc, S.Splat(Lo)), S.Splat(Hi));
            }

            S.Store(acc, ref C[((long)i * Ldc) + j], 0);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private readonly void FourRows<TV, S>(int i, int j)
            where TV : struct
            where S : struct, ISimd<TV>
        {
            TV c0 = Init<TV, S>(i, j), c1 = Init<TV, S>(i + 1, j), c2 = Init<TV, S>(i + 2, j), c3 = Init<TV, S>(i + 3, j);
            ref float b = ref B[j];
            nint ldb = Ldb;
            for (int kk = 0; kk < K; kk++)
            {
                TV bv = S.Load(ref b, kk * ldb);
                c0 = S.Fma(S.Splat(At(i, kk)), bv, c0);
                c1 = S.Fma(S.Splat(At(i + 1, kk)), bv, c1);
                c2 = S.Fma(S.Splat(At(i + 2, kk)), bv, c2);
                c3 = S.Fma(S.Splat(At(i + 3, kk)), bv, c3);
            }

            Store<TV, S>(c0, i, j);
            Store<TV, S>(c1, i + 1, j);
            Store<TV, S>(c2, i + 2, j);
            Store<TV, S>(c3, i + 3, j);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private readonly void OneRow<TV, S>(int i, int j)
            where TV : struct
            where S : struct, ISimd<TV>
        {
            TV acc = Init<TV, S>(i, j);
            ref float b = ref B[j];
            nint ldb = Ldb;
            for (int kk = 0; kk < K; kk++)
            {
                acc = S.Fma(S.Splat(At(i, kk)), S.Load(ref b, kk * ldb), acc);
            }

            Store<TV, S>(acc, i, j);
        }
    }
}
