using ModelBuild.Runtime.Format.Schema;
using static ModelBuild.Runtime.Tests.Operators.OpHarness;

namespace ModelBuild.Runtime.Tests.Operators;

[TestClass]
public sealed class ConvolutionExecutorTests
{
    /// <summary>Naive NCHW convolution in double: weight [oc, c/group, kh, kw], zero padding.</summary>
    internal static double[] Reference(
        float[] x, int n, int c, int h, int w, float[] wt, float[]? bias, int oc, int kh, int kw,
        int sh, int sw, int dh, int dw, int pt, int pl, int oh, int ow, int group, bool relu = false, bool relu6 = false)
    {
        int cg = c / group, ocg = oc / group;
        var y = new double[n * oc * oh * ow];
        for (int b = 0; b < n; b++)
        for (int o = 0; o < oc; o++)
        for (int yy = 0; yy < oh; yy++)
        for (int xx = 0; xx < ow; xx++)
        {
            int g = o / ocg;
            double acc = bias is null ? 0 : bias[o];
            for (int ci = 0; ci < cg; ci++)
            for (int ky = 0; ky < kh; ky++)
            for (int kx = 0; kx < kw; kx++)
            {
                int iy = yy * sh - pt + ky * dh, ix = xx * sw - pl + kx * dw;
                if (iy < 0 || iy >= h || ix < 0 || ix >= w)
                {
                    continue;
                }

                acc += (double)wt[((o * cg + ci) * kh + ky) * kw + kx] * x[((b * c + g * cg + ci) * h + iy) * w + ix];
            }

            if (relu || relu6)
            {
                acc = Math.Max(acc, 0);
            }

            if (relu6)
            {
                acc = Math.Min(acc, 6);
            }

            y[((b * oc + o) * oh + yy) * ow + xx] = acc;
        }

        return y;
    }

    internal static OpT ConvOp(OpType type, Convolution2DCommonT common, float[]? weight, float[]? bias) =>
        Op(type, new Convolution2DT { Common = common, Weight = weight?.ToList() ?? [], Bias = bias?.ToList() ?? [] });

    [TestMethod]
    // c, oc, h, w, kh, kw, stride, dilation, group, top, left, bottom, right
    [DataRow(3, 4, 7, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1)]
    [DataRow(3, 5, 9, 8, 3, 2, 2, 1, 1, 0, 1, 2, 1)]
    [DataRow(4, 6, 10, 9, 3, 3, 2, 2, 2, 2, 2, 2, 2)]
    [DataRow(8, 8, 6, 7, 3, 3, 1, 1, 8, 1, 1, 1, 1)]
    [DataRow(4, 8, 6, 6, 3, 3, 2, 1, 4, 1, 0, 1, 0)]
    [DataRow(5, 7, 5, 4, 1, 1, 1, 1, 1, 0, 0, 0, 0)]
    [DataRow(6, 4, 5, 5, 1, 1, 2, 1, 2, 0, 0, 0, 0)]
    public void ExplicitPadsMatchReference(int c, int oc, int h, int w, int kh, int kw, int stride, int dil, int group, int top, int left, int bottom, int right)
    {
        int n = 2;
        var x = Random(n * c * h * w, 1);
        var wt = Random(oc * (c / group) * kh * kw, 2);
        var bias = Random(oc, 3);
        int oh = (h + top + bottom - ((kh - 1) * dil + 1)) / stride + 1;
        int ow = (w + left + right - ((kw - 1) * dil + 1)) / stride + 1;
        var common = new Convolution2DCommonT
        {
            KernelX = kw, KernelY = kh, StrideX = stride, StrideY = stride, DilateX = dil, DilateY = dil,
            Group = group, InputCount = c, OutputCount = oc, PadX = left, PadY = top, Pads = [top, left, bottom, right],
        };
        var type = group == c && oc == c ? OpType.ConvolutionDepthwise : OpType.Convolution;
        var got = Run(ConvOp(type, common, wt, bias), Tensor.FromFloats(x, n, c, h, w));
        AssertClose(got, [n, oc, oh, ow], Reference(x, n, c, h, w, wt, bias, oc, kh, kw, stride, stride, dil, dil, top, left, oh, ow, group));
    }

    [TestMethod]
    [DataRow(false, true)]
    [DataRow(true, false)]
    public void FusedReluAndRelu6(bool relu, bool relu6)
    {
        var x = Random(1 * 3 * 6 * 6, 4, -4f, 4f);
        var wt = Random(4 * 3 * 3 * 3, 5, -2f, 2f);
        var common = new Convolution2DCommonT { KernelX = 3, KernelY = 3, OutputCount = 4, InputCount = 3, Relu = relu, Relu6 = relu6, Pads = [1, 1, 1, 1] };
        var got = Run(ConvOp(OpType.Convolution, common, wt, null), Tensor.FromFloats(x, 1, 3, 6, 6));
        AssertClose(got, [1, 4, 6, 6], Reference(x, 1, 3, 6, 6, wt, null, 4, 3, 3, 1, 1, 1, 1, 1, 1, 6, 6, 1, relu, relu6));
        Assert.IsTrue(got.Floats.ToArray().Max() <= (relu6 ? 6f : float.MaxValue) && got.Floats.ToArray().Min() >= 0f);
    }

    [TestMethod]
    public void SamePadModeUsesCeilOutputAndCentredPadding()
    {
        // SAME, stride 2, in 7: out 4, total pad (4-1)*2+3-7 = 2 → 1 before, 1 after.
        var x = Random(2 * 7 * 7, 6);
        var wt = Random(3 * 2 * 3 * 3, 7);
        var common = new Convolution2DCommonT { KernelX = 3, KernelY = 3, StrideX = 2, StrideY = 2, PadMode = PadMode.SAME, OutputCount = 3, InputCount = 2 };
        var got = Run(ConvOp(OpType.Convolution, common, wt, null), Tensor.FromFloats(x, 1, 2, 7, 7));
        AssertClose(got, [1, 3, 4, 4], Reference(x, 1, 2, 7, 7, wt, null, 3, 3, 3, 2, 2, 1, 1, 1, 1, 4, 4, 1));
    }

    [TestMethod]
    public void ValidPadModeIgnoresPadFields()
    {
        var x = Random(2 * 8 * 8, 8);
        var wt = Random(2 * 2 * 3 * 3, 9);
        var common = new Convolution2DCommonT { KernelX = 3, KernelY = 3, StrideX = 2, StrideY = 2, PadMode = PadMode.VALID, PadX = 5, PadY = 5, OutputCount = 2, InputCount = 2 };
        var got = Run(ConvOp(OpType.Convolution, common, wt, null), Tensor.FromFloats(x, 1, 2, 8, 8));
        AssertClose(got, [1, 2, 3, 3], Reference(x, 1, 2, 8, 8, wt, null, 2, 3, 3, 2, 2, 1, 1, 0, 0, 3, 3, 1));
    }

    [TestMethod]
    public void WeightsAndBiasAsInputTensors()
    {
        var x = Random(2 * 3 * 5 * 5, 10);
        var wt = Random(4 * 3 * 2 * 2, 11);
        var bias = Random(4, 12);
        var common = new Convolution2DCommonT { KernelX = 2, KernelY = 2, Pads = [0, 0, 1, 1] };
        var op = ConvOp(OpType.Convolution, common, null, null);
        var got = Run(op, Tensor.FromFloats(x, 2, 3, 5, 5), Tensor.FromFloats(wt, 4, 3, 2, 2), Tensor.FromFloats(bias, 4));
        AssertClose(got, [2, 4, 5, 5], Reference(x, 2, 3, 5, 5, wt, bias, 4, 2, 2, 1, 1, 1, 1, 0, 0, 5, 5, 1));
    }

    [TestMethod]
    public void MismatchedChannelsThrowCodedError()
    {
        var common = new Convolution2DCommonT { KernelX = 3, KernelY = 3, OutputCount = 2, InputCount = 3 };
        var op = ConvOp(OpType.Convolution, common, Random(2 * 3 * 9, 1), null);
        var e = Assert.ThrowsExactly<ModelBuildException>(() => Run(op, RandomTensor(1, 1, 4, 5, 5)));
        Assert.AreEqual(ErrorCodes.RuntimeShapeMismatch, e.Code);
        var tooSmall = ConvOp(OpType.Convolution, new Convolution2DCommonT { KernelX = 7, KernelY = 7 }, Random(49, 1), null);
        Assert.ThrowsExactly<ModelBuildException>(() => Run(tooSmall, RandomTensor(1, 1, 1, 5, 5)));
    }
}

[TestClass]
public sealed class DeconvolutionExecutorTests
{
    /// <summary>Naive transposed convolution in double: weight [c, oc/group, kh, kw], y[o, iy·s − p + ky·d] += w·x.</summary>
    private static double[] Reference(
        float[] x, int n, int c, int h, int w, float[] wt, float[]? bias, int oc, int kh, int kw,
        int sh, int sw, int dh, int dw, int pt, int pl, int oh, int ow, int group)
    {
        int cg = c / group, ocg = oc / group;
        var y = new double[n * oc * oh * ow];
        for (int b = 0; b < n; b++)
        {
            for (int o = 0; o < oc; o++)
            {
                for (int i = 0; i < oh * ow; i++)
                {
                    y[(b * oc + o) * oh * ow + i] = bias is null ? 0 : bias[o];
                }
            }

            for (int ci = 0; ci < c; ci++)
            for (int iy = 0; iy < h; iy++)
            for (int ix = 0; ix < w; ix++)
            {
                int g = ci / cg;
                for (int oo = 0; oo < ocg; oo++)
                for (int ky = 0; ky < kh; ky++)
                for (int kx = 0; kx < kw; kx++)
                {
                    int yy = iy * sh - pt + ky * dh, xx = ix * sw - pl + kx * dw;
                    if (yy < 0 || yy >= oh || xx < 0 || xx >= ow)
                    {
                        continue;
                    }

                    int o = g * ocg + oo;
                    y[((b * oc + o) * oh + yy) * ow + xx] += (double)wt[((ci * ocg + oo) * kh + ky) * kw + kx] * x[((b * c + ci) * h + iy) * w + ix];
                }
            }
        }

        return y;
    }

    [TestMethod]
    // c, oc, h, w, k, strideY, strideX, dilation, group, padTop, padLeft, padBottom, padRight, outPadH, outPadW
    [DataRow(3, 4, 4, 5, 3, 2, 3, 1, 1, 1, 1, 1, 1, 1, 1)]
    [DataRow(2, 2, 5, 5, 3, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0)]
    [DataRow(4, 6, 3, 4, 2, 2, 2, 2, 2, 1, 0, 0, 1, 0, 1)]
    [DataRow(4, 4, 4, 4, 3, 2, 2, 1, 4, 1, 1, 1, 1, 1, 0)]
    public void MatchesReference(int c, int oc, int h, int w, int k, int sy, int sx, int dil, int group, int pt, int pl, int pb, int pr, int oph, int opw)
    {
        int n = 2;
        var x = Random(n * c * h * w, 21);
        var wt = Random(c * (oc / group) * k * k, 22);
        var bias = Random(oc, 23);
        int oh = (h - 1) * sy + (k - 1) * dil + 1 - pt - pb + oph;
        int ow = (w - 1) * sx + (k - 1) * dil + 1 - pl - pr + opw;
        var common = new Convolution2DCommonT
        {
            KernelX = k, KernelY = k, StrideX = sx, StrideY = sy, DilateX = dil, DilateY = dil, Group = group,
            InputCount = c, OutputCount = oc, Pads = [pt, pl, pb, pr], OutPads = [oph, opw], PadX = pl, PadY = pt,
        };
        var type = group == c && oc == c ? OpType.DeconvolutionDepthwise : OpType.Deconvolution;
        var op = Op(type, new Convolution2DT { Common = common, Weight = [.. wt], Bias = [.. bias] }, OpParameter.Convolution2D);
        var got = Run(op, Tensor.FromFloats(x, n, c, h, w));
        AssertClose(got, [n, oc, oh, ow], Reference(x, n, c, h, w, wt, bias, oc, k, k, sy, sx, dil, dil, pt, pl, oh, ow, group));
    }

    [TestMethod]
    public void WeightInputAndSamePadMode()
    {
        var x = Random(1 * 2 * 3 * 3, 24);
        var wt = Random(2 * 3 * 3 * 3, 25);
        // SAME: out = in·stride = 6; full = (3-1)*2+3 = 7 → pad before 0 (floor of 1/2).
        var common = new Convolution2DCommonT { KernelX = 3, KernelY = 3, StrideX = 2, StrideY = 2, PadMode = PadMode.SAME };
        var op = Op(OpType.Deconvolution, new Convolution2DT { Common = common }, OpParameter.Convolution2D);
        var got = Run(op, Tensor.FromFloats(x, 1, 2, 3, 3), Tensor.FromFloats(wt, 2, 3, 3, 3));
        AssertClose(got, [1, 3, 6, 6], Reference(x, 1, 2, 3, 3, wt, null, 3, 3, 3, 2, 2, 1, 1, 0, 0, 6, 6, 1));
    }

    [TestMethod]
    public void Rank3InputIsAConv1DAsUpstreamWritesIt()
    {
        // Upstream's converter leaves an ONNX Conv1D input [N, C, L]; MNN reads it as H = L, W = 1.
        int c = 3, oc = 5, len = 17, k = 4;
        var x = RandomTensor(3, 2, c, len);
        var w = Random(oc * c * k, 4);
        var b = Random(oc, 5);
        var op = ConvolutionExecutorTests.ConvOp(OpType.Convolution, new Convolution2DCommonT { KernelX = 1, KernelY = k, StrideY = 2, StrideX = 1, DilateX = 1, DilateY = 1, InputCount = c, OutputCount = oc, Pads = [1, 0, 1, 0] }, w, b);
        int outLen = ((len + 2 - k) / 2) + 1;
        var y = Run(op, x);
        var expected = ConvolutionExecutorTests.Reference(x.Floats.ToArray(), 2, c, len, 1, w, b, oc, k, 1, 2, 1, 1, 1, 1, 0, outLen, 1, 1);
        AssertClose(y, [2, oc, outLen], expected);
    }

    [TestMethod]
    public void Rank5InputIsRejectedWithACode()
    {
        var op = ConvolutionExecutorTests.ConvOp(OpType.Convolution, new Convolution2DCommonT { KernelX = 1, KernelY = 1, StrideX = 1, StrideY = 1, DilateX = 1, DilateY = 1, InputCount = 1, OutputCount = 1 }, [1f], [0f]);
        var e = Assert.ThrowsExactly<ModelBuildException>(() => Run(op, RandomTensor(1, 1, 1, 1, 1, 1)));
        StringAssert.Contains(e.Message, "rank 2 to 4");
    }
}
