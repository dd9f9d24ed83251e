using ModelBuild.Runtime.Kernels;
using static ModelBuild.Runtime.Tests.Kernels.KernelTestUtil;

namespace ModelBuild.Runtime.Tests.Kernels;

/// <summary>
/// Winograd F(4,3): every ISA level, thread count and block size gives the scalar reference's bits
/// (<see cref="WinogradConv.Conv2D"/> at <see cref="IsaLevel.Scalar"/>), and results stay within float rounding of a
/// double-accumulated direct convolution.
/// </summary>
[TestClass]
public sealed class WinogradTests
{
    public static IEnumerable<object[]> Levels => VectorLevels;

    // N, C, H, W, OC, pt, pl, pb, pr, activation (0 none, 1 relu, 2 relu6, 3 clip)
    private static readonly int[][] Cases =
    [
        [1, 16, 56, 56, 16, 1, 1, 1, 1, 1],  // resnet-like: 14 tiles per row
        [2, 3, 9, 11, 5, 1, 1, 1, 1, 0],     // partial tiles at both edges, two images
        [1, 8, 28, 30, 12, 1, 1, 1, 1, 2],   // 7 tiles per row (half-empty vectors)
        [1, 5, 13, 70, 7, 0, 0, 0, 0, 3],    // no padding, 17 tiles per row (crosses every vector width)
        [1, 4, 6, 6, 3, 2, 0, 1, 2, 0],      // asymmetric padding
        [1, 150, 10, 10, 9, 1, 1, 1, 1, 1],  // C past the GEMM's K block
        [1, 6, 8, 9, 170, 1, 1, 1, 1, 0],    // OC past the GEMM's in-place B limit (B packed)
        [1, 2, 3, 3, 2, 1, 1, 1, 1, 0],      // a single tile
        [1, 64, 14, 14, 64, 1, 1, 1, 1, 1],  // one block: threads share its channels, positions, output channels
        [1, 32, 64, 64, 32, 1, 1, 1, 1, 0],  // enough tiles: threads take blocks of tile rows
    ];

    internal static (Conv2DParams P, float[] X, float[] W, float[] Bias) Make(int[] c, int seed)
    {
        var p = new Conv2DParams
        {
            N = c[0], C = c[1], H = c[2], W = c[3], OC = c[4], KH = 3, KW = 3,
            PadTop = c[5], PadLeft = c[6], PadBottom = c[7], PadRight = c[8],
            Activation = c[9] switch { 0 => FusedActivation.None, 1 => FusedActivation.Relu, 2 => FusedActivation.Relu6, _ => FusedActivation.Clip(-0.5f, 0.7f) },
        };
        float[] x = Random(p.N * p.C * p.H * p.W, seed, -3f, 3f);
        float[] w = Random(p.OC * p.C * 9, seed + 1);
        float[] bias = seed % 2 == 0 ? [] : Random(p.OC, seed + 2);
        return (p, x, w, bias);
    }

    private static float[] Run(IsaLevel isa, Conv2DParams p, float[] x, WinogradWeights wg, float[] bias, int threads)
    {
        var y = new float[p.N * p.OC * p.ConvOutH * p.ConvOutW];
        Array.Fill(y, float.NaN);
        WinogradConv.Conv2D(isa, p, x, wg, bias, y, threads);
        return y;
    }

    [TestMethod]
    [DynamicData(nameof(Levels))]
    public void EveryLevelAndThreadCountMatchesScalarReference(IsaLevel isa)
    {
        int seed = 900;
        foreach (int[] c in Cases)
        {
            seed++;
            var (p, x, w, bias) = Make(c, seed);
            WinogradWeights wg = WinogradConv.TransformWeights(p, w);
            float[] reference = Run(IsaLevel.Scalar, p, x, wg, bias, 1);
            foreach (int threads in new[] { 1, 2, 3 })
            {
                AssertBitEqual(reference, Run(isa, p, x, wg, bias, threads), $"winograd case {seed} isa={isa} t={threads}");
            }
        }
    }

    [TestMethod]
    public void BlockSizeDoesNotChangeBits()
    {
        long saved = WinogradConv.BlockBudget;
        try
        {
            int seed = 950;
            foreach (int[] c in Cases)
            {
                seed++;
                var (p, x, w, bias) = Make(c, seed);
                WinogradWeights wg = WinogradConv.TransformWeights(p, w);
                WinogradConv.BlockBudget = 1 << 18;
                float[] expected = Run(KernelIsa.Best, p, x, wg, bias, 1);
                WinogradConv.BlockBudget = 1; // one tile row per block (or the two-panel minimum)
                AssertBitEqual(expected, Run(KernelIsa.Best, p, x, wg, bias, 1), $"winograd small blocks case {seed}");
                WinogradConv.BlockBudget = 1L << 30; // whole image in one block
                AssertBitEqual(expected, Run(KernelIsa.Best, p, x, wg, bias, 1), $"winograd one block case {seed}");
            }
        }
        finally
        {
            WinogradConv.BlockBudget = saved;
        }
    }

    /// <summary>
    /// Bounded against the exact convolution (double accumulation): |y − exact| ≤ 1e-5·(Σ|w·x| + |b|) per output — F(4,3)
    /// amplifies rounding ~10–100× over a direct chain, far below that — and the direct float chain obeys the same bound.
    /// </summary>
    [TestMethod]
    [DynamicData(nameof(AllLevelsData))]
    public void WithinFloatRoundingOfDoubleReference(IsaLevel isa)
    {
        int seed = 1000;
        foreach (int[] c in Cases)
        {
            seed++;
            var (p, x, w, bias) = Make(c, seed);
            var noAct = p.Clone();
            noAct.Activation = FusedActivation.None;
            WinogradWeights wg = WinogradConv.TransformWeights(noAct, w);
            float[] got = Run(isa, noAct, x, wg, bias, 2);
            var direct = new float[got.Length];
            Convolution.Conv2DReference(noAct, x, w, bias, direct);
            var (exact, scale) = DoubleConv(noAct, x, w, bias);
            double worst = 0;
            for (int i = 0; i < got.Length; i++)
            {
                double e = Math.Abs(got[i] - exact[i]) / scale[i];
                worst = Math.Max(worst, e);
                Assert.IsTrue(Math.Abs(direct[i] - exact[i]) <= 1e-5 * scale[i], $"direct reference case {seed} element {i}");
            }

            Assert.IsTrue(worst <= 1e-5, $"winograd case {seed} isa={isa}: worst error {worst:E3} of Σ|w·x|");
        }
    }

    public static IEnumerable<object[]> AllLevelsData => AllLevels;

    [TestMethod]
    public void ActivationClampsTheBiasedTransform()
    {
        var (p, x, w, bias) = Make(Cases[1], 7);
        bias = Random(p.OC, 8);
        var plain = p.Clone();
        plain.Activation = FusedActivation.None;
        var relu6 = p.Clone();
        relu6.Activation = FusedActivation.Clip(-0.25f, 0.5f);
        WinogradWeights wg = WinogradConv.TransformWeights(plain, w);
        float[] a = Run(IsaLevel.Scalar, plain, x, wg, bias, 1);
        float[] b = Run(IsaLevel.Scalar, relu6, x, wg, bias, 1);
        for (int i = 0; i < a.Length; i++)
        {
            Assert.AreEqual(MathF.Min(MathF.Max(a[i], -0.25f), 0.5f), b[i], $"element {i}");
        }
    }

    [TestMethod]
    public void RejectsOtherGeometryAndMismatchedWeights()
    {
        var s2 = new Conv2DParams { C = 4, H = 8, W = 8, OC = 4, KH = 3, KW = 3, StrideH = 2, StrideW = 2 };
        Assert.IsFalse(WinogradConv.Supports(s2));
        Assert.ThrowsExactly<ArgumentException>(() => WinogradConv.TransformWeights(s2, new float[144]));
        var p = new Conv2DParams { C = 4, H = 8, W = 8, OC = 4, KH = 3, KW = 3, PadTop = 1, PadLeft = 1, PadBottom = 1, PadRight = 1 };
        WinogradWeights wg = WinogradConv.TransformWeights(p, new float[144]);
        var other = p.Clone();
        other.OC = 5;
        Assert.ThrowsExactly<ArgumentException>(() => WinogradConv.Conv2D(IsaLevel.Scalar, other, new float[256], wg, [], new float[320]));
        Assert.IsFalse(WinogradConv.Preferred(new Conv2DParams { C = 64, H = 56, W = 56, OC = 64, KH = 3, KW = 3, Group = 2 }));
    }

    /// <summary>Exact (double) convolution and Σ|w·x| + |b| per output.</summary>
    internal static (double[] Exact, double[] Scale) DoubleConv(Conv2DParams p, float[] x, float[] w, float[] bias)
    {
        int oh = p.ConvOutH, ow = p.ConvOutW;
        var exact = new double[p.N * p.OC * oh * ow];
        var scale = new double[exact.Length];
        for (int n = 0; n < p.N; n++)
        {
            for (int oc = 0; oc < p.OC; oc++)
            {
                for (int oy = 0; oy < oh; oy++)
                {
                    for (int ox = 0; ox < ow; ox++)
                    {
                        double acc = bias.Length > 0 ? bias[oc] : 0, s = Math.Abs(acc);
                        for (int c = 0; c < p.C; c++)
                        {
                            for (int ky = 0; ky < 3; ky++)
                            {
                                int iy = oy - p.PadTop + ky;
                                for (int kx = 0; kx < 3; kx++)
                                {
                                    int ix = ox - p.PadLeft + kx;
                                    if ((uint)iy < (uint)p.H && (uint)ix < (uint)p.W)
                                    {
                                        double v = (double)w[(((oc * p.C) + c) * 9) + (ky * 3) + kx] * x[(((n * p.C) + c) * p.H * p.W) + (iy * p.W) + ix];
                                        acc += v;
                                        s += Math.Abs(v);
                                    }
                                }
                            }
                        }

                        int i = (((n * p.OC) + oc) * oh * ow) + (oy * ow) + ox;
                        exact[i] = acc;
                        scale[i] = Math.Max(s, 1e-30);
                    }
                }
            }
        }

        return (exact, scale);
    }
}
