using ModelBuild.Runtime.Kernels;
using static ModelBuild.Runtime.Tests.Kernels.KernelTestUtil;

namespace ModelBuild.Runtime.Tests.Kernels;

/// <summary>
/// The fp16 emulation kernels (HalfRounding, HalfGemm, HalfConv): correct fp16 rounding (System.Half is the
/// oracle), the documented fp16 accumulation chain, and the same bits at every ISA level, thread count and on arm64
/// (the golden hashes were computed on x64; the arm64 CI run checks them there).
/// </summary>
[TestClass]
public sealed class HalfEmulationTests
{
    public static IEnumerable<object[]> Levels => AllLevels;

    private static float Oracle(float x) => (float)(Half)x;

    private static float[] Specials()
    {
        var v = new List<float>
        {
            0f, -0f, 1f, -1f, 65504f, -65504f, 65519.996f, 65520f, -65520f, 70000f, 1e38f, float.MaxValue,
            float.PositiveInfinity, float.NegativeInfinity, float.NaN, float.Epsilon, -float.Epsilon, 1e-40f,
            MathF.Pow(2, -24), MathF.Pow(2, -25), 3 * MathF.Pow(2, -26), MathF.Pow(2, -14), MathF.Pow(2, -15) * 1.5f,
            1 + MathF.Pow(2, -11), 1 + (3 * MathF.Pow(2, -11)), 2048f + 1f, 2048f + 3f, 0.1f, 1e-5f, 6e-8f, 6.2e-5f,
        };
        v.AddRange(v.Select(x => -x).ToArray());
        return [.. v];
    }

    /// <summary>Random bit patterns over the whole float range, and values near fp16's range, ties included.</summary>
    private static float[] Sweep(int n, int seed)
    {
        var rng = new Random(seed);
        var a = new float[n];
        for (int i = 0; i < n; i++)
        {
            a[i] = (i % 3) switch
            {
                0 => BitConverter.Int32BitsToSingle(rng.Next() ^ (rng.Next(2) << 31)),
                1 => (float)((rng.NextDouble() - 0.5) * Math.Pow(2, rng.Next(-30, 18))),
                // exact fp16 midpoints: k + 1/2 quanta at a random fp16 exponent
                _ => (float)(((rng.Next(1024, 2048) * 2) + 1) * Math.Pow(2, rng.Next(-26, 5))) * (rng.Next(2) == 0 ? 1 : -1),
            };
        }

        return a;
    }

    [TestMethod]
    [DynamicData(nameof(Levels))]
    public void RoundIsSystemHalfRoundTrip(IsaLevel isa)
    {
        foreach (var values in new[] { Specials(), Sweep(100_003, 7) })
        {
            var expected = values.Select(Oracle).ToArray();
            var got = values.ToArray();
            HalfRounding.RoundInPlace(isa, got);
            AssertBitEqual(expected, got, $"HalfRounding at {isa}");
        }
    }

    [TestMethod]
    public void RoundKnownValues()
    {
        Assert.AreEqual(65504f, HalfRounding.Round(65519.996f));
        Assert.AreEqual(float.PositiveInfinity, HalfRounding.Round(65520f));
        Assert.AreEqual(1f, HalfRounding.Round(1 + MathF.Pow(2, -11)), "tie to even (down)");
        Assert.AreEqual(1 + MathF.Pow(2, -9), HalfRounding.Round(1 + (3 * MathF.Pow(2, -11))), "tie to even (up)");
        Assert.AreEqual(MathF.Pow(2, -24), HalfRounding.Round(MathF.Pow(2, -24)), "smallest subnormal");
        Assert.AreEqual(0f, HalfRounding.Round(MathF.Pow(2, -25)), "half of it: tie to even zero");
        Assert.AreEqual(2048f, HalfRounding.Round(2049f), "above 2048 the quantum is 2");
        Assert.IsTrue(float.IsNegative(HalfRounding.Round(-0f)));
        Assert.IsTrue(float.IsNaN(HalfRounding.Round(float.NaN)));
    }

    /// <summary>Random (m, n, k) with remainders at every width; bias per row / column / none; clamps; strided A.</summary>
    [TestMethod]
    [DynamicData(nameof(Levels))]
    public void GemmMatchesElementReferenceBitForBit(IsaLevel isa)
    {
        int seed = 0;
        foreach (var (m, n, k) in new[] { (1, 1, 1), (3, 70, 17), (5, 33, 64), (7, 129, 300), (2, 16, 0) })
        {
            foreach (var (kind, transposeA, lo, hi) in new[] { (HalfBias.None, false, float.NegativeInfinity, float.PositiveInfinity), (HalfBias.PerRow, true, 0f, float.PositiveInfinity), (HalfBias.PerColumn, false, 0f, 6f) })
            {
                seed++;
                float[] a = Rounded(Random(m * Math.Max(k, 1), seed, -2, 2)), b = Rounded(Random(Math.Max(k, 1) * n, seed + 100, -2, 2));
                float[] bias = Rounded(Random(Math.Max(m, n), seed + 200, -1, 1));
                int rs = transposeA ? 1 : k, cs = transposeA ? m : 1;
                var expected = new float[m * n];
                for (int i = 0; i < m; i++)
                {
                    for (int j = 0; j < n; j++)
                    {
                        float bv = kind == HalfBias.PerRow ? bias[i] : kind == HalfBias.PerColumn ? bias[j] : 0;
                        expected[(i * n) + j] = HalfGemm.Element(a.AsSpan(i * rs), cs, b, n, j, k, bv, kind != HalfBias.None, lo, hi);
                    }
                }

                foreach (int threads in new[] { 1, 3 })
                {
                    var got = new float[m * n];
                    HalfGemm.Compute(isa, m, n, k, a, rs, cs, b, n, got, n, bias, kind, lo, hi, threads);
                    AssertBitEqual(expected, got, $"HalfGemm {m}x{n}x{k} {kind} tA={transposeA} isa={isa} threads={threads}");
                }
            }
        }
    }

    [TestMethod]
    [DynamicData(nameof(Levels))]
    public void GemmAccumulatesInHalf(IsaLevel isa)
    {
        // 4096 products of 1·1: an fp16 accumulator stops at 2048 (2048 + 1 rounds back to 2048, ties to even)
        float[] a = [.. Enumerable.Repeat(1f, 4096)], b = [.. Enumerable.Repeat(1f, 4096 * 19)];
        var c = new float[19];
        HalfGemm.Compute(isa, 1, 19, 4096, a, 4096, 1, b, 19, c, 19, [], HalfBias.None, float.NegativeInfinity, float.PositiveInfinity, 1);
        CollectionAssert.AreEqual(Enumerable.Repeat(2048f, 19).ToArray(), c);

        // past 65504 the accumulator overflows to +inf, as an fp16 register does
        float[] big = [60000f, 60000f];
        var o = new float[1];
        HalfGemm.Compute(isa, 1, 1, 2, big, 2, 1, [1f, 1f], 1, o, 1, [], HalfBias.None, float.NegativeInfinity, float.PositiveInfinity, 1);
        Assert.AreEqual(float.PositiveInfinity, o[0]);
    }

    private static readonly int[][] ConvCases =
    [
        // N, C, H, W, OC, KH, KW, stride, pad, dilation, group, activation(0 none, 1 relu, 2 relu6)
        [1, 3, 9, 11, 5, 3, 3, 1, 1, 1, 1, 0],
        [2, 4, 13, 7, 6, 3, 2, 2, 1, 1, 2, 1],
        [1, 8, 10, 10, 8, 3, 3, 1, 1, 1, 8, 2],     // depthwise
        [1, 6, 17, 19, 4, 1, 1, 1, 0, 1, 1, 0],     // 1x1
        [1, 2, 12, 12, 3, 3, 3, 1, 2, 2, 1, 1],     // dilated
        [1, 3, 30, 30, 2, 5, 5, 3, 2, 1, 1, 0],     // more positions than a block
    ];

    private static Conv2DParams MakeConv(int[] c) => new()
    {
        N = c[0], C = c[1], H = c[2], W = c[3], OC = c[4], KH = c[5], KW = c[6], StrideH = c[7], StrideW = c[7],
        PadTop = c[8], PadLeft = c[8], PadBottom = c[8], PadRight = c[8], DilationH = c[9], DilationW = c[9], Group = c[10],
        Activation = c[11] switch { 1 => FusedActivation.Relu, 2 => FusedActivation.Relu6, _ => FusedActivation.None },
    };

    /// <summary>The documented chain written out: acc over (ci, ky, kx), padded taps skipped (a 0 tap leaves acc unchanged).</summary>
    private static float[] ConvReference(Conv2DParams p, float[] x, float[] w, float[] bias)
    {
        int oh = p.ConvOutH, ow = p.ConvOutW, cg = p.C / p.Group, ocg = p.OC / p.Group;
        var y = new float[p.N * p.OC * oh * ow];
        for (int n = 0; n < p.N; n++)
        {
            for (int oc = 0; oc < p.OC; oc++)
            {
                int g = oc / ocg;
                for (int oy = 0; oy < oh; oy++)
                {
                    for (int ox = 0; ox < ow; ox++)
                    {
                        float acc = 0;
                        for (int ci = 0; ci < cg; ci++)
                        {
                            for (int ky = 0; ky < p.KH; ky++)
                            {
                                for (int kx = 0; kx < p.KW; kx++)
                                {
                                    int iy = (oy * p.StrideH) - p.PadTop + (ky * p.DilationH), ix = (ox * p.StrideW) - p.PadLeft + (kx * p.DilationW);
                                    float xv = iy >= 0 && iy < p.H && ix >= 0 && ix < p.W ? x[((((n * p.C) + (g * cg) + ci) * p.H) + iy) * p.W + ix] : 0f;
                                    acc = HalfRounding.Round(MathF.FusedMultiplyAdd(w[(((oc * cg) + ci) * p.KH + ky) * p.KW + kx], xv, acc));
                                }
                            }
                        }

                        acc = HalfRounding.Round(acc + bias[oc]);
                        y[(((n * p.OC) + oc) * oh + oy) * ow + ox] = MathF.Min(MathF.Max(acc, p.Activation.Lo), p.Activation.Hi);
                    }
                }
            }
        }

        return y;
    }

    [TestMethod]
    [DynamicData(nameof(Levels))]
    public void ConvMatchesReferenceBitForBit(IsaLevel isa)
    {
        int seed = 50;
        foreach (var c in ConvCases)
        {
            seed++;
            var p = MakeConv(c);
            float[] x = Rounded(Random(p.N * p.C * p.H * p.W, seed, -3, 3));
            float[] w = Rounded(Random(p.OC * (p.C / p.Group) * p.KH * p.KW, seed + 1));
            float[] bias = Rounded(Random(p.OC, seed + 2));
            var expected = ConvReference(p, x, w, bias);
            foreach (int threads in new[] { 1, 2 })
            {
                var got = new float[expected.Length];
                HalfConv.Conv2D(isa, p, x, w, bias, got, threads);
                AssertBitEqual(expected, got, $"HalfConv case {seed} isa={isa} threads={threads}");
            }
        }
    }

    [TestMethod]
    [DynamicData(nameof(Levels))]
    public void GlobalAverageMatchesChainAndSumsInHalf(IsaLevel isa)
    {
        foreach (var (planes, area) in new[] { (1, 1), (37, 49), (5, 169), (16, 3) })
        {
            float[] x = Rounded(Random(planes * area, planes + area, 0, 20));
            var expected = new float[planes];
            for (int p = 0; p < planes; p++)
            {
                float acc = 0;
                for (int i = 0; i < area; i++)
                {
                    acc = HalfRounding.Round(acc + x[(p * area) + i]);
                }

                expected[p] = HalfRounding.Round(acc * HalfRounding.Round(1f / area));
            }

            var got = new float[planes];
            HalfPooling.GlobalAverage(isa, x, got, planes, area);
            AssertBitEqual(expected, got, $"HalfPooling {planes}x{area} at {isa}");
        }

        // the mean of 4096 ones: the fp16 sum stops at 2048, so the device reports 0.5
        var half = new float[3];
        HalfPooling.GlobalAverage(isa, [.. Enumerable.Repeat(1f, 3 * 4096)], half, 3, 4096);
        CollectionAssert.AreEqual(new[] { 0.5f, 0.5f, 0.5f }, half);
    }

    /// <summary>
    /// Bits of a fixed emulated convolution and GEMM, as computed on x64: the same test on arm64 (the CI's qemu run)
    /// proves the emulation gives the same numbers there.
    /// </summary>
    [TestMethod]
    [DynamicData(nameof(Levels))]
    public void GoldenBitsSameOnEveryMachine(IsaLevel isa)
    {
        var p = MakeConv(ConvCases[1]);
        float[] x = Rounded(Deterministic(p.N * p.C * p.H * p.W, 3));
        float[] w = Rounded(Deterministic(p.OC * (p.C / p.Group) * p.KH * p.KW, 5));
        float[] bias = Rounded(Deterministic(p.OC, 11));
        var y = new float[p.N * p.OC * p.ConvOutH * p.ConvOutW];
        HalfConv.Conv2D(isa, p, x, w, bias, y, 1);
        Assert.AreEqual(ConvGolden, Hash(y), $"emulated convolution bits (hash {Hash(y)})");

        float[] a = Deterministic(37 * 50, 13), b = Deterministic(50 * 41, 17), z = new float[37 * 41];
        HalfRounding.RoundInPlace(isa, a);
        HalfGemm.Compute(isa, 37, 41, 50, a, 50, 1, b, 41, z, 41, [], HalfBias.None, float.NegativeInfinity, float.PositiveInfinity, 1);
        Assert.AreEqual(GemmGolden, Hash(z), $"emulated GEMM bits (hash {Hash(z)})");
    }

    private const ulong ConvGolden = 4431466757758287205UL;
    private const ulong GemmGolden = 14387817025795242415UL;

    /// <summary>Values from integer arithmetic only (no library randomness or transcendental in the inputs).</summary>
    private static float[] Deterministic(int n, int seed)
    {
        var a = new float[n];
        uint s = (uint)seed * 2654435761u;
        for (int i = 0; i < n; i++)
        {
            s = (s * 1664525u) + 1013904223u;
            a[i] = ((int)(s >> 8) - (1 << 23)) / (float)(1 << 22);
        }

        return a;
    }

    private static ulong Hash(float[] v)
    {
        ulong h = 14695981039346656037UL;
        foreach (var f in v)
        {
            h = (h ^ (uint)BitConverter.SingleToInt32Bits(f)) * 1099511628211UL;
        }

        return h;
    }

    private static float[] Rounded(float[] v)
    {
        HalfRounding.RoundInPlace(IsaLevel.Scalar, v);
        return v;
    }
}
