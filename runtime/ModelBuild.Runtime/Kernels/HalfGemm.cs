using System.Runtime.CompilerServices;

namespace ModelBuild.Runtime.Kernels;

/// <summary>Where <see cref="HalfGemm"/> takes its bias from.</summary>
internal enum HalfBias
{
    None,
    /// <summary>bias[i] for row i (convolution: one value per output channel).</summary>
    PerRow,
    /// <summary>bias[j] for column j (MatMul).</summary>
    PerColumn,
}

/// <summary>
/// GEMM with the arithmetic of upstream MNN's ARMv8.2 fp16 kernels (MNNPackedMatMulFP16: one fp16 register per
/// output, <c>fmul</c> then <c>fmla</c> over the whole reduction, bias added in fp16, then the relu clamp), emulated in
/// float32: every step is a fused multiply-add rounded to fp16 (<see cref="HalfRounding"/>). Inputs are expected to be
/// fp16 values already (the emulation rounds weights and activations).
/// <code>
/// acc = 0; for k ascending: acc = R(fma(A[i,k], B[k,j], acc));  C[i,j] = clamp(R(acc + bias), lo, hi)
/// </code>
/// (the first step equals MNN's fmul: a product of two fp16 values is exact in float32). Vectorized across the
/// columns j; the tail runs the same code at width 1, so every level gives the same bits. Rows are split between
/// threads, which does not change any element's chain.
/// </summary>
internal static unsafe class HalfGemm
{
    /// <summary>
    /// C = A·B (m × n, reduction k) with fp16 accumulation: A[i,k] at a[i·rowStrideA + k·colStrideA] (any layout: A is
    /// read one element at a time), B[k,j] at b[k·ldb + j] (row-major: read in vectors along j), C[i,j] written at
    /// c[i·ldc + j]; bias per row or per column; the result clamped to [lo, hi].
    /// </summary>
    public static void Compute(
        IsaLevel isa, int m, int n, int k,
        ReadOnlySpan<float> a, int rowStrideA, int colStrideA,
        ReadOnlySpan<float> b, int ldb,
        Span<float> c, int ldc,
        ReadOnlySpan<float> bias, HalfBias biasKind, float lo, float hi, int threads)
    {
        if (m <= 0 || n <= 0)
        {
            return;
        }

        if (k < 0 || (k > 0 && (a.Length < (long)(m - 1) * rowStrideA + (long)(k - 1) * colStrideA + 1 || b.Length < (long)(k - 1) * ldb + n))
            || c.Length < (long)(m - 1) * ldc + n
            || (biasKind == HalfBias.PerRow && bias.Length < m) || (biasKind == HalfBias.PerColumn && bias.Length < n))
        {
            throw new ArgumentException("HalfGemm: spans too short for the given sizes");
        }

        fixed (float* pa = a, pb = b, pc = c, pbias = bias)
        {
            var rows = new Rows
            {
                Isa = isa, N = n, K = k, A = pa, RowStrideA = rowStrideA, ColStrideA = colStrideA, B = pb, Ldb = ldb,
                C = pc, Ldc = ldc, Bias = pbias, BiasKind = biasKind, Lo = lo, Hi = hi,
            };
            KernelParallel.For(m, KernelParallel.Effective(threads, (long)m * n * Math.Max(1, k), 1 << 18), rows);
        }
    }

    /// <summary>The scalar reference of one element (tests compare whole GEMMs with it).</summary>
    public static float Element(ReadOnlySpan<float> aRow, int colStrideA, ReadOnlySpan<float> b, int ldb, int j, int k, float bias, bool hasBias, float lo, float hi)
    {
        float acc = 0;
        for (int q = 0; q < k; q++)
        {
            acc = HalfRounding.Round(MathF.FusedMultiplyAdd(aRow[q * colStrideA], b[(q * ldb) + j], acc));
        }

        if (hasBias)
        {
            acc = HalfRounding.Round(acc + bias);
        }

        return MathF.Min(MathF.Max(acc, lo), hi);
    }

    private struct Rows : IRangeBody
    {
        public IsaLevel Isa;
        public int N, K, RowStrideA, ColStrideA, Ldb, Ldc;
        public float* A, B, C, Bias;
        public HalfBias BiasKind;
        public float Lo, Hi;

        public readonly void Run(int start, int end)
        {
            var body = new Body { R = this, Start = start, End = end };
            IsaDispatch.Run(Isa, ref body);
        }
    }

    private struct Body : IWidthBody
    {
        public Rows R;
        public int Start, End;

        public void Run<TV, S>()
            where TV : struct
            where S : struct, ISimd<TV>
        {
            int w = S.Count;
            for (int i = Start; i < End; i++)
            {
                float* aRow = R.A + ((long)i * R.RowStrideA);
                float* cRow = R.C + ((long)i * R.Ldc);
                int j = 0;
                for (; j <= R.N - (4 * w); j += 4 * w)
                {
                    Block4<TV, S>(aRow, i, j, cRow);
                }

                for (; j <= R.N - w; j += w)
                {
                    Block1<TV, S>(aRow, i, j, cRow);
                }

                for (; j < R.N; j++)
                {
                    Block1<float, S1>(aRow, i, j, cRow);
                }
            }
        }

        /// <summary>Four vectors of columns at once (more independent chains in flight; each chain is unchanged).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private readonly void Block4<TV, S>(float* aRow, int i, int j, float* cRow)
            where TV : struct
            where S : struct, ISimd<TV>
        {
            int w = S.Count;
            TV c0 = S.Splat(0), c1 = c0, c2 = c0, c3 = c0;
            for (int q = 0; q < R.K; q++)
            {
                TV av = S.Splat(aRow[(long)q * R.ColStrideA]);
                ref float bRow = ref *(R.B + ((long)q * R.Ldb) + j);
                c0 = HalfRounding.Round<TV, S>(S.Fma(av, S.Load(ref bRow, 0), c0));
                c1 = HalfRounding.Round<TV, S>(S.Fma(av, S.Load(ref bRow, w), c1));
                c2 = HalfRounding.Round<TV, S>(S.Fma(av, S.Load(ref bRow, 2 * w), c2));
                c3 = HalfRounding.Round<TV, S>(S.Fma(av, S.Load(ref bRow, 3 * w), c3));
            }

            ref float dst = ref *(cRow + j);
            S.Store(Finish<TV, S>(c0, i, j), ref dst, 0);
            S.Store(Finish<TV, S>(c1, i, j + w), ref dst, w);
            S.Store(Finish<TV, S>(c2, i, j + (2 * w)), ref dst, 2 * w);
            S.Store(Finish<TV, S>(c3, i, j + (3 * w)), ref dst, 3 * w);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private readonly void Block1<TV, S>(float* aRow, int i, int j, float* cRow)
            where TV : struct
            where S : struct, ISimd<TV>
        {
            TV acc = S.Splat(0);
            for (int q = 0; q < R.K; q++)
            {
                acc = HalfRounding.Round<TV, S>(S.Fma(S.Splat(aRow[(long)q * R.ColStrideA]), S.Load(ref *(R.B + ((long)q * R.Ldb) + j), 0), acc));
            }

            S.Store(Finish<TV, S>(acc, i, j), ref *(cRow + j), 0);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private readonly TV Finish<TV, S>(TV acc, int i, int j)
            where TV : struct
            where S : struct, ISimd<TV>
        {
            if (R.BiasKind == HalfBias.PerRow)
            {
                acc = HalfRounding.Round<TV, S>(S.Add(acc, S.Splat(R.Bias[i])));
            }
            else if (R.BiasKind == HalfBias.PerColumn)
            {
                acc = HalfRounding.Round<TV, S>(S.Add(acc, S.Load(ref *(R.Bias + j), 0)));
            }

            return S.Min(S.Max(acc, S.Splat(R.Lo)), S.Splat(R.Hi));
        }
    }
}
