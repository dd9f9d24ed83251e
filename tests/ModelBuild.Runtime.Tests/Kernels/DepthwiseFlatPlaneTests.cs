using ModelBuild.Runtime.Kernels;
using static ModelBuild.Runtime.Tests.Kernels.KernelTestUtil;

namespace ModelBuild.Runtime.Tests.Kernels;

/// <summary>
/// Small depthwise planes run flattened (one run of oh·wq outputs over row- and column-phase planes, then
/// compacted; see <c>Convolution.FlatPlane</c>); their bits equal the reference at every level and thread count,
/// including stride 2 on odd and even widths (the plane-wide deinterleave needs even rows), dilation, multipliers,
/// windows other than 3x3 and several planes per chunk (padding written once per call).
/// </summary>
[TestClass]
public sealed class DepthwiseFlatPlaneTests
{
    public static IEnumerable<object[]> Levels => AllLevels;

    // C, H, W, multiplier, kernel, stride, dilation, padTL, padBR, act
    private static readonly int[][] Cases =
    [
        [9, 7, 7, 1, 3, 1, 1, 1, 1, 2],      // mobilenet_v2 7x7 stride 1
        [7, 14, 14, 1, 3, 2, 1, 0, 1, 2],    // 14 -> 7 stride 2 (even width: plane-wide deinterleave)
        [5, 14, 14, 1, 3, 1, 1, 1, 1, 1],
        [6, 13, 13, 1, 3, 2, 1, 1, 1, 0],    // odd width: row-wise gathers
        [4, 15, 14, 2, 3, 2, 1, 1, 1, 3],    // multiplier 2
        [3, 12, 11, 1, 5, 1, 1, 2, 2, 1],    // 5x5 window
        [3, 16, 16, 1, 3, 2, 2, 2, 2, 0],    // dilation 2, stride 2
        [5, 10, 9, 1, 3, 3, 1, 1, 0, 1],     // stride 3: three row phases
        [2, 28, 28, 1, 3, 2, 1, 1, 1, 2],
    ];

    [TestMethod]
    [DynamicData(nameof(Levels))]
    public void FlatPlanesMatchReference(IsaLevel isa)
    {
        int seed = 900;
        foreach (int[] c in Cases)
        {
            seed++;
            var p = new Conv2DParams
            {
                N = 2, C = c[0], H = c[1], W = c[2], OC = c[0] * c[3], KH = c[4], KW = c[4], StrideH = c[5], StrideW = c[5],
                DilationH = c[6], DilationW = c[6], PadTop = c[7], PadLeft = c[7], PadBottom = c[8], PadRight = c[8], Group = c[0],
                Activation = c[9] switch { 0 => FusedActivation.None, 1 => FusedActivation.Relu, 2 => FusedActivation.Relu6, _ => FusedActivation.Clip(-0.2f, 0.3f) },
            };
            float[] x = Random(p.N * p.C * p.H * p.W, seed);
            float[] w = Random(p.OC * p.KH * p.KW, seed + 1);
            float[] bias = seed % 2 == 0 ? [] : Random(p.OC, seed + 2);
            int ylen = p.N * p.OC * p.ConvOutH * p.ConvOutW;
            float[] e = new float[ylen], g = new float[ylen];
            Convolution.Conv2DReference(p, x, w, bias, e);
            foreach (int threads in new[] { 1, 2 })
            {
                Array.Fill(g, float.NaN);
                Convolution.Conv2D(isa, p, x, w, bias, g, threads);
                AssertBitEqual(e, g, $"flat depthwise case {seed} isa={isa} t={threads}");
            }
        }
    }

    [TestMethod]
    public void SmallPlanesChooseTheFlatRunAndWideRowsDoNot()
    {
        // mobilenet_v2: 7x7 and 14x14 outputs go flat at 512 bits; 56-wide rows keep the row kernels; scalar never
        Assert.IsTrue(Convolution.FlatPlane(IsaLevel.V512, 7, 7, 9, true));
        Assert.IsTrue(Convolution.FlatPlane(IsaLevel.V512, 7, 7, 8, false));
        Assert.IsTrue(Convolution.FlatPlane(IsaLevel.V512, 14, 14, 16, true));
        Assert.IsFalse(Convolution.FlatPlane(IsaLevel.V512, 56, 56, 58, true));
        Assert.IsFalse(Convolution.FlatPlane(IsaLevel.Scalar, 7, 7, 9, true));
    }
}
