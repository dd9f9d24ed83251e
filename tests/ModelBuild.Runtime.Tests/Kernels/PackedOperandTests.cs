using ModelBuild.Runtime.Kernels;
using static ModelBuild.Runtime.Tests.Kernels.KernelTestUtil;

namespace ModelBuild.Runtime.Tests.Kernels;

/// <summary>Pre-packed GEMM A operands and pre-packed convolution weights give the reference's bits.</summary>
[TestClass]
public sealed class PackedOperandTests
{
    public static IEnumerable<object[]> Levels => AllLevels;

    [TestMethod]
    [DynamicData(nameof(Levels))]
    public void PackedAGemmMatchesReference(IsaLevel isa)
    {
        int[][] sizes = [[1, 1, 1], [1, 17, 3], [7, 1, 5], [6, 32, 8], [13, 37, 29], [31, 67, 0], [5, 3, 131], [97, 131, 257], [6, 33, 600], [700, 40, 9]];
        int seed = 7;
        foreach (int[] s in sizes)
        {
            int m = s[0], n = s[1], k = s[2];
            foreach (bool ta in new[] { false, true })
            {
                seed++;
                int lda = (ta ? m : k) + (seed % 3), ldb = n + (seed % 2), ldc = n + (seed % 4);
                float[] a = Random(((ta ? k : m) * lda) + 1, seed);
                float[] b = Random((k * ldb) + 1, seed + 1000);
                float[] c0 = Random((m * ldc) + 1, seed + 2000);
                var kind = (GemmBias)(seed % 3);
                float[] bias = Random(Math.Max(m, n), seed + 3000);
                bool acc = seed % 2 == 0;
                FusedActivation act = seed % 3 == 0 ? FusedActivation.Relu6 : FusedActivation.None;
                float[] expected = (float[])c0.Clone();
                Gemm.Reference(m, n, k, a, lda, ta, b, ldb, false, expected, ldc, bias, kind, acc, act);
                PackedA pa = Gemm.PackA(a, lda, ta, m, k);
                foreach (int threads in new[] { 1, 2 })
                {
                    float[] got = (float[])c0.Clone();
                    Gemm.Compute(isa, n, pa, b, ldb, false, got, ldc, bias, kind, acc, act, threads);
                    AssertBitEqual(expected, got, $"packed-A gemm {m}x{n}x{k} ta={ta} isa={isa} t={threads}");
                    got = (float[])c0.Clone();
                    Gemm.Compute(pa, Gemm.PackB(isa, b, ldb, false, k, n), got, ldc, bias, kind, acc, act, threads);
                    AssertBitEqual(expected, got, $"packed-A packed-B gemm {m}x{n}x{k} ta={ta} isa={isa} t={threads}");
                }
            }
        }
    }

    // N, C, H, W, OC, KH, KW, sh, sw, pt, pl, pb, pr, dh, dw, group
    private static readonly int[][] ConvCases =
    [
        [1, 3, 7, 9, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1],
        [2, 4, 11, 13, 6, 3, 2, 2, 1, 0, 1, 2, 0, 1, 2, 2],
        [1, 8, 5, 5, 16, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1],    // pointwise
        [1, 6, 9, 17, 12, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 3],   // grouped pointwise
        [1, 16, 40, 41, 13, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1], // several im2col tiles, odd OC
        [1, 3, 37, 45, 7, 7, 7, 2, 2, 3, 3, 3, 3, 1, 1, 1],   // 7x7 s2 stem-like
        [2, 10, 12, 12, 20, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 5], // groups, stride 2
        [1, 128, 7, 7, 70, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1],  // few positions, enough work: threads split output channels
        [1, 300, 1, 1, 70, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1],  // fully connected (1x1 on a 1x1 image): transposed-weight GEMM
        [1, 600, 1, 1, 1000, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1], // classifier-sized, two K blocks, threads split columns
        [17, 40, 1, 1, 33, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1],  // batch of 17 rows: full, ragged and single-row tiles
    ];

    [TestMethod]
    [DynamicData(nameof(Levels))]
    public void PackedWeightConvMatchesReference(IsaLevel isa)
    {
        int seed = 50;
        foreach (int[] c in ConvCases)
        {
            seed++;
            var p = new Conv2DParams
            {
                N = c[0], C = c[1], H = c[2], W = c[3], OC = c[4], KH = c[5], KW = c[6], StrideH = c[7], StrideW = c[8],
                PadTop = c[9], PadLeft = c[10], PadBottom = c[11], PadRight = c[12], DilationH = c[13], DilationW = c[14], Group = c[15],
                Activation = seed % 2 == 0 ? FusedActivation.Relu : FusedActivation.None,
            };
            float[] x = Random(p.N * p.C * p.H * p.W, seed);
            float[] w = Random(p.OC * (p.C / p.Group) * p.KH * p.KW, seed + 100);
            float[] bias = seed % 3 == 0 ? [] : Random(p.OC, seed + 200);
            int ylen = p.N * p.OC * p.ConvOutH * p.ConvOutW;
            float[] e = new float[ylen], g = new float[ylen];
            Convolution.Conv2DReference(p, x, w, bias, e);
            ConvPackedWeights? packed = Convolution.PackWeights(p, w);
            Assert.IsNotNull(packed);
            foreach (int threads in new[] { 1, 2 })
            {
                Array.Fill(g, float.NaN);
                Convolution.Conv2D(isa, p, x, w, bias, g, threads, packed);
                AssertBitEqual(e, g, $"packed conv case {seed} isa={isa} t={threads}");
            }
        }
    }

    [TestMethod]
    public void PackWeightsIsNullForDepthwiseAndRejectsMismatch()
    {
        var dw = new Conv2DParams { C = 4, H = 5, W = 5, OC = 4, KH = 3, KW = 3, Group = 4 };
        Assert.IsNull(Convolution.PackWeights(dw, new float[36]));
        var p = new Conv2DParams { C = 4, H = 5, W = 5, OC = 6, KH = 3, KW = 3 };
        ConvPackedWeights? packed = Convolution.PackWeights(p, new float[6 * 4 * 9]);
        var other = new Conv2DParams { C = 4, H = 5, W = 5, OC = 6, KH = 1, KW = 1 };
        Assert.ThrowsExactly<ArgumentException>(() => Convolution.Conv2D(IsaLevel.Scalar, other, new float[100], new float[24], [], new float[150], 1, packed));
    }
}

/// <summary>Wide rows reach the paired-vector 3x3 depthwise loop; wide and narrow rows the vector stride-2 phase split.</summary>
[TestClass]
public sealed class WideRowWindowTests
{
    public static IEnumerable<object[]> Levels => AllLevels;

    // C, H, W, multiplier, stride, padTL, padBR, act
    private static readonly int[][] DwCases =
    [
        [3, 9, 70, 1, 1, 1, 1, 1],
        [4, 8, 97, 2, 2, 1, 1, 2],
        [2, 11, 64, 1, 2, 0, 1, 0],
        [3, 6, 33, 1, 1, 0, 0, 3],
        [2, 7, 200, 1, 2, 1, 0, 1],
        [5, 5, 16, 1, 2, 1, 1, 0],
        [3, 5, 5, 1, 2, 0, 0, 0],   // narrow rows: vector spill crosses several phase rows
        [2, 7, 7, 1, 2, 1, 1, 1],
        [2, 4, 3, 1, 2, 1, 1, 0],
    ];

    [TestMethod]
    [DynamicData(nameof(Levels))]
    public void Depthwise3x3WideRowsMatchReference(IsaLevel isa)
    {
        int seed = 300;
        foreach (int[] c in DwCases)
        {
            seed++;
            var p = new Conv2DParams
            {
                N = 2, C = c[0], H = c[1], W = c[2], OC = c[0] * c[3], KH = 3, KW = 3, StrideH = c[4], StrideW = c[4],
                PadTop = c[5], PadLeft = c[5], PadBottom = c[6], PadRight = c[6], Group = c[0],
                Activation = c[7] switch { 0 => FusedActivation.None, 1 => FusedActivation.Relu, 2 => FusedActivation.Relu6, _ => FusedActivation.Clip(-0.2f, 0.3f) },
            };
            float[] x = Random(p.N * p.C * p.H * p.W, seed);
            float[] w = Random(p.OC * 9, seed + 1);
            float[] bias = seed % 2 == 0 ? [] : Random(p.OC, seed + 2);
            int ylen = p.N * p.OC * p.ConvOutH * p.ConvOutW;
            float[] e = new float[ylen], g = new float[ylen];
            Convolution.Conv2DReference(p, x, w, bias, e);
            foreach (int threads in new[] { 1, 2 })
            {
                Array.Fill(g, float.NaN);
                Convolution.Conv2D(isa, p, x, w, bias, g, threads);
                AssertBitEqual(e, g, $"depthwise case {seed} isa={isa} t={threads}");
            }
        }
    }

    [TestMethod]
    [DynamicData(nameof(Levels))]
    public void Depthwise3x3MixedStridesAndDilationMatchReference(IsaLevel isa)
    {
        // (stride h, stride w, dilation h, dilation w): row pairs need stride h 1 and dilation h 1, any width stride
        int[][] geo = [[1, 2, 1, 1], [1, 1, 2, 1], [2, 1, 1, 1], [1, 1, 1, 2], [1, 3, 1, 1]];
        int seed = 500;
        foreach (int[] gm in geo)
        {
            seed++;
            var p = new Conv2DParams
            {
                N = 1, C = 3, H = 12, W = 75, OC = 6, KH = 3, KW = 3, StrideH = gm[0], StrideW = gm[1], DilationH = gm[2], DilationW = gm[3],
                PadTop = 1, PadLeft = 2, PadBottom = 1, PadRight = 0, Group = 3, Activation = FusedActivation.Relu6,
            };
            float[] x = Random(p.N * p.C * p.H * p.W, seed);
            float[] w = Random(p.OC * 9, seed + 1);
            float[] bias = Random(p.OC, seed + 2);
            int ylen = p.N * p.OC * p.ConvOutH * p.ConvOutW;
            float[] e = new float[ylen], g = new float[ylen];
            Convolution.Conv2DReference(p, x, w, bias, e);
            foreach (int threads in new[] { 1, 2 })
            {
                Array.Fill(g, float.NaN);
                Convolution.Conv2D(isa, p, x, w, bias, g, threads);
                AssertBitEqual(e, g, $"depthwise geometry {string.Join(",", gm)} isa={isa} t={threads}");
            }
        }
    }

    [TestMethod]
    [DynamicData(nameof(Levels))]
    public void Pool3x3Stride2WideRowsMatchReference(IsaLevel isa)
    {
        int seed = 400;
        foreach (int[] c in DwCases)
        {
            foreach (PoolKind kind in new[] { PoolKind.Max, PoolKind.Average })
            {
                seed++;
                var p = new Conv2DParams
                {
                    N = 2, C = c[0], H = c[1], W = c[2], KH = 3, KW = 3, StrideH = 2, StrideW = 2,
                    PadTop = c[5], PadLeft = c[5], PadBottom = c[6], PadRight = c[6],
                };
                if (seed % 3 == 0)
                {
                    // ceil mode: one more output column/row whose window runs past the padding
                    p.OutH = p.ConvOutH + 1;
                    p.OutW = p.ConvOutW + 1;
                }

                float[] x = Random(p.N * p.C * p.H * p.W, seed);
                int ylen = p.N * p.C * p.ConvOutH * p.ConvOutW;
                float[] e = new float[ylen], g = new float[ylen];
                Pooling.Pool2DReference(kind, p, x, e, seed % 2 == 0);
                foreach (int threads in new[] { 1, 2 })
                {
                    Array.Fill(g, float.NaN);
                    Pooling.Pool2D(isa, kind, p, x, g, seed % 2 == 0, threads);
                    AssertBitEqual(e, g, $"pool {kind} case {seed} isa={isa} t={threads}");
                }
            }
        }
    }
}
