using ModelBuild.Runtime.Format.Schema;
using static ModelBuild.Runtime.Tests.Operators.OpHarness;

namespace ModelBuild.Runtime.Tests.Operators;

[TestClass]
public sealed class NormalizationExecutorTests
{
    /// <summary>Normalizes each of rows×size slices; gamma/beta indexed by position in the slice.</summary>
    private static double[] LayerNormRef(float[] x, int rows, int size, float[]? gamma, float[]? beta, double eps, bool rms)
    {
        var y = new double[x.Length];
        for (int r = 0; r < rows; r++)
        {
            var seg = x.Skip(r * size).Take(size).Select(v => (double)v).ToArray();
            double mean = rms ? 0 : seg.Average();
            double var = seg.Select(v => (v - mean) * (v - mean)).Average();
            for (int i = 0; i < size; i++)
            {
                y[r * size + i] = (seg[i] - mean) / Math.Sqrt(var + eps) * (gamma?[i] ?? 1) + (beta?[i] ?? 0);
            }
        }

        return y;
    }

    [TestMethod]
    public void LayerNormLastAxesWithGammaBeta()
    {
        var x = Random(4 * 5 * 6, 81, -2f, 3f);
        var gamma = Random(30, 82);
        var beta = Random(30, 83);
        var op = Op(OpType.LayerNorm, new LayerNormT { Axis = [-2, -1], Epsilon = 1e-5f, Gamma = [.. gamma], Beta = [.. beta], Group = 1 });
        AssertClose(Run(op, Tensor.FromFloats(x, 4, 5, 6)), [4, 5, 6], LayerNormRef(x, 4, 30, gamma, beta, 1e-5, false));
        var plain = Op(OpType.LayerNorm, new LayerNormT { Axis = [-1], Epsilon = 1e-3f, Group = 1 });
        AssertClose(Run(plain, Tensor.FromFloats(x, 4, 5, 6)), [4, 5, 6], LayerNormRef(x, 20, 6, null, null, 1e-3, false));
    }

    [TestMethod]
    public void RmsNormGroupsAndGammaInputs()
    {
        var x = Random(2 * 4 * 6, 84, -2f, 3f);
        var gamma = Random(6, 85);
        var rms = Op(OpType.LayerNorm, new LayerNormT { Axis = [-1], Epsilon = 1e-6f, Gamma = [.. gamma], UseRMSNorm = true, Group = 1 });
        AssertClose(Run(rms, Tensor.FromFloats(x, 2, 4, 6)), [2, 4, 6], LayerNormRef(x, 8, 6, gamma, null, 1e-6, true));
        // group 2: each batch item splits into 2 slices of 12.
        var grouped = Op(OpType.LayerNorm, new LayerNormT { Axis = [-1], Epsilon = 1e-5f, Group = 2 });
        AssertClose(Run(grouped, Tensor.FromFloats(x, 2, 4, 6)), [2, 4, 6], LayerNormRef(x, 4, 12, null, null, 1e-5, false));
        var beta = Random(6, 86);
        var fromInputs = Op(OpType.LayerNorm, new LayerNormT { Axis = [-1], Epsilon = 1e-5f, Group = 1 });
        AssertClose(Run(fromInputs, Tensor.FromFloats(x, 2, 4, 6), Tensor.FromFloats(gamma, 6), Tensor.FromFloats(beta, 6)), [2, 4, 6], LayerNormRef(x, 8, 6, gamma, beta, 1e-5, false));
    }

    [TestMethod]
    public void ScaleBatchNormInstanceNorm()
    {
        var x = Random(2 * 3 * 4 * 5, 87, -2f, 2f);
        float[] s = [0.5f, -1f, 2f], b = [0.1f, 0.2f, -0.3f];
        double[] Channel(Func<double, int, int, double> f) => x.Select((v, i) => f(v, i / 20 % 3, i / 20)).ToArray();
        AssertClose(Run(Op(OpType.Scale, new ScaleT { Channels = 3, ScaleData = [.. s], BiasData = [.. b] }), Tensor.FromFloats(x, 2, 3, 4, 5)), [2, 3, 4, 5], Channel((v, c, _) => v * s[c] + b[c]));
        AssertClose(Run(Op(OpType.Scale, new ScaleT { Channels = 3, ScaleData = [.. s] }), Tensor.FromFloats(x, 2, 3, 20)), [2, 3, 20], Channel((v, c, _) => v * s[c]));
        float[] mean = [0.3f, -0.2f, 0.1f], variance = [1.5f, 0.5f, 2f];
        var bn = new BatchNormT { Channels = 3, SlopeData = [.. s], BiasData = [.. b], MeanData = [.. mean], VarData = [.. variance], Epsilon = 1e-3f };
        AssertClose(Run(Op(OpType.BatchNorm, bn), Tensor.FromFloats(x, 2, 3, 4, 5)), [2, 3, 4, 5], Channel((v, c, _) => (v - mean[c]) / Math.Sqrt(variance[c] + 1e-3) * s[c] + b[c]));
        var inorm = new BatchNormT { Channels = 3, SlopeData = [.. s], BiasData = [.. b], Epsilon = 1e-5f };
        var stats = Enumerable.Range(0, 6).Select(p =>
        {
            var seg = x.Skip(p * 20).Take(20).Select(v => (double)v).ToArray();
            double m = seg.Average();
            return (m, seg.Select(v => (v - m) * (v - m)).Average());
        }).ToArray();
        AssertClose(Run(Op(OpType.InstanceNorm, inorm, OpParameter.BatchNorm), Tensor.FromFloats(x, 2, 3, 4, 5)), [2, 3, 4, 5],
            Channel((v, c, p) => (v - stats[p].m) / Math.Sqrt(stats[p].Item2 + 1e-5) * s[c] + b[c]));
        Assert.ThrowsExactly<ModelBuildException>(() => Run(Op(OpType.Scale, new ScaleT { Channels = 2, ScaleData = [1f, 2f] }), Tensor.FromFloats(x, 2, 3, 20)));
    }

    [TestMethod]
    [DataRow(0)]
    [DataRow(1)]
    public void GroupNormWithOptionalSwish(int swish)
    {
        int n = 2, c = 6, sp = 5, groups = 3;
        var x = Random(n * c * sp, 140, -2f, 2f);
        var gamma = Random(c, 141);
        var beta = Random(c, 142);
        var exp = new double[x.Length];
        for (int b = 0; b < n; b++)
        for (int g = 0; g < groups; g++)
        {
            int start = (b * c + g * 2) * sp, len = 2 * sp;
            var seg = x.Skip(start).Take(len).Select(v => (double)v).ToArray();
            double m = seg.Average(), v2 = seg.Select(v => (v - m) * (v - m)).Average();
            for (int i = 0; i < len; i++)
            {
                int ch = g * 2 + i / sp;
                double y = (seg[i] - m) / Math.Sqrt(v2 + 1e-5) * gamma[ch] + beta[ch];
                exp[start + i] = swish != 0 ? y / (1 + Math.Exp(-y)) : y;
            }
        }

        var op = Op(OpType.GroupNorm, new GroupNormT { Axis = 1, Epsilon = 1e-5f, Gamma = [.. gamma], Beta = [.. beta], Group = groups, BSwish = swish });
        AssertClose(Run(op, Tensor.FromFloats(x, n, c, sp)), [n, c, sp], exp);
    }

    [TestMethod]
    public void LrnAcrossAndWithinChannels()
    {
        int n = 1, c = 5, h = 3, w = 4;
        var x = Random(n * c * h * w, 88);
        var lrn = new LRNT { RegionType = 0, LocalSize = 3, Alpha = 0.2f, Beta = 0.75f, Bias = 1.5f };
        var exp = new double[x.Length];
        for (int ch = 0; ch < c; ch++)
        for (int p = 0; p < h * w; p++)
        {
            double sum = 0;
            for (int k = Math.Max(0, ch - 1); k <= Math.Min(c - 1, ch + 1); k++)
            {
                sum += (double)x[k * h * w + p] * x[k * h * w + p];
            }

            exp[ch * h * w + p] = x[ch * h * w + p] / Math.Pow(1.5 + 0.2 / 3 * sum, 0.75);
        }

        AssertClose(Run(Op(OpType.LRN, lrn), Tensor.FromFloats(x, n, c, h, w)), [n, c, h, w], exp);

        var within = new LRNT { RegionType = 1, LocalSize = 3, Alpha = 0.3f, Beta = 0.5f, Bias = 1f };
        for (int ch = 0; ch < c; ch++)
        for (int y = 0; y < h; y++)
        for (int xx = 0; xx < w; xx++)
        {
            double sum = 0;
            for (int yy = Math.Max(0, y - 1); yy <= Math.Min(h - 1, y + 1); yy++)
            for (int x2 = Math.Max(0, xx - 1); x2 <= Math.Min(w - 1, xx + 1); x2++)
            {
                double v = x[(ch * h + yy) * w + x2];
                sum += v * v;
            }

            int i = (ch * h + y) * w + xx;
            exp[i] = x[i] / Math.Pow(1 + 0.3 / 9 * sum, 0.5);
        }

        AssertClose(Run(Op(OpType.LRN, within), Tensor.FromFloats(x, n, c, h, w)), [n, c, h, w], exp);
    }

    [TestMethod]
    public void NormalizeAcrossChannelsAndSpatial()
    {
        var x = Random(2 * 3 * 4, 89);
        float[] scale = [1f, 2f, 3f];
        var exp = new double[x.Length];
        for (int b = 0; b < 2; b++)
        for (int p = 0; p < 4; p++)
        {
            double sum = 0;
            for (int c = 0; c < 3; c++)
            {
                sum += (double)x[(b * 3 + c) * 4 + p] * x[(b * 3 + c) * 4 + p];
            }

            for (int c = 0; c < 3; c++)
            {
                exp[(b * 3 + c) * 4 + p] = x[(b * 3 + c) * 4 + p] / Math.Sqrt(sum + 1e-6) * scale[c];
            }
        }

        AssertClose(Run(Op(OpType.Normalize, new NormalizeT { AcrossSpatial = 0, ChannelShared = 0, Eps = 1e-6f, Scale = [.. scale] }), Tensor.FromFloats(x, 2, 3, 2, 2)), [2, 3, 2, 2], exp);
        var across = x.Select((v, i) => v / Math.Sqrt(x.Skip(i / 12 * 12).Take(12).Sum(u => (double)u * u) + 1e-6) * 0.5).ToArray();
        AssertClose(Run(Op(OpType.Normalize, new NormalizeT { AcrossSpatial = 1, ChannelShared = 1, Eps = 1e-6f, Scale = [0.5f] }), Tensor.FromFloats(x, 2, 3, 2, 2)), [2, 3, 2, 2], across);
    }

    [TestMethod]
    public void SoftmaxAnyAxisAndArgMax()
    {
        var x = Random(2 * 3 * 4, 90, -3f, 3f);
        int[] shape = [2, 3, 4];
        foreach (int axis in new[] { 0, 1, 2, -1, -2 })
        {
            int a = axis < 0 ? axis + 3 : axis;
            int inner = shape.Skip(a + 1).Aggregate(1, (p, q) => p * q), len = shape[a];
            var exp = new double[x.Length];
            for (int i = 0; i < x.Length; i++)
            {
                int o = i / (inner * len), k = i % inner;
                var slice = Enumerable.Range(0, len).Select(j => (double)x[o * len * inner + j * inner + k]).ToArray();
                double m = slice.Max();
                exp[i] = Math.Exp(x[i] - m) / slice.Sum(v => Math.Exp(v - m));
            }

            AssertClose(Run(Op(OpType.Softmax, new AxisT { Axis_ = axis }), Tensor.FromFloats(x, shape)), shape, exp, what: $"axis {axis}");
        }

        var am = Tensor.FromFloats([1f, 5f, 5f, 0f, -1f, 2f, 7f, 2f], 2, 4);
        AssertInts(Run(Op(OpType.ArgMax, new ArgMaxT { Axis = 1 }), am), [2], [1, 2]);
        AssertInts(Run(Op(OpType.ArgMin, new ArgMaxT { Axis = -1 }, OpParameter.ArgMax), am), [2], [3, 0]);
        AssertInts(Run(Op(OpType.ArgMax, new ArgMaxT { Axis = 0 }), am), [4], [0, 0, 1, 1]);
    }
}
