using ModelBuild.Runtime.Kernels;
using static ModelBuild.Runtime.Tests.Kernels.KernelTestUtil;

namespace ModelBuild.Runtime.Tests.Kernels;

/// <summary>F(2,3) for small outputs (<see cref="WinogradSmallPlane"/>): same bits at every level and thread count, within float rounding of the exact convolution.</summary>
[TestClass]
public sealed class WinogradSmallPlaneTests
{
    public static IEnumerable<object[]> Levels => AllLevels;

    // N, C, H, W, OC, pt, pl, pb, pr, activation (0 none, 1 relu, 2 relu6, 3 clip)
    private static readonly int[][] Cases =
    [
        [1, 32, 7, 7, 48, 1, 1, 1, 1, 1],    // resnet18's last stage, scaled down: 16 tiles, a partial last tile row/column
        [2, 20, 5, 9, 37, 1, 1, 1, 1, 0],    // two images, channel counts that leave tails at every width
        [1, 16, 8, 8, 16, 0, 0, 0, 0, 2],    // no padding: 6×6 output, 9 tiles
        [1, 17, 6, 7, 33, 2, 0, 1, 2, 3],    // asymmetric padding, clip
        [1, 64, 4, 4, 70, 1, 1, 1, 1, 1],    // 4 tiles, OC past two panels
    ];

    // same case layout as WinogradTests
    private static (Conv2DParams P, float[] X, float[] W, float[] Bias) Make(int[] c, int seed) => WinogradTests.Make(c, seed);

    private static float[] Run(IsaLevel isa, Conv2DParams p, float[] x, WinogradSmallWeights wg, float[] bias, int threads)
    {
        var y = new float[p.N * p.OC * p.ConvOutH * p.ConvOutW];
        Array.Fill(y, float.NaN);
        WinogradSmallPlane.Conv2D(isa, p, x, wg, bias, y, threads);
        return y;
    }

    [TestMethod]
    [DynamicData(nameof(Levels))]
    public void EveryLevelAndThreadCountMatchesScalarReference(IsaLevel isa)
    {
        int seed = 1200;
        foreach (int[] c in Cases)
        {
            seed++;
            var (p, x, w, bias) = Make(c, seed);
            WinogradSmallWeights wg = WinogradSmallPlane.TransformWeights(p, w);
            float[] reference = Run(IsaLevel.Scalar, p, x, wg, bias, 1);
            foreach (int threads in new[] { 1, 2, 3 })
            {
                AssertBitEqual(reference, Run(isa, p, x, wg, bias, threads), $"F(2,3) case {seed} isa={isa} t={threads}");
            }
        }
    }

    /// <summary>|y − exact| ≤ 1e-5·(Σ|w·x| + |b|) per output, as for F(4,3) (F(2,3) amplifies rounding far less).</summary>
    [TestMethod]
    [DynamicData(nameof(Levels))]
    public void WithinFloatRoundingOfDoubleReference(IsaLevel isa)
    {
        int seed = 1300;
        foreach (int[] c in Cases)
        {
            seed++;
            var (p, x, w, bias) = Make(c, seed);
            var noAct = p.Clone();
            noAct.Activation = FusedActivation.None;
            float[] got = Run(isa, noAct, x, WinogradSmallPlane.TransformWeights(noAct, w), bias, 2);
            var (exact, scale) = WinogradTests.DoubleConv(noAct, x, w, bias);
            double worst = 0;
            for (int i = 0; i < got.Length; i++)
            {
                worst = Math.Max(worst, Math.Abs(got[i] - exact[i]) / scale[i]);
            }

            Assert.IsTrue(worst <= 1e-5, $"F(2,3) case {seed} isa={isa}: worst error {worst:E3} of Σ|w·x|");
        }
    }

    [TestMethod]
    public void ActivationClampsTheBiasedTransform()
    {
        var (p, x, w, _) = Make(Cases[0], 7);
        float[] bias = Random(p.OC, 8);
        var plain = p.Clone();
        plain.Activation = FusedActivation.None;
        var clip = p.Clone();
        clip.Activation = FusedActivation.Clip(-0.25f, 0.5f);
        WinogradSmallWeights wg = WinogradSmallPlane.TransformWeights(plain, w);
        float[] a = Run(IsaLevel.Scalar, plain, x, wg, bias, 1);
        float[] b = Run(IsaLevel.Scalar, clip, x, wg, bias, 1);
        for (int i = 0; i < a.Length; i++)
        {
            Assert.AreEqual(MathF.Min(MathF.Max(a[i], -0.25f), 0.5f), b[i], $"element {i}");
        }
    }

    [TestMethod]
    public void TakesTheSmallOutputsFourThreeLeaves()
    {
        static Conv2DParams Conv(int c, int hw, int oc) => new() { C = c, H = hw, W = hw, OC = oc, KH = 3, KW = 3, PadTop = 1, PadLeft = 1, PadBottom = 1, PadRight = 1 };
        Assert.IsTrue(WinogradSmallPlane.Preferred(Conv(512, 7, 512)), "resnet18 7×7");
        Assert.IsFalse(WinogradSmallPlane.Preferred(Conv(64, 56, 64)), "F(4,3) takes 56×56");
        Assert.IsFalse(WinogradSmallPlane.Preferred(Conv(8, 7, 512)), "too few input channels");
        Assert.IsTrue(WinogradSmallPlane.Preferred(Conv(64, 3, 64)), "3×3 output: one F(4,3) tile, four of F(2,3)");
        Assert.IsFalse(WinogradSmallPlane.Preferred(Conv(64, 2, 64)), "2×2 output: a single F(2,3) tile");
        var s2 = Conv(64, 7, 64);
        s2.StrideH = 2;
        s2.StrideW = 2;
        Assert.IsFalse(WinogradSmallPlane.Preferred(s2));
        var other = Conv(32, 7, 48);
        WinogradSmallWeights wg = WinogradSmallPlane.TransformWeights(other, new float[48 * 32 * 9]);
        other.OC = 49;
        Assert.ThrowsExactly<ArgumentException>(() => WinogradSmallPlane.Conv2D(IsaLevel.Scalar, other, new float[32 * 49], wg, [], new float[49 * 49]));
    }
}
