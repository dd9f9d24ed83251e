using ModelBuild.Runtime.Kernels;
using static ModelBuild.Runtime.Tests.Kernels.KernelTestUtil;

namespace ModelBuild.Runtime.Tests.Kernels;

[TestClass]
public sealed class NormalizationTests
{
    public static IEnumerable<object[]> Levels => AllLevels;

    /// <summary>The fused row loop gives the bits of Stats then Apply per row (the path GroupNorm still takes).</summary>
    [TestMethod]
    [DynamicData(nameof(Levels))]
    public unsafe void LayerNormFusedRowsMatchStatsThenApply(IsaLevel isa)
    {
        foreach ((int rows, int size) in new[] { (16, 64), (3, 7), (2, 1001) })
        {
            float[] x = Random(rows * size, size, -3f, 5f), gamma = Random(size, size + 1), beta = Random(size, size + 2);
            float[] fused = new float[x.Length], steps = new float[x.Length];
            Normalization.LayerNorm(isa, x, fused, rows, size, gamma, beta, 1e-5f);
            fixed (float* pg = gamma, pb = beta)
            {
                for (int r = 0; r < rows; r++)
                {
                    Normalization.Stats(KernelIsa.Clamp(isa), ref x[r * size], size, 1e-5f, out float mean, out float inv);
                    Normalization.ApplyDispatch(KernelIsa.Clamp(isa), ref x[r * size], ref steps[r * size], size, mean, inv, pg, pb, 1f, 0f);
                }
            }

            AssertBitEqual(steps, fused, $"layernorm rows {rows}x{size} isa={isa}");
        }
    }

    [TestMethod]
    [DynamicData(nameof(Levels))]
    public void LayerNormBitIdenticalAndAccurate(IsaLevel isa)
    {
        foreach ((int rows, int size) in new[] { (1, 1), (3, 7), (4, 16), (5, 33), (2, 768), (3, 1001) })
        {
            float[] x = Random(rows * size, size, -3f, 5f), gamma = Random(size, size + 1), beta = Random(size, size + 2);
            foreach (bool affine in new[] { true, false })
            {
                float[] e = new float[x.Length], g = new float[x.Length];
                Normalization.LayerNorm(IsaLevel.Scalar, x, e, rows, size, affine ? gamma : [], affine ? beta : [], 1e-5f);
                Normalization.LayerNorm(isa, x, g, rows, size, affine ? gamma : [], affine ? beta : [], 1e-5f, 2);
                AssertBitEqual(e, g, $"layernorm {rows}x{size} isa={isa}");
                var d = new double[x.Length];
                for (int r = 0; r < rows; r++)
                {
                    double mean = 0, var = 0;
                    for (int i = 0; i < size; i++)
                    {
                        mean += x[(r * size) + i];
                    }

                    mean /= size;
                    for (int i = 0; i < size; i++)
                    {
                        var += Math.Pow(x[(r * size) + i] - mean, 2);
                    }

                    var /= size;
                    for (int i = 0; i < size; i++)
                    {
                        double v = (x[(r * size) + i] - mean) / Math.Sqrt(var + 1e-5);
                        d[(r * size) + i] = affine ? (v * gamma[i]) + beta[i] : v;
                    }
                }

                AssertClose(d, e, 1e-4, 1e-4, $"layernorm vs double {rows}x{size}");
            }
        }
    }

    [TestMethod]
    [DynamicData(nameof(Levels))]
    public void GroupInstanceNormBitIdentical(IsaLevel isa)
    {
        int n = 2, c = 6, sp = 37;
        float[] x = Random(n * c * sp, 4, -2f, 3f), sc = Random(c, 5), bi = Random(c, 6);
        foreach (int groups in new[] { 1, 2, 6 })
        {
            float[] e = new float[x.Length], g = new float[x.Length];
            Normalization.GroupNorm(IsaLevel.Scalar, x, e, n, c, sp, groups, sc, bi, 1e-5f);
            Normalization.GroupNorm(isa, x, g, n, c, sp, groups, sc, bi, 1e-5f, 3);
            AssertBitEqual(e, g, $"groupnorm g={groups} isa={isa}");
        }

        float[] inst = new float[x.Length];
        Normalization.InstanceNorm(isa, x, inst, n, c, sp, sc, bi, 1e-5f);
        for (int pl = 0; pl < n * c; pl++)
        {
            double mean = x.Skip(pl * sp).Take(sp).Average();
            double var = x.Skip(pl * sp).Take(sp).Select(v => (v - mean) * (v - mean)).Average();
            for (int i = 0; i < sp; i++)
            {
                double exp = ((x[(pl * sp) + i] - mean) / Math.Sqrt(var + 1e-5) * sc[pl % c]) + bi[pl % c];
                Assert.AreEqual(exp, inst[(pl * sp) + i], 1e-4);
            }
        }
    }

    [TestMethod]
    [DynamicData(nameof(Levels))]
    public void AffinePReluLrnBitIdentical(IsaLevel isa)
    {
        int n = 2, c = 5, sp = 23;
        float[] x = Random(n * c * sp, 9, -3f, 3f), s = Random(c, 10), b = Random(c, 11);
        float[] e = new float[x.Length], g = new float[x.Length];
        Normalization.ChannelAffine(IsaLevel.Scalar, x, e, n, c, sp, s, b);
        Normalization.ChannelAffine(isa, x, g, n, c, sp, s, b, 2);
        AssertBitEqual(e, g, "affine");
        for (int i = 0; i < x.Length; i++)
        {
            Assert.AreEqual(MathF.FusedMultiplyAdd(x[i], s[(i / sp) % c], b[(i / sp) % c]), e[i]);
        }

        Normalization.ChannelAffine(isa, x, g, n, c, sp, s, []);
        Assert.AreEqual(x[30] * s[1], g[30]);

        Normalization.PRelu(IsaLevel.Scalar, x, e, n, c, sp, s);
        Normalization.PRelu(isa, x, g, n, c, sp, s, 2);
        AssertBitEqual(e, g, "prelu");
        for (int i = 0; i < x.Length; i++)
        {
            Assert.AreEqual(x[i] >= 0 ? x[i] : x[i] * s[(i / sp) % c], e[i]);
        }

        Normalization.Lrn(IsaLevel.Scalar, x, e, n, c, sp, 3, 1e-2f, 0.75f, 1f);
        Normalization.Lrn(isa, x, g, n, c, sp, 3, 1e-2f, 0.75f, 1f, 2);
        AssertBitEqual(e, g, "lrn");
        for (int i = 0; i < x.Length; i++)
        {
            int ch = (i / sp) % c, ni = i / (sp * c), si = i % sp;
            double sq = 0;
            for (int cc = Math.Max(0, ch - 1); cc <= Math.Min(c - 1, ch + 1); cc++)
            {
                double v = x[(((ni * c) + cc) * sp) + si];
                sq += v * v;
            }

            Assert.AreEqual(x[i] / Math.Pow(1 + (1e-2 / 3 * sq), 0.75), e[i], 1e-5);
        }

        float[] scale = new float[c], shift = new float[c];
        Normalization.BatchNormToScaleShift(b, [1, 2, 3, 4, 5], s, b, 1e-5f, scale, shift);
        Assert.AreEqual(s[1] / Math.Sqrt(2 + 1e-5), scale[1], 1e-6);
        Assert.AreEqual(b[1] - (b[1] * scale[1]), shift[1], 1e-6);
    }
}
