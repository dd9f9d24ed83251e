using ModelBuild.Runtime.Kernels;
using static ModelBuild.Runtime.Tests.Kernels.KernelTestUtil;

namespace ModelBuild.Runtime.Tests.Kernels;

[TestClass]
public sealed class ConvolutionTests
{
    public static IEnumerable<object[]> Levels => AllLevels;

    // N, C, H, W, OC, KH, KW, sh, sw, pt, pl, pb, pr, dh, dw, group, act
    private static readonly int[][] Cases =
    [
        [1, 3, 7, 9, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0],
        [2, 4, 11, 13, 6, 3, 2, 2, 1, 0, 1, 2, 0, 1, 2, 2, 1],
        [1, 8, 5, 5, 16, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 2],   // pointwise GEMM path
        [1, 6, 9, 17, 12, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 3, 3],  // grouped pointwise
        [1, 5, 13, 29, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 5, 1],  // depthwise s1
        [2, 7, 14, 33, 7, 3, 3, 2, 2, 1, 1, 0, 0, 1, 1, 7, 2],  // depthwise s2
        [1, 3, 10, 19, 6, 5, 5, 1, 2, 2, 2, 2, 2, 2, 1, 3, 0],  // depthwise multiplier 2 dilated
        [1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 0],
        [1, 2, 3, 3, 3, 3, 3, 1, 1, 2, 2, 2, 2, 1, 1, 1, 3],    // pads larger than input region
        [1, 16, 20, 20, 37, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
        [1, 3, 4, 40, 4, 1, 7, 1, 3, 0, 3, 0, 3, 1, 1, 1, 0],
        [2, 12, 9, 11, 10, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1], // implicit GEMM: grouped, 2 images, 4-row remainder
        [1, 8, 15, 60, 13, 3, 5, 1, 1, 0, 2, 1, 3, 2, 1, 1, 2], // implicit: uneven pads, dilated rows, 1-row remainder
        [1, 64, 6, 6, 14, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],  // implicit: K = 576 spans several K blocks
        [1, 24, 30, 30, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3], // implicit: large enough to split over threads
        [1, 9, 6, 40, 9, 2, 2, 1, 1, 0, 0, 1, 1, 1, 3, 3, 0],   // implicit: even window, dilated columns, 3 groups
        [1, 6, 7, 7, 20, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0],   // implicit: 7x7 output (deep-layer shape), no bias
        [1, 16, 14, 14, 24, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1], // implicit, stride 2: 4 column/row phases
        [2, 8, 11, 13, 12, 2, 2, 2, 2, 0, 0, 1, 1, 1, 1, 2, 0], // implicit, 2x2 stride 2, odd sizes, grouped
        [1, 10, 17, 23, 7, 5, 3, 3, 2, 2, 1, 0, 2, 2, 1, 1, 2],  // implicit, row stride 3, column stride 2, dilated rows
        [16, 64, 1, 1, 48, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 0], // 1x1 on 1x1 images over a batch: one GEMM, batch as rows
        [5, 7, 1, 1, 9, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 2],
        [2, 8, 13, 117, 3, 9, 9, 1, 1, 4, 4, 4, 4, 1, 1, 1, 0], // direct few-OC path, RGB output layer: 4-, 2-, 1-vector strips + tail
        [1, 5, 12, 21, 4, 3, 5, 1, 1, 0, 2, 1, 3, 2, 1, 1, 1],  // direct, OC 4, uneven pads, dilated rows
        [1, 4, 9, 50, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 2, 1, 2],   // direct, OC 1, dilated columns
        [1, 3, 6, 16, 2, 2, 2, 1, 1, 0, 0, 1, 1, 1, 1, 1, 3],   // direct, OC 2, even window
        [2, 3, 11, 70, 10, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1, 1, 1], // direct, RGB input layer: OC blocks 4 + 4 + 2
        [1, 3, 20, 37, 8, 7, 7, 2, 2, 3, 3, 3, 3, 1, 1, 1, 1],  // direct stride 2 (column phases), 7x7
        [2, 3, 9, 150, 6, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 2],  // direct stride 2, 75 outputs a row: every strip width
        [1, 2, 15, 41, 3, 3, 3, 3, 2, 2, 1, 0, 2, 2, 2, 1, 0],  // direct, row stride 3, column stride 2, dilated
    ];

    [TestMethod]
    public void FewChannelCasesTakeTheDirectKernel()
    {
        Assert.AreEqual(8, Cases.TakeLast(8).Count(c => DirectConv.Applies(Make(c))));
        Assert.IsFalse(DirectConv.Applies(Make(Cases[10])), "column stride 3 stays on im2col + GEMM");
        Assert.IsFalse(DirectConv.Applies(Make(Cases[9])), "16 → 37 channels is not a few-channel case");
        Assert.IsFalse(DirectConv.Applies(Make(Cases[2])), "pointwise stays on the GEMM");
    }

    [TestMethod]
    public void StrideOneCasesTakeTheImplicitGemm()
    {
        const int nr = 32; // V512 panel width
        Assert.AreEqual(9, Cases.Skip(11).Take(9).Count(c => ImplicitConv.Applies(Make(c), nr)));
        Assert.IsTrue(ImplicitConv.Applies(Make(Cases[9]), nr), "16 → 37 channels, 3x3 s1");
        Assert.IsTrue(ImplicitConv.Applies(Make(Cases[1]), nr), "row stride 2, grouped");
        Assert.IsFalse(ImplicitConv.Applies(Make(Cases[2]), nr), "pointwise stays on the plain GEMM");
        Assert.IsFalse(ImplicitConv.Applies(Make([1, 8, 9, 9, 16, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, 1, 0]), nr), "1x1 stride 2 stays on im2col");
        Assert.IsFalse(ImplicitConv.Applies(Make([1, 8, 10, 1, 8, 3, 3, 1, 1, 0, 3, 0, 3, 1, 1, 1, 0]), 2),
            "padded width more than an eighth wider in panels stays on im2col");
        Conv2DParams larger = Make(Cases[11]);
        larger.OutH = larger.ConvOutH + 1;
        Assert.IsFalse(ImplicitConv.Applies(larger, nr), "an explicit output size past the padded input stays on im2col");
    }

    private static Conv2DParams Make(int[] c) => new()
    {
        N = c[0], C = c[1], H = c[2], W = c[3], OC = c[4], KH = c[5], KW = c[6], StrideH = c[7], StrideW = c[8],
        PadTop = c[9], PadLeft = c[10], PadBottom = c[11], PadRight = c[12], DilationH = c[13], DilationW = c[14], Group = c[15],
        Activation = c[16] switch { 0 => FusedActivation.None, 1 => FusedActivation.Relu, 2 => FusedActivation.Relu6, _ => FusedActivation.Clip(-0.2f, 0.3f) },
    };

    [TestMethod]
    [DynamicData(nameof(Levels))]
    public void Conv2DBitIdenticalToReference(IsaLevel isa)
    {
        int seed = 0;
        foreach (int[] c in Cases)
        {
            Conv2DParams p = Make(c);
            seed++;
            float[] x = Random(p.N * p.C * p.H * p.W, seed);
            float[] w = Random(p.OC * (p.C / p.Group) * p.KH * p.KW, seed + 100);
            float[] bias = seed % 2 == 0 ? Random(p.OC, seed + 200) : [];
            int ylen = p.N * p.OC * p.ConvOutH * p.ConvOutW;
            float[] e = new float[ylen], g = new float[ylen];
            Convolution.Conv2DReference(p, x, w, bias, e);
            foreach (int threads in new[] { 1, 2 })
            {
                Array.Fill(g, float.NaN);
                Convolution.Conv2D(isa, p, x, w, bias, g, threads);
                AssertBitEqual(e, g, $"conv case {seed} isa={isa} t={threads}");
            }
        }
    }

    /// <summary>
    /// Stride-2 depthwise rows wide enough for the vector deinterleave of the phase split (whole vectors, single
    /// elements at the row ends, left padding 0..2, odd and even widths): the reference's bits at every level.
    /// </summary>
    [TestMethod]
    [DynamicData(nameof(Levels))]
    public void StrideTwoDepthwiseWideRowsMatchReference(IsaLevel isa)
    {
        // C, H, W, pad left (= top), pad right (= bottom)
        int[][] shapes = [[3, 7, 112, 1, 1], [2, 6, 57, 0, 1], [2, 5, 90, 2, 2], [4, 9, 34, 1, 0], [1, 4, 200, 1, 1]];
        int seed = 900;
        foreach (int[] s in shapes)
        {
            seed++;
            var p = new Conv2DParams
            {
                C = s[0], H = s[1], W = s[2], OC = s[0], KH = 3, KW = 3, StrideH = 2, StrideW = 2, Group = s[0],
                PadTop = s[3], PadLeft = s[3], PadBottom = s[4], PadRight = s[4], Activation = FusedActivation.Relu6,
            };
            float[] x = Random(p.C * p.H * p.W, seed), w = Random(p.OC * 9, seed + 1), bias = Random(p.OC, seed + 2);
            int ylen = p.OC * p.ConvOutH * p.ConvOutW;
            float[] e = new float[ylen], g = new float[ylen];
            Convolution.Conv2DReference(p, x, w, bias, e);
            foreach (int threads in new[] { 1, 2 })
            {
                Array.Fill(g, float.NaN);
                Convolution.Conv2D(isa, p, x, w, bias, g, threads);
                AssertBitEqual(e, g, $"depthwise s2 {string.Join("x", s)} isa={isa} t={threads}");
            }
        }
    }

    /// <summary>
    /// Stride-2 implicit-GEMM convolutions on rows wide enough for the vector deinterleave of the phase planes
    /// (padding 0..2, odd and even widths, a column stride 2 with row stride 1): the reference's bits at every level.
    /// </summary>
    [TestMethod]
    [DynamicData(nameof(Levels))]
    public void StrideTwoImplicitWideRowsMatchReference(IsaLevel isa)
    {
        // C, H, W, OC, sh, pad
        int[][] shapes = [[5, 7, 75, 7, 2, 1], [3, 6, 96, 9, 2, 0], [4, 5, 67, 6, 1, 2], [2, 9, 130, 5, 2, 1]];
        int seed = 950;
        foreach (int[] s in shapes)
        {
            seed++;
            var p = new Conv2DParams
            {
                C = s[0], H = s[1], W = s[2], OC = s[3], KH = 3, KW = 3, StrideH = s[4], StrideW = 2,
                PadTop = s[5], PadLeft = s[5], PadBottom = s[5], PadRight = s[5], Activation = FusedActivation.Relu,
            };
            Assert.IsTrue(ImplicitConv.Applies(p, Gemm.PanelWidth(KernelIsa.Clamp(isa))), $"{string.Join("x", s)} takes the implicit GEMM");
            float[] x = Random(p.C * p.H * p.W, seed), w = Random(p.OC * p.C * 9, seed + 1), bias = Random(p.OC, seed + 2);
            int ylen = p.OC * p.ConvOutH * p.ConvOutW;
            float[] e = new float[ylen], g = new float[ylen];
            Convolution.Conv2DReference(p, x, w, bias, e);
            ConvPackedWeights packed = Convolution.PackWeights(p, w)!;
            foreach (int threads in new[] { 1, 2 })
            {
                Array.Fill(g, float.NaN);
                Convolution.Conv2D(isa, p, x, w, bias, g, threads, packed);
                AssertBitEqual(e, g, $"implicit s2 {string.Join("x", s)} isa={isa} t={threads}");
            }
        }
    }

    /// <summary>
    /// Few positions, many output channels (7×7 layers): the transposed GEMM of <see cref="SmallPlaneConv"/> (3x3,
    /// stride 2, dilated, 1x1 over a batch, ragged channel panels) gives the reference's bits at every level and
    /// thread count.
    /// </summary>
    [TestMethod]
    [DynamicData(nameof(Levels))]
    public void SmallPlaneTransposedGemmMatchesReference(IsaLevel isa)
    {
        // N, C, H, W, OC, K, stride, pad, dilation
        int[][] shapes = [[1, 40, 7, 7, 91, 3, 1, 1, 1], [1, 24, 13, 13, 64, 3, 2, 1, 1], [2, 33, 7, 7, 96, 1, 1, 0, 1], [1, 16, 7, 7, 64, 3, 1, 2, 2], [1, 700, 3, 3, 37, 3, 1, 1, 1]];
        int seed = 970;
        foreach (int[] s in shapes)
        {
            seed++;
            var p = new Conv2DParams
            {
                N = s[0], C = s[1], H = s[2], W = s[3], OC = s[4], KH = s[5], KW = s[5], StrideH = s[6], StrideW = s[6],
                PadTop = s[7], PadLeft = s[7], PadBottom = s[7], PadRight = s[7], DilationH = s[8], DilationW = s[8],
                Activation = seed % 2 == 0 ? FusedActivation.Relu6 : FusedActivation.None,
            };
            int nr = Gemm.PanelWidth(KernelIsa.Clamp(isa));
            if (isa == IsaLevel.V512 && KernelIsa.Clamp(isa) == IsaLevel.V512)
            {
                int usual = ImplicitConv.Applies(p, nr) ? ImplicitConv.Columns(p) : p.ConvOutH * p.ConvOutW;
                Assert.IsTrue(SmallPlaneConv.Applies(p, nr, usual), $"{string.Join("x", s)} takes the transposed GEMM");
            }

            float[] x = Random(p.N * p.C * p.H * p.W, seed), w = Random(p.OC * p.C * p.KH * p.KW, seed + 1);
            float[] bias = seed % 3 == 0 ? [] : Random(p.OC, seed + 2);
            int ylen = p.N * p.OC * p.ConvOutH * p.ConvOutW;
            float[] e = new float[ylen], g = new float[ylen];
            Convolution.Conv2DReference(p, x, w, bias, e);
            ConvPackedWeights packed = Convolution.PackWeights(p, w)!;
            foreach (int threads in new[] { 1, 2 })
            {
                Array.Fill(g, float.NaN);
                Convolution.Conv2D(isa, p, x, w, bias, g, threads, packed);
                AssertBitEqual(e, g, $"small plane {string.Join("x", s)} isa={isa} t={threads}");
                Array.Fill(g, float.NaN);
                Convolution.Conv2D(isa, p, x, w, bias, g, threads);
                AssertBitEqual(e, g, $"small plane unpacked {string.Join("x", s)} isa={isa} t={threads}");
            }
        }
    }

    [TestMethod]
    public void Conv2DReferenceCloseToDouble()
    {
        Conv2DParams p = Make(Cases[1]);
        p.Activation = FusedActivation.None;
        float[] x = Random(p.N * p.C * p.H * p.W, 5), w = Random(p.OC * (p.C / p.Group) * p.KH * p.KW, 6), bias = Random(p.OC, 7);
        int oh = p.ConvOutH, ow = p.ConvOutW;
        float[] y = new float[p.N * p.OC * oh * ow];
        Convolution.Conv2DReference(p, x, w, bias, y);
        var exp = new double[y.Length];
        int cg = p.C / p.Group, ocg = p.OC / p.Group;
        for (int n = 0; n < p.N; n++)
        {
            for (int oc = 0; oc < p.OC; oc++)
            {
                for (int oy = 0; oy < oh; oy++)
                {
                    for (int ox = 0; ox < ow; ox++)
                    {
                        double s = bias[oc];
                        for (int ci = 0; ci < cg; ci++)
                        {
                            for (int ky = 0; ky < p.KH; ky++)
                            {
                                for (int kx = 0; kx < p.KW; kx++)
                                {
                                    int iy = (oy * p.StrideH) - p.PadTop + (ky * p.DilationH), ix = (ox * p.StrideW) - p.PadLeft + (kx * p.DilationW);
                                    if (iy >= 0 && iy < p.H && ix >= 0 && ix < p.W)
                                    {
                                        int c = ((oc / ocg) * cg) + ci;
                                        s += (double)x[(((n * p.C) + c) * p.H * p.W) + (iy * p.W) + ix] * w[(((((oc * cg) + ci) * p.KH) + ky) * p.KW) + kx];
                                    }
                                }
                            }
                        }

                        exp[(((n * p.OC) + oc) * oh * ow) + (oy * ow) + ox] = s;
                    }
                }
            }
        }

        AssertClose(exp, y, 1e-5, 1e-5, "conv vs double");
    }

    // N, C, H, W, OC, KH, KW, sh, sw, pt, pl, pb, pr, dh, dw, group, opadH, opadW
    private static readonly int[][] DeconvCases =
    [
        [1, 4, 5, 6, 3, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 0],
        [2, 6, 4, 7, 4, 2, 3, 1, 2, 0, 1, 0, 1, 2, 1, 2, 0, 1],
        [1, 3, 1, 1, 3, 4, 4, 2, 2, 0, 0, 0, 0, 1, 1, 3, 0, 0],
        [1, 8, 9, 9, 16, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1, 1, 0, 0],
    ];

    [TestMethod]
    [DynamicData(nameof(Levels))]
    public void ConvTransposeBitIdenticalToReference(IsaLevel isa)
    {
        int seed = 50;
        foreach (int[] c in DeconvCases)
        {
            seed++;
            var p = new Conv2DParams
            {
                N = c[0], C = c[1], H = c[2], W = c[3], OC = c[4], KH = c[5], KW = c[6], StrideH = c[7], StrideW = c[8],
                PadTop = c[9], PadLeft = c[10], PadBottom = c[11], PadRight = c[12], DilationH = c[13], DilationW = c[14], Group = c[15],
                OutputPadH = c[16], OutputPadW = c[17], Activation = seed % 2 == 0 ? FusedActivation.Relu : FusedActivation.None,
            };
            float[] x = Random(p.N * p.C * p.H * p.W, seed), w = Random(p.C * (p.OC / p.Group) * p.KH * p.KW, seed + 1), bias = Random(p.OC, seed + 2);
            int ylen = p.N * p.OC * p.DeconvOutH * p.DeconvOutW;
            float[] e = new float[ylen], g = new float[ylen];
            Convolution.ConvTranspose2DReference(p, x, w, bias, e);
            Convolution.ConvTranspose2D(isa, p, x, w, bias, g, 2);
            AssertBitEqual(e, g, $"deconv {seed} isa={isa}");

            // double check of the reference: direct scatter in double
            if (p.Activation.Kind == ActivationKind.None)
            {
                var d = new double[ylen];
                int oh = p.DeconvOutH, ow = p.DeconvOutW, cg = p.C / p.Group, ocg = p.OC / p.Group;
                for (int i = 0; i < ylen; i++)
                {
                    d[i] = bias[(i / (oh * ow)) % p.OC];
                }

                for (int n = 0; n < p.N; n++)
                {
                    for (int ci = 0; ci < p.C; ci++)
                    {
                        int gi = ci / cg;
                        for (int o = 0; o < ocg; o++)
                        {
                            for (int iy = 0; iy < p.H; iy++)
                            {
                                for (int ix = 0; ix < p.W; ix++)
                                {
                                    for (int ky = 0; ky < p.KH; ky++)
                                    {
                                        for (int kx = 0; kx < p.KW; kx++)
                                        {
                                            int oy = (iy * p.StrideH) - p.PadTop + (ky * p.DilationH), ox = (ix * p.StrideW) - p.PadLeft + (kx * p.DilationW);
                                            if (oy >= 0 && oy < oh && ox >= 0 && ox < ow)
                                            {
                                                d[(((n * p.OC) + (gi * ocg) + o) * oh * ow) + (oy * ow) + ox] +=
                                                    (double)x[(((n * p.C) + ci) * p.H * p.W) + (iy * p.W) + ix] * w[(((((ci * ocg) + o) * p.KH) + ky) * p.KW) + kx];
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }

                AssertClose(d, e, 1e-5, 1e-5, $"deconv ref vs double {seed}");
            }
        }
    }
}
