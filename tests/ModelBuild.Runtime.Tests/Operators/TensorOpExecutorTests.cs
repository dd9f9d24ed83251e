using ModelBuild.Runtime.Format.Schema;
using static ModelBuild.Runtime.Tests.Operators.OpHarness;

namespace ModelBuild.Runtime.Tests.Operators;

[TestClass]
public sealed class MatMulExecutorTests
{
    /// <summary>Batched matmul reference with numpy batch broadcasting; a/b given in their stored (possibly transposed) layout.</summary>
    private static (int[] Shape, double[] Values) Reference(float[] a, int[] sa, bool ta, float[] b, int[] sb, bool tb, float[]? bias)
    {
        int m = ta ? sa[^1] : sa[^2], k = ta ? sa[^2] : sa[^1], n = tb ? sb[^2] : sb[^1];
        int rank = Math.Max(sa.Length, sb.Length) - 2;
        int[] ba = [.. Enumerable.Repeat(1, rank - (sa.Length - 2)), .. sa[..^2]];
        int[] bb = [.. Enumerable.Repeat(1, rank - (sb.Length - 2)), .. sb[..^2]];
        int[] bo = ba.Zip(bb, Math.Max).ToArray();
        int batches = Count(bo);
        var y = new double[batches * m * n];
        for (int t = 0; t < batches; t++)
        {
            int rest = t, ia = 0, ib = 0, stA = 1, stB = 1;
            for (int d = rank - 1; d >= 0; d--)
            {
                int idx = rest % bo[d];
                rest /= bo[d];
                ia += (ba[d] == 1 ? 0 : idx) * stA;
                ib += (bb[d] == 1 ? 0 : idx) * stB;
                stA *= ba[d];
                stB *= bb[d];
            }

            for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double acc = bias?[j] ?? 0;
                for (int p = 0; p < k; p++)
                {
                    double av = ta ? a[ia * m * k + p * m + i] : a[ia * m * k + i * k + p];
                    double bv = tb ? b[ib * k * n + j * k + p] : b[ib * k * n + p * n + j];
                    acc += av * bv;
                }

                y[(t * m + i) * n + j] = acc;
            }
        }

        return ([.. bo, m, n], y);
    }

    [TestMethod]
    [DataRow(new[] { 5, 7 }, new[] { 7, 3 }, false, false)]
    [DataRow(new[] { 7, 5 }, new[] { 7, 3 }, true, false)]
    [DataRow(new[] { 5, 7 }, new[] { 3, 7 }, false, true)]
    [DataRow(new[] { 2, 3, 4, 6 }, new[] { 6, 5 }, false, false)]
    [DataRow(new[] { 3, 1, 4, 6 }, new[] { 2, 5, 6 }, false, true)]
    [DataRow(new[] { 2, 6, 4 }, new[] { 2, 6, 9 }, true, false)]
    public void MatchesReference(int[] sa, int[] sb, bool ta, bool tb)
    {
        var a = Random(Count(sa), 91);
        var b = Random(Count(sb), 92);
        var (shape, exp) = Reference(a, sa, ta, b, sb, tb, null);
        AssertClose(Run(Op(OpType.MatMul, new MatMulT { TransposeA = ta, TransposeB = tb }), Tensor.FromFloats(a, sa), Tensor.FromFloats(b, sb)), shape, exp);
        AssertClose(Run(Op(OpType.BatchMatMul, new BatchMatMulParamT { AdjX = ta, AdjY = tb }), Tensor.FromFloats(a, sa), Tensor.FromFloats(b, sb)), shape, exp);
    }

    [TestMethod]
    public void BiasInputVectorOperandsAndErrors()
    {
        var a = Random(4 * 6, 93);
        var b = Random(6 * 3, 94);
        var bias = Random(3, 95);
        var (shape, exp) = Reference(a, [4, 6], false, b, [6, 3], false, bias);
        AssertClose(Run(Op(OpType.MatMul, new MatMulT()), Tensor.FromFloats(a, 4, 6), Tensor.FromFloats(b, 6, 3), Tensor.FromFloats(bias, 3)), shape, exp);
        AssertClose(Run(Op(OpType.MatMul, new MatMulT { Bias = [.. bias] }), Tensor.FromFloats(a, 4, 6), Tensor.FromFloats(b, 6, 3)), shape, exp);
        // Vector × matrix and matrix × vector drop the unit axis.
        var (_, vm) = Reference(a.Take(6).ToArray(), [1, 6], false, b, [6, 3], false, null);
        AssertClose(Run(Op(OpType.MatMul, new MatMulT()), Tensor.FromFloats(a.Take(6).ToArray(), 6), Tensor.FromFloats(b, 6, 3)), [3], vm);
        var (_, mv) = Reference(a, [4, 6], false, b.Take(6).ToArray(), [6, 1], false, null);
        AssertClose(Run(Op(OpType.MatMul, new MatMulT()), Tensor.FromFloats(a, 4, 6), Tensor.FromFloats(b.Take(6).ToArray(), 6)), [4], mv);
        Assert.ThrowsExactly<ModelBuildException>(() => Run(Op(OpType.MatMul, new MatMulT()), RandomTensor(1, 4, 5), RandomTensor(2, 6, 3)));
        Assert.ThrowsExactly<ModelBuildException>(() => Run(Op(OpType.MatMul, new MatMulT()), RandomTensor(1, 2, 4, 6), RandomTensor(2, 3, 6, 3)));
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void InnerProduct(bool transpose)
    {
        var x = Random(3 * 2 * 4, 96);
        var w = Random(5 * 8, 97);
        var bias = Random(5, 98);
        var exp = new double[15];
        for (int r = 0; r < 3; r++)
        for (int o = 0; o < 5; o++)
        {
            double acc = bias[o];
            for (int k = 0; k < 8; k++)
            {
                acc += (double)x[r * 8 + k] * (transpose ? w[k * 5 + o] : w[o * 8 + k]);
            }

            exp[r * 5 + o] = acc;
        }

        var op = Op(OpType.InnerProduct, new InnerProductT { OutputCount = 5, BiasTerm = 1, Weight = [.. w], Bias = [.. bias], Axis = 1, Transpose = transpose, WeightSize = 40 });
        AssertClose(Run(op, Tensor.FromFloats(x, 3, 2, 4)), [3, 5], exp);
    }
}

[TestClass]
internal sealed class ReductionExecutorTests
{
    public static IEnumerable<object[]> Cases()
    {
        foreach (var op in new[] { ReductionType.SUM, ReductionType.ASUM, ReductionType.SUMSQ, ReductionType.MEAN, ReductionType.MAXIMUM, ReductionType.MINIMUM, ReductionType.PROD })
        {
            yield return [op, new[] { 1 }, true];
            yield return [op, new[] { 0, 2 }, false];
            yield return [op, new[] { -1 }, false];
            yield return [op, Array.Empty<int>(), false];
        }
    }

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void FloatReductions(ReductionType op, int[] dims, bool keep)
    {
        int[] shape = [3, 4, 5];
        var x = Random(60, 101, 0.5f, 1.5f);
        for (int i = 0; i < 60; i += 3)
        {
            x[i] = -x[i];
        }

        var axes = dims.Length == 0 ? [0, 1, 2] : dims.Select(d => d < 0 ? d + 3 : d).ToArray();
        var outShape = Enumerable.Range(0, 3).Where(d => keep || !axes.Contains(d)).Select(d => axes.Contains(d) ? 1 : shape[d]).ToArray();
        var keptShape = Enumerable.Range(0, 3).Select(d => axes.Contains(d) ? 1 : shape[d]).ToArray();
        var groups = new List<double>[Count(keptShape)];
        for (int i = 0; i < groups.Length; i++)
        {
            groups[i] = [];
        }

        for (int i = 0; i < 60; i++)
        {
            int a = i / 20, b = i / 5 % 4, c = i % 5;
            int[] idx = [a, b, c];
            int o = 0;
            for (int d = 0; d < 3; d++)
            {
                o = o * keptShape[d] + (axes.Contains(d) ? 0 : idx[d]);
            }

            groups[o].Add(x[i]);
        }

        var exp = groups.Select(g => op switch
        {
            ReductionType.SUM => g.Sum(),
            ReductionType.ASUM => g.Sum(Math.Abs),
            ReductionType.SUMSQ => g.Sum(v => v * v),
            ReductionType.MEAN => g.Average(),
            ReductionType.MAXIMUM => g.Max(),
            ReductionType.MINIMUM => g.Min(),
            _ => g.Aggregate(1.0, (p, v) => p * v),
        }).ToArray();
        var param = new ReductionParamT { Operation = op, Dim = [.. dims], KeepDims = keep };
        AssertClose(Run(Op(OpType.Reduction, param), Tensor.FromFloats(x, shape)), outShape, exp, what: op.ToString());
    }

    [TestMethod]
    public void AxesInputIntReductionsAndAnyAll()
    {
        var x = Tensor.FromFloats([1f, 2f, 3f, 4f, 5f, 6f], 2, 3);
        AssertClose(Run(Op(OpType.Reduction, new ReductionParamT { Operation = ReductionType.SUM, KeepDims = false }), x, Tensor.FromInts([1], 1)), [2], [6, 15]);
        var ints = Tensor.FromInts([1, 0, 3, 4, 5, 6], 2, 3);
        AssertInts(Run(Op(OpType.Reduction, new ReductionParamT { Operation = ReductionType.SUM, Dim = [0] }), ints), [3], [5, 5, 9]);
        AssertInts(Run(Op(OpType.Reduction, new ReductionParamT { Operation = ReductionType.MAXIMUM, Dim = [1], KeepDims = true }), ints), [2, 1], [3, 6]);
        AssertInts(Run(Op(OpType.Reduction, new ReductionParamT { Operation = ReductionType.ALL, Dim = [1] }), ints), [2], [0, 1]);
        AssertInts(Run(Op(OpType.Reduction, new ReductionParamT { Operation = ReductionType.ANY, Dim = [1] }), ints), [2], [1, 1]);
        Assert.ThrowsExactly<ModelBuildException>(() => Run(Op(OpType.Reduction, new ReductionParamT { Operation = ReductionType.SUM, Dim = [2] }), x));
    }
}

[TestClass]
internal sealed class InterpExecutorTests
{
    /// <summary>Separable reference: src = dst·scale + offset, then nearest (floor/round) / linear / cubic with clamped indices.</summary>
    private static double[] Reference(float[] x, int planes, int ih, int iw, int oh, int ow, int type, Func<int, int, int, double> coord, double a = -0.75)
    {
        double Cubic(double t)
        {
            t = Math.Abs(t);
            return t <= 1 ? ((a + 2) * t - (a + 3)) * t * t + 1 : t < 2 ? ((a * t - 5 * a) * t + 8 * a) * t - 4 * a : 0;
        }

        (int, double)[] Taps(double s, int len) => type switch
        {
            1 => [(Math.Clamp((int)Math.Floor(s), 0, len - 1), 1.0)],
            4 => [(Math.Clamp((int)Math.Floor(s + 0.499), 0, len - 1), 1.0)],
            2 => [(Math.Clamp((int)Math.Floor(s), 0, len - 1), 1 - (s - Math.Floor(s))), (Math.Clamp((int)Math.Floor(s) + 1, 0, len - 1), s - Math.Floor(s))],
            _ => Enumerable.Range(-1, 4).Select(k => (Math.Clamp((int)Math.Floor(s) + k, 0, len - 1), Cubic(s - Math.Floor(s) - k))).ToArray(),
        };

        var y = new double[planes * oh * ow];
        for (int p = 0; p < planes; p++)
        for (int yy = 0; yy < oh; yy++)
        for (int xx = 0; xx < ow; xx++)
        {
            double acc = 0;
            foreach (var (iy, wy) in Taps(coord(yy, ih, oh), ih))
            {
                foreach (var (ix, wx) in Taps(coord(xx, iw, ow), iw))
                {
                    acc += wy * wx * x[(p * ih + iy) * iw + ix];
                }
            }

            y[(p * oh + yy) * ow + xx] = acc;
        }

        return y;
    }

    [TestMethod]
    [DataRow(1, CoordinateTransformationMode.Asymmetric)]
    [DataRow(2, CoordinateTransformationMode.HalfPixels)]
    [DataRow(2, CoordinateTransformationMode.AlignCorners)]
    [DataRow(2, CoordinateTransformationMode.PytorchHalfPixels)]
    [DataRow(3, CoordinateTransformationMode.HalfPixels)]
    [DataRow(4, CoordinateTransformationMode.TensorflowHalfPixels)]
    public void SizesInputAndCoordinateModes(int type, CoordinateTransformationMode ctm)
    {
        var x = Random(2 * 3 * 4 * 5, 111);
        int oh = 7, ow = 3;
        var op = Op(OpType.Interp, new InterpT { ResizeType = type, Ctm = ctm, CubicCoeffA = -0.75f });
        double Coord(int d, int inLen, int outLen)
        {
            double r = (double)inLen / outLen;
            return ctm switch
            {
                CoordinateTransformationMode.AlignCorners => outLen == 1 ? 0 : d * (double)(inLen - 1) / (outLen - 1),
                CoordinateTransformationMode.HalfPixels => (d + 0.5) * r - 0.5,
                CoordinateTransformationMode.PytorchHalfPixels => outLen > 1 ? (d + 0.5) * r - 0.5 : 0,
                CoordinateTransformationMode.TensorflowHalfPixels => (d + 0.5) * r,
                _ => d * r,
            };
        }

        var got = Run(op, Tensor.FromFloats(x, 2, 3, 4, 5), Tensor.FromInts([2, 3, oh, ow], 4));
        AssertClose(got, [2, 3, oh, ow], Reference(x, 6, 4, 5, oh, ow, type, Coord), abs: 1e-5, rel: 1e-4);
    }

    [TestMethod]
    public void ScalesInputParamSizesAndLegacyFlags()
    {
        var x = Random(1 * 2 * 3 * 4, 112);
        // Float scales input: output = in·scale, nearest asymmetric (style-transfer Upsample).
        var nearest = Op(OpType.Interp, new InterpT { ResizeType = 1, Ctm = CoordinateTransformationMode.Asymmetric });
        var got = Run(nearest, Tensor.FromFloats(x, 1, 2, 3, 4), Tensor.FromFloats([1f, 1f, 2f, 2f], 4));
        AssertClose(got, [1, 2, 6, 8], Reference(x, 2, 3, 4, 6, 8, 1, (d, i, o) => d * (double)i / o));
        // No size input: outputHeight/Width; NotSet + alignCorners.
        var legacy = Op(OpType.Interp, new InterpT { ResizeType = 2, OutputHeight = 5, OutputWidth = 7, AlignCorners = true });
        AssertClose(Run(legacy, Tensor.FromFloats(x, 1, 2, 3, 4)), [1, 2, 5, 7], Reference(x, 2, 3, 4, 5, 7, 2, (d, i, o) => d * (double)(i - 1) / (o - 1)));
        // NotSet + halfPixelCenters, scale parameters.
        var half = Op(OpType.Interp, new InterpT { ResizeType = 2, HeightScale = 2f, WidthScale = 1.5f, HalfPixelCenters = true });
        AssertClose(Run(half, Tensor.FromFloats(x, 1, 2, 3, 4)), [1, 2, 6, 6], Reference(x, 2, 3, 4, 6, 6, 2, (d, i, o) => (d + 0.5) * i / o - 0.5));
        Assert.ThrowsExactly<ModelBuildException>(() => Run(nearest, Tensor.FromFloats(x, 1, 2, 3, 4), Tensor.FromInts([1, 3, 6, 8], 4)));
    }

    /// <summary>Planes wide enough for the vector 2× copy and the multi-threaded paths (Run checks every ISA and 3 threads agree).</summary>
    [TestMethod]
    [DataRow(1, 2f, 2f)]
    [DataRow(4, 2f, 2f)]
    [DataRow(2, 2f, 2f)]
    [DataRow(2, 1.5f, 0.75f)]
    [DataRow(3, 2f, 3f)]
    public void LargerPlanesMatchReference(int type, float sh, float sw)
    {
        int ih = 11, iw = 37;
        var x = Random(2 * 3 * ih * iw, 113);
        int oh = (int)(ih * sh), ow = (int)(iw * sw);
        // Nearest with asymmetric coordinates is the Upsample pattern (each column twice at 2×).
        bool nearest = type is 1 or 4;
        var ctm = nearest ? CoordinateTransformationMode.Asymmetric : CoordinateTransformationMode.HalfPixels;
        var op = Op(OpType.Interp, new InterpT { ResizeType = type, Ctm = ctm, CubicCoeffA = -0.75f });
        var got = Run(op, Tensor.FromFloats(x, 2, 3, ih, iw), Tensor.FromInts([2, 3, oh, ow], 4));
        Func<int, int, int, double> coord = nearest ? (d, i, o) => d * (double)i / o : (d, i, o) => (d + 0.5) * i / o - 0.5;
        AssertClose(got, [2, 3, oh, ow], Reference(x, 6, ih, iw, oh, ow, type, coord), abs: 1e-5, rel: 1e-4);
    }
}

[TestClass]
internal sealed class PaddingExecutorTests
{
    [TestMethod]
    [DataRow(PadValueMode.CONSTANT, 2)]
    [DataRow(PadValueMode.REFLECT, 2)]
    [DataRow(PadValueMode.SYMMETRIC, 2)]
    [DataRow(PadValueMode.EDGE, 2)]
    [DataRow(PadValueMode.CONSTANT, 1201)]
    [DataRow(PadValueMode.REFLECT, 1201)]
    public void ModesMatchReference(PadValueMode mode, int channels)
    {
        // 1201 channels: enough rows for several threads (Run compares 3 threads with 1), split inside a channel.
        int h = 4, w = 5;
        var x = Random(channels * h * w, 121);
        int[] pads = [0, 0, 2, 1, 3, 2]; // (before, after) per axis of [channels, 4, 5]
        int oh = h + 3, ow = w + 5;
        int Src(int j, int n) => mode switch
        {
            _ when j >= 0 && j < n => j,
            PadValueMode.EDGE => j < 0 ? 0 : n - 1,
            PadValueMode.REFLECT => j < 0 ? -j : 2 * (n - 1) - j,
            PadValueMode.SYMMETRIC => j < 0 ? -j - 1 : 2 * n - 1 - j,
            _ => -1,
        };
        var exp = new double[channels * oh * ow];
        for (int c = 0; c < channels; c++)
        for (int y = 0; y < oh; y++)
        for (int xx = 0; xx < ow; xx++)
        {
            int sy = Src(y - 2, h), sx = Src(xx - 3, w);
            exp[(c * oh + y) * ow + xx] = sy < 0 || sx < 0 ? 1.5 : x[(c * h + sy) * w + sx];
        }

        var inputs = new List<Tensor> { Tensor.FromFloats(x, channels, h, w), Tensor.FromInts(pads, 6) };
        if (mode == PadValueMode.CONSTANT)
        {
            inputs.Add(Tensor.FromFloats([1.5f], 1));
        }

        AssertClose(Run(Op(OpType.Padding, new PadParamT { Mode = mode }), [.. inputs]), [channels, oh, ow], exp);
    }

    [TestMethod]
    public void IntPaddingCroppingAndErrors()
    {
        var t = Tensor.FromInts([1, 2, 3, 4, 5, 6], 2, 3);
        AssertInts(Run(Op(OpType.Padding, new PadParamT()), t, Tensor.FromInts([1, 0, 0, 1], 4)), [3, 4], [0, 0, 0, 0, 1, 2, 3, 0, 4, 5, 6, 0]);
        AssertInts(Run(Op(OpType.Padding, new PadParamT()), t, Tensor.FromInts([0, 0, -1, 0], 4)), [2, 2], [2, 3, 5, 6]);
        Assert.ThrowsExactly<ModelBuildException>(() => Run(Op(OpType.Padding, new PadParamT { Mode = PadValueMode.REFLECT }), t, Tensor.FromInts([0, 0, 3, 0], 4)));
        Assert.ThrowsExactly<ModelBuildException>(() => Run(Op(OpType.Padding, new PadParamT()), t, Tensor.FromInts([0, 0, 1], 3)));
    }
}
