using ModelBuild.Runtime.Kernels;
using static ModelBuild.Runtime.Tests.Kernels.KernelTestUtil;

namespace ModelBuild.Runtime.Tests.Kernels;

[TestClass]
public sealed class PoolingReductionTests
{
    public static IEnumerable<object[]> Levels => AllLevels;

    // N, C, H, W, KH, KW, sh, sw, pt, pl, pb, pr, dh, dw, outH(0=floor), outW
    private static readonly int[][] PoolCases =
    [
        [1, 3, 7, 9, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0],
        [2, 2, 11, 37, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1, 0, 0],
        [1, 4, 10, 10, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 0, 0],
        [1, 1, 9, 9, 3, 3, 2, 2, 0, 0, 0, 0, 1, 1, 5, 5],   // ceil mode (floor would be 4)
        [1, 2, 8, 40, 3, 2, 1, 3, 1, 0, 1, 1, 2, 1, 0, 0],  // dilation
        [1, 1, 1, 17, 1, 5, 1, 1, 0, 2, 0, 2, 1, 1, 0, 0],  // 1-D
        [1, 2, 6, 113, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 0, 0], // stride-2 phases: whole deinterleaved vectors and row ends
        [1, 2, 5, 66, 3, 3, 2, 2, 0, 0, 0, 0, 1, 1, 0, 0],  // stride-2 phases, no left padding
    ];

    private static Conv2DParams Make(int[] c) => new()
    {
        N = c[0], C = c[1], H = c[2], W = c[3], KH = c[4], KW = c[5], StrideH = c[6], StrideW = c[7],
        PadTop = c[8], PadLeft = c[9], PadBottom = c[10], PadRight = c[11], DilationH = c[12], DilationW = c[13], OutH = c[14], OutW = c[15],
    };

    [TestMethod]
    [DynamicData(nameof(Levels))]
    public void Pool2DBitIdenticalToReference(IsaLevel isa)
    {
        int seed = 0;
        foreach (int[] c in PoolCases)
        {
            seed++;
            Conv2DParams p = Make(c);
            float[] x = Random(p.N * p.C * p.H * p.W, seed);
            int ylen = p.N * p.C * p.ConvOutH * p.ConvOutW;
            foreach (PoolKind kind in new[] { PoolKind.Max, PoolKind.Average })
            {
                foreach (bool inc in new[] { false, true })
                {
                    float[] e = new float[ylen], g = new float[ylen], nd = new float[ylen];
                    Pooling.Pool2DReference(kind, p, x, e, inc);
                    Pooling.Pool2D(isa, kind, p, x, g, inc, 2);
                    AssertBitEqual(e, g, $"pool {seed} {kind} inc={inc} isa={isa}");
                    Pooling.PoolNdReference(kind, x, [p.N, p.C, p.H, p.W], nd, [p.N, p.C, p.ConvOutH, p.ConvOutW], [p.KH, p.KW], [p.StrideH, p.StrideW], [p.PadTop, p.PadLeft], [p.PadBottom, p.PadRight], [p.DilationH, p.DilationW], inc);
                    AssertBitEqual(e, nd, $"pool nd {seed} {kind}");
                }
            }
        }
    }

    [TestMethod]
    public void AveragePoolKnownValues()
    {
        // 3x3 input, 2x2 window, stride 1, pad 1 each side
        float[] x = [1, 2, 3, 4, 5, 6, 7, 8, 9];
        var p = new Conv2DParams { C = 1, H = 3, W = 3, KH = 2, KW = 2, PadTop = 1, PadLeft = 1, PadBottom = 1, PadRight = 1 };
        float[] y = new float[16], yi = new float[16];
        Pooling.Pool2D(KernelIsa.Best, PoolKind.Average, p, x, y, false);
        Pooling.Pool2D(KernelIsa.Best, PoolKind.Average, p, x, yi, true);
        Assert.AreEqual(1f, y[0]);
        Assert.AreEqual(0.25f, yi[0]);
        Assert.AreEqual(3f, y[5]);
        Assert.AreEqual(3f, yi[5]);
        Pooling.Pool2D(KernelIsa.Best, PoolKind.Max, p, x, y, false);
        Assert.AreEqual(9f, y[15]);
    }

    [TestMethod]
    [DynamicData(nameof(Levels))]
    public void ReductionsBitIdenticalAndAccurate(IsaLevel isa)
    {
        int[][] shapes = [[3, 1, 1], [2, 17, 1], [3, 1000, 1], [1, 4099, 1], [2, 7, 5], [3, 33, 19], [1, 1, 40], [2, 0, 3]];
        foreach (ReduceOp op in Enum.GetValues<ReduceOp>())
        {
            foreach (int[] s in shapes)
            {
                int outer = s[0], r = s[1], inner = s[2];
                float[] x = Random(outer * r * inner, (int)op + (r * 31), op == ReduceOp.Prod ? 0.9f : -2f, op == ReduceOp.Prod ? 1.1f : 2f);
                float[] e = new float[outer * inner], g = new float[outer * inner];
                Reduction.Reduce(IsaLevel.Scalar, op, x, e, outer, r, inner);
                Reduction.Reduce(isa, op, x, g, outer, r, inner, 2);
                AssertBitEqual(e, g, $"{op} {outer}x{r}x{inner} isa={isa}");
                if (r == 0)
                {
                    continue;
                }

                var d = new double[outer * inner];
                for (int o = 0; o < outer; o++)
                {
                    for (int i = 0; i < inner; i++)
                    {
                        double acc = op switch { ReduceOp.Max or ReduceOp.LogSumExp => double.NegativeInfinity, ReduceOp.Min => double.PositiveInfinity, ReduceOp.Prod => 1, _ => 0 };
                        double mx = double.NegativeInfinity;
                        for (int k = 0; k < r; k++)
                        {
                            mx = Math.Max(mx, x[(((o * r) + k) * inner) + i]);
                        }

                        for (int k = 0; k < r; k++)
                        {
                            double v = x[(((o * r) + k) * inner) + i];
                            acc = op switch
                            {
                                ReduceOp.Max => Math.Max(acc, v),
                                ReduceOp.Min => Math.Min(acc, v),
                                ReduceOp.Prod => acc * v,
                                ReduceOp.SumSquare or ReduceOp.L2 => acc + (v * v),
                                ReduceOp.L1 => acc + Math.Abs(v),
                                ReduceOp.LogSumExp => (k == 0 ? 0 : acc) + Math.Exp(v - mx),
                                _ => acc + v,
                            };
                        }

                        d[(o * inner) + i] = op switch
                        {
                            ReduceOp.Mean => acc / r,
                            ReduceOp.L2 => Math.Sqrt(acc),
                            ReduceOp.LogSumExp => mx + Math.Log(acc),
                            _ => acc,
                        };
                    }
                }

                AssertClose(d, e, 1e-5, 1e-5, $"{op} reference vs double {outer}x{r}x{inner}");
            }
        }
    }

    /// <summary>The fused row loop gives the bits of the step-by-step row (max, subtract, exp, sum, divide).</summary>
    [TestMethod]
    [DynamicData(nameof(Levels))]
    public void SoftmaxFusedRowsMatchStepByStepRow(IsaLevel isa)
    {
        foreach ((int outer, int n) in new[] { (64, 16), (5, 3), (7, 37), (2, 1001) })
        {
            float[] x = Random(outer * n, n, -20f, 20f);
            float[] fused = new float[x.Length], steps = new float[x.Length];
            Reduction.Softmax(isa, x, fused, outer, n, 1);
            for (int o = 0; o < outer; o++)
            {
                Reduction.SoftmaxRow(isa, x.AsSpan(o * n, n), steps.AsSpan(o * n, n), false);
            }

            AssertBitEqual(steps, fused, $"softmax rows {outer}x{n} isa={isa}");
        }
    }

    [TestMethod]
    [DynamicData(nameof(Levels))]
    public void SoftmaxBitIdenticalAndAccurate(IsaLevel isa)
    {
        int[][] shapes = [[1, 1, 1], [3, 10, 1], [2, 1001, 1], [2, 5, 7], [3, 17, 33]];
        foreach (bool log in new[] { false, true })
        {
            foreach (int[] s in shapes)
            {
                int outer = s[0], r = s[1], inner = s[2];
                float[] x = Random(outer * r * inner, r + inner, -20f, 20f);
                float[] e = new float[x.Length], g = new float[x.Length];
                if (log)
                {
                    Reduction.LogSoftmax(IsaLevel.Scalar, x, e, outer, r, inner);
                    Reduction.LogSoftmax(isa, x, g, outer, r, inner, 2);
                }
                else
                {
                    Reduction.Softmax(IsaLevel.Scalar, x, e, outer, r, inner);
                    Reduction.Softmax(isa, x, g, outer, r, inner, 2);
                }

                AssertBitEqual(e, g, $"softmax log={log} {outer}x{r}x{inner} isa={isa}");
                var d = new double[x.Length];
                for (int o = 0; o < outer; o++)
                {
                    for (int i = 0; i < inner; i++)
                    {
                        double mx = double.NegativeInfinity, sum = 0;
                        for (int k = 0; k < r; k++)
                        {
                            mx = Math.Max(mx, x[(((o * r) + k) * inner) + i]);
                        }

                        for (int k = 0; k < r; k++)
                        {
                            sum += Math.Exp(x[(((o * r) + k) * inner) + i] - mx);
                        }

                        for (int k = 0; k < r; k++)
                        {
                            int idx = (((o * r) + k) * inner) + i;
                            d[idx] = log ? x[idx] - mx - Math.Log(sum) : Math.Exp(x[idx] - mx) / sum;
                        }
                    }
                }

                AssertClose(d, e, 1e-6, 1e-5, $"softmax log={log} vs double");
            }
        }
    }

    [TestMethod]
    [DynamicData(nameof(Levels))]
    public void GlobalPoolMatchesReduction(IsaLevel isa)
    {
        float[] x = Random(5 * 49, 3);
        float[] avg = new float[5], mx = new float[5], e = new float[5];
        Pooling.GlobalPool(isa, PoolKind.Average, x, avg, 5, 49);
        Pooling.GlobalPool(isa, PoolKind.Max, x, mx, 5, 49);
        Reduction.Reduce(IsaLevel.Scalar, ReduceOp.Mean, x, e, 5, 49, 1);
        AssertBitEqual(e, avg, "global avg");
        for (int i = 0; i < 5; i++)
        {
            Assert.AreEqual(x.Skip(i * 49).Take(49).Max(), mx[i]);
        }
    }
}
