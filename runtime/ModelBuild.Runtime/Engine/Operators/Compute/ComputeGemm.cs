using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ModelBuild.Runtime.Engine.Operators.Compute;

/// <summary>
/// Row-major GEMM used by convolution, matmul and inner product until the shared Kernels library offers one:
/// C[m, n] = bias[m] (or 0) + sum over k ascending of A[m, k] * B[k, n], each step a fused multiply-add.
/// Vectorized across n only, so every element's accumulation order (and therefore its bits) is the same at any
/// vector width and in the scalar tail.
/// </summary>
internal static class ComputeGemm
{
    /// <param name="bias">Per-row initial value (length ≥ m), or null for zero.</param>
    /// <param name="biasPerColumn">Per-column initial value (length ≥ n), or null; ignored when <paramref name="bias"/> is set.</param>
    public static void Multiply(
        float[] a, int aOffset, int lda,
        float[] b, int bOffset, int ldb,
        float[] c, int cOffset, int ldc,
        int m, int n, int k,
        float[]? bias, float[]? biasPerColumn, int threads)
    {
        if (m <= 0 || n <= 0)
        {
            return;
        }

        int blocks = (m + 3) / 4;
        // Threads over row blocks only when there is enough work to pay for the hand-off.
        long work = (long)m * n * Math.Max(k, 1);
        int useThreads = work < 32768 ? 1 : threads;
        ComputeSupport.For(useThreads, blocks, blk =>
        {
            int m0 = blk * 4;
            int rows = Math.Min(4, m - m0);
            RowBlock(a, aOffset + m0 * lda, lda, b, bOffset, ldb, c, cOffset + m0 * ldc, ldc, rows, n, k, bias, m0, biasPerColumn);
        });
    }

    private static void RowBlock(
        float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc,
        int rows, int n, int k, float[]? bias, int biasRow, float[]? biasCol)
    {
        ref float aRef = ref MemoryMarshal.GetArrayDataReference(a);
        ref float bRef = ref MemoryMarshal.GetArrayDataReference(b);
        ref float cRef = ref MemoryMarshal.GetArrayDataReference(c);
        int vc = Vector<float>.Count;
        int j = 0;
        for (; j + vc <= n; j += vc)
        {
            Vector<float> acc0 = Init(bias, biasRow, biasCol, j), acc1 = Init(bias, biasRow + 1, biasCol, j);
            Vector<float> acc2 = Init(bias, biasRow + 2, biasCol, j), acc3 = Init(bias, biasRow + 3, biasCol, j);
            for (int p = 0; p < k; p++)
            {
                var bv = Vector.LoadUnsafe(ref bRef, (nuint)(bOff + p * ldb + j));
                acc0 = Vector.FusedMultiplyAdd(new Vector<float>(Unsafe.Add(ref aRef, aOff + p)), bv, acc0);
                if (rows > 1)
                {
                    acc1 = Vector.FusedMultiplyAdd(new Vector<float>(Unsafe.Add(ref aRef, aOff + lda + p)), bv, acc1);
                }

                if (rows > 2)
                {
                    acc2 = Vector.FusedMultiplyAdd(new Vector<float>(Unsafe.Add(ref aRef, aOff + 2 * lda + p)), bv, acc2);
                }

                if (rows > 3)
                {
                    acc3 = Vector.FusedMultiplyAdd(new Vector<float>(Unsafe.Add(ref aRef, aOff + 3 * lda + p)), bv, acc3);
                }
            }

            acc0.StoreUnsafe(ref cRef, (nuint)(cOff + j));
            if (rows > 1)
            {
                acc1.StoreUnsafe(ref cRef, (nuint)(cOff + ldc + j));
            }

            if (rows > 2)
            {
                acc2.StoreUnsafe(ref cRef, (nuint)(cOff + 2 * ldc + j));
            }

            if (rows > 3)
            {
                acc3.StoreUnsafe(ref cRef, (nuint)(cOff + 3 * ldc + j));
            }
        }

        for (; j < n; j++)
        {
            for (int r = 0; r < rows; r++)
            {
                float acc = bias is not null ? bias[biasRow + r] : biasCol is not null ? biasCol[j] : 0f;
                int ar = aOff + r * lda;
                for (int p = 0; p < k; p++)
                {
                    acc = MathF.FusedMultiplyAdd(Unsafe.Add(ref aRef, ar + p), Unsafe.Add(ref bRef, bOff + p * ldb + j), acc);
                }

                c[cOff + r * ldc + j] = acc;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> Init(float[]? bias, int row, float[]? biasCol, int j)
    {
        if (bias is not null)
        {
            return row < bias.Length ? new Vector<float>(bias[row]) : Vector<float>.Zero;
        }

        return biasCol is not null ? new Vector<float>(biasCol.AsSpan(j)) : Vector<float>.Zero;
    }

    /// <summary>Fused activation of convolutions: ReLU and/or clamp to [0, 6].</summary>
    public static void Activate(Span<float> data, bool relu, bool relu6)
    {
        if (relu6)
        {
            foreach (ref float v in data)
            {
                v = Math.Clamp(v, 0f, 6f);
            }
        }
        else if (relu)
        {
            foreach (ref float v in data)
            {
                v = v > 0f ? v : 0f;
            }
        }
    }
}
