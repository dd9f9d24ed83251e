using ModelBuild.Runtime.Kernels;
using static ModelBuild.Runtime.Tests.Kernels.KernelTestUtil;

namespace ModelBuild.Runtime.Tests.Kernels;

[TestClass]
public sealed class GemmTests
{
    public static IEnumerable<object[]> Levels => AllLevels;

    [TestMethod]
    [DynamicData(nameof(Levels))]
    public void MatchesReferenceBitExact_AwkwardSizes(IsaLevel isa)
    {
        int[][] sizes =
        [
            [1, 1, 1], [1, 17, 3], [7, 1, 5], [6, 32, 8], [13, 37, 29], [31, 67, 0], [5, 3, 131], [64, 64, 64],
            [97, 131, 257], [6, 33, 600], [2, 64, 50], [1, 200, 300], [8, 96, 20],
            [16, 16, 16], [9, 64, 40], [23, 5, 11], // SmallGemm: four-row blocks, row and column tails
        ];
        int seed = 1;
        foreach (int[] s in sizes)
        {
            int m = s[0], n = s[1], k = s[2];
            foreach (bool ta in new[] { false, true })
            {
                foreach (bool tb in new[] { false, true })
                {
                    seed++;
                    int lda = (ta ? m : k) + (seed % 3), ldb = (tb ? k : n) + (seed % 2), ldc = n + (seed % 4);
                    float[] a = Random(((ta ? k : m) * lda) + 1, seed);
                    float[] b = Random(((tb ? n : k) * ldb) + 1, seed + 1000);
                    float[] c0 = Random((m * ldc) + 1, seed + 2000);
                    var kind = (GemmBias)(seed % 3);
                    float[] bias = Random(Math.Max(m, n), seed + 3000);
                    bool acc = seed % 2 == 0;
                    var act = (seed % 4) switch
                    {
                        0 => FusedActivation.None,
                        1 => FusedActivation.Relu,
                        2 => FusedActivation.Relu6,
                        _ => FusedActivation.Clip(-0.3f, 0.7f),
                    };
                    float[] expected = (float[])c0.Clone();
                    Gemm.Reference(m, n, k, a, lda, ta, b, ldb, tb, expected, ldc, bias, kind, acc, act);
                    foreach (int threads in new[] { 1, 3 })
                    {
                        float[] got = (float[])c0.Clone();
                        Gemm.Compute(isa, m, n, k, a, lda, ta, b, ldb, tb, got, ldc, bias, kind, acc, act, threads);
                        AssertBitEqual(expected, got, $"gemm {m}x{n}x{k} ta={ta} tb={tb} isa={isa} t={threads}");
                    }

                    if (!tb)
                    {
                        PackedB pb = Gemm.PackB(isa, b, ldb, false, k, n);
                        float[] got = (float[])c0.Clone();
                        Gemm.Compute(isa, m, n, k, a, lda, ta, pb, got, ldc, bias, kind, acc, act, 2);
                        AssertBitEqual(expected, got, $"packed gemm {m}x{n}x{k} isa={isa}");
                    }
                }
            }
        }
    }

    [TestMethod]
    public void ReferenceCloseToDouble()
    {
        int m = 23, n = 41, k = 300;
        float[] a = Random(m * k, 5), b = Random(k * n, 6), bias = Random(m, 7);
        float[] c = new float[m * n];
        Gemm.Reference(m, n, k, a, k, false, b, n, false, c, n, bias, GemmBias.PerRow);
        var exp = new double[m * n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double s = bias[i];
                for (int kk = 0; kk < k; kk++)
                {
                    s += (double)a[(i * k) + kk] * b[(kk * n) + j];
                }

                exp[(i * n) + j] = s;
            }
        }

        AssertClose(exp, c, 1e-5, 1e-5, "gemm reference vs double");
    }

    [TestMethod]
    public void LargeThreadedMatchesSingleThread()
    {
        int m = 70, n = 300, k = 700;
        float[] a = Random(m * k, 8), b = Random(k * n, 9);
        float[] c1 = new float[m * n], c2 = new float[m * n];
        Gemm.Compute(KernelIsa.Best, m, n, k, a, k, false, b, n, false, c1, n, threads: 1);
        Gemm.Compute(KernelIsa.Best, m, n, k, a, k, false, b, n, false, c2, n, threads: 4);
        AssertBitEqual(c1, c2, "threads");
        float[] r = new float[m * n];
        Gemm.Reference(m, n, k, a, k, false, b, n, false, r, n);
        AssertBitEqual(r, c1, "vs reference");
    }
}
