using ModelBuild.Runtime.Format.Schema;
using static ModelBuild.Runtime.Tests.Operators.OpHarness;

namespace ModelBuild.Runtime.Tests.Operators;

[TestClass]
public sealed class PoolingExecutorTests
{
    /// <summary>Naive pooling over [N, C, spatial...] with per-axis window, begin/end pads and output sizes.</summary>
    private static double[] Reference(float[] x, int[] shape, int[] k, int[] s, int[] padBegin, int[] padEnd, int[] outSpatial, bool max, bool includePad)
    {
        int planes = shape[0] * shape[1];
        int dims = shape.Length - 2;
        int inPlane = Count(shape[2..]), outPlane = Count(outSpatial);
        var y = new double[planes * outPlane];
        for (int p = 0; p < planes; p++)
        {
            for (int o = 0; o < outPlane; o++)
            {
                var oi = Unravel(o, outSpatial);
                double acc = max ? double.NegativeInfinity : 0;
                long count = 0, padded = 1;
                for (int d = 0; d < dims; d++)
                {
                    int begin = oi[d] * s[d] - padBegin[d];
                    padded *= Math.Min(begin + k[d], shape[d + 2] + padEnd[d]) - begin;
                }

                int windows = Count(k);
                for (int wi = 0; wi < windows; wi++)
                {
                    var ki = Unravel(wi, k);
                    int offset = 0;
                    bool inside = true;
                    for (int d = 0; d < dims; d++)
                    {
                        int pos = oi[d] * s[d] - padBegin[d] + ki[d];
                        inside &= pos >= 0 && pos < shape[d + 2];
                        offset = offset * shape[d + 2] + pos;
                    }

                    if (!inside)
                    {
                        continue;
                    }

                    double v = x[p * inPlane + offset];
                    acc = max ? Math.Max(acc, v) : acc + v;
                    count++;
                }

                y[p * outPlane + o] = max ? acc : acc / (includePad ? padded : count);
            }
        }

        return y;
    }

    private static int[] Unravel(int index, int[] dims)
    {
        var r = new int[dims.Length];
        for (int i = dims.Length - 1; i >= 0; i--)
        {
            r[i] = index % dims[i];
            index /= dims[i];
        }

        return r;
    }

    [TestMethod]
    // max, kh, kw, stride, top, left, bottom, right, ceil, countType
    [DataRow(true, 3, 3, 2, 0, 0, 0, 0, true, 0)]
    [DataRow(true, 3, 2, 2, 1, 1, 1, 0, false, 0)]
    [DataRow(false, 2, 2, 2, 0, 0, 0, 0, false, 0)]
    [DataRow(false, 3, 3, 2, 1, 1, 1, 1, false, 1)]
    [DataRow(false, 3, 3, 2, 1, 1, 1, 1, false, 2)]
    [DataRow(false, 3, 3, 2, 1, 1, 1, 1, true, 1)]
    public void Pool2DMatchesReference(bool max, int kh, int kw, int stride, int top, int left, int bottom, int right, bool ceil, int countType)
    {
        int[] shape = [2, 3, 9, 8];
        var x = Random(Count(shape), 31);
        long ph = 9 + top + bottom, pw = 8 + left + right;
        int oh = (int)(ceil ? (ph - kh + stride - 1) / stride + 1 : (ph - kh) / stride + 1);
        int ow = (int)(ceil ? (pw - kw + stride - 1) / stride + 1 : (pw - kw) / stride + 1);
        var pool = new PoolT
        {
            KernelX = kw, KernelY = kh, StrideX = stride, StrideY = stride, Type = max ? PoolType.MAXPOOL : PoolType.AVEPOOL,
            PadType = PoolPadType.CAFFE, CeilModel = ceil, Pads = [top, left, bottom, right], CountType = (AvgPoolCountType)countType,
        };
        var got = Run(Op(OpType.Pooling, pool), Tensor.FromFloats(x, shape));
        // Explicit pads with DEFAULT count type exclude padding (upstream treats them as VALID-style padding).
        bool include = countType == 1;
        AssertClose(got, [2, 3, oh, ow], Reference(x, shape, [kh, kw], [stride, stride], [top, left], [bottom, right], [oh, ow], max, include));
    }

    [TestMethod]
    public void CeilModeDropsAWindowStartingInEndPadding()
    {
        // in 5, k 2, s 2, pads 1/1: ceil((7-2)/2)+1 = 4, but window 3 would start at 6-1 = 5 ≥ in → 3 windows (ONNX).
        int[] shape = [1, 1, 5, 5];
        var x = Random(Count(shape), 37);
        var pool = new PoolT { KernelX = 2, KernelY = 2, StrideX = 2, StrideY = 2, Type = PoolType.MAXPOOL, PadType = PoolPadType.CAFFE, CeilModel = true, Pads = [1, 1, 1, 1] };
        AssertClose(Run(Op(OpType.Pooling, pool), Tensor.FromFloats(x, shape)), [1, 1, 3, 3], Reference(x, shape, [2, 2], [2, 2], [1, 1], [1, 1], [3, 3], true, false));
    }

    [TestMethod]
    public void SymmetricPadXYWithDefaultCountIncludesPadding()
    {
        int[] shape = [1, 2, 6, 6];
        var x = Random(Count(shape), 32);
        var pool = new PoolT { KernelX = 3, KernelY = 3, StrideX = 2, StrideY = 2, PadX = 1, PadY = 1, Type = PoolType.AVEPOOL, PadType = PoolPadType.CAFFE, CeilModel = false };
        var got = Run(Op(OpType.Pooling, pool), Tensor.FromFloats(x, shape));
        AssertClose(got, [1, 2, 3, 3], Reference(x, shape, [3, 3], [2, 2], [1, 1], [1, 1], [3, 3], false, true));
    }

    [TestMethod]
    [DataRow(true)]
    [DataRow(false)]
    public void GlobalPooling(bool max)
    {
        int[] shape = [2, 4, 5, 7];
        var x = Random(Count(shape), 33);
        var pool = new PoolT { IsGlobal = true, Type = max ? PoolType.MAXPOOL : PoolType.AVEPOOL };
        var got = Run(Op(OpType.Pooling, pool), Tensor.FromFloats(x, shape));
        AssertClose(got, [2, 4, 1, 1], Reference(x, shape, [5, 7], [5, 7], [0, 0], [0, 0], [1, 1], max, false));
        var got3d = Run(Op(OpType.Pooling3D, new Pool3DT { IsGlobal = true, Type = max ? PoolType.MAXPOOL : PoolType.AVEPOOL }), Tensor.FromFloats(x, shape));
        AssertClose(got3d, [2, 4, 1, 1], Reference(x, shape, [5, 7], [5, 7], [0, 0], [0, 0], [1, 1], max, false));
    }

    [TestMethod]
    public void SameAndValidPadTypes()
    {
        int[] shape = [1, 2, 7, 7];
        var x = Random(Count(shape), 34);
        // SAME: out ceil(7/2)=4, needed (4-1)*2+3-7 = 2 → 1 before, 1 after; average excludes padding.
        var same = new PoolT { KernelX = 3, KernelY = 3, StrideX = 2, StrideY = 2, Type = PoolType.AVEPOOL, PadType = PoolPadType.SAME, CountType = AvgPoolCountType.EXCLUDE_PADDING };
        AssertClose(Run(Op(OpType.Pooling, same), Tensor.FromFloats(x, shape)), [1, 2, 4, 4], Reference(x, shape, [3, 3], [2, 2], [1, 1], [1, 1], [4, 4], false, false));
        // VALID: out ceil((7-3+1)/2) = 3.
        var valid = new PoolT { KernelX = 3, KernelY = 3, StrideX = 2, StrideY = 2, Type = PoolType.MAXPOOL, PadType = PoolPadType.VALID };
        AssertClose(Run(Op(OpType.Pooling, valid), Tensor.FromFloats(x, shape)), [1, 2, 3, 3], Reference(x, shape, [3, 3], [2, 2], [0, 0], [0, 0], [3, 3], true, false));
    }

    [TestMethod]
    public void Rank3InputPoolsTheLengthAxis()
    {
        int[] shape = [2, 3, 10];
        var x = Random(Count(shape), 35);
        var pool = new PoolT { KernelX = 1, KernelY = 4, StrideX = 1, StrideY = 3, Type = PoolType.MAXPOOL, PadType = PoolPadType.CAFFE, CeilModel = false, Pads = [1, 1] };
        var got = Run(Op(OpType.Pooling, pool), Tensor.FromFloats(x, shape));
        AssertClose(got, [2, 3, 3], Reference(x, shape, [4], [3], [1], [1], [3], true, false));
    }

    [TestMethod]
    [DataRow(true)]
    [DataRow(false)]
    public void Pool3DMatchesReference(bool max)
    {
        int[] shape = [1, 2, 5, 6, 7];
        var x = Random(Count(shape), 36);
        var pool = new Pool3DT { Kernels = [2, 3, 3], Strides = [2, 2, 1], Pads = [1, 0, 1], Type = max ? PoolType.MAXPOOL : PoolType.AVEPOOL, PadType = PoolPadType.CAFFE };
        int[] o = [(5 + 2 - 2) / 2 + 1, (6 - 3) / 2 + 1, (7 + 2 - 3) / 1 + 1];
        var got = Run(Op(OpType.Pooling3D, pool), Tensor.FromFloats(x, shape));
        AssertClose(got, [1, 2, .. o], Reference(x, shape, [2, 3, 3], [2, 2, 1], [1, 0, 1], [1, 0, 1], o, max, false));
    }

    [TestMethod]
    public void WindowLargerThanInputThrows()
    {
        var pool = new PoolT { KernelX = 3, KernelY = 3, StrideX = 0, StrideY = 1, Type = PoolType.MAXPOOL };
        Assert.ThrowsExactly<ModelBuildException>(() => Run(Op(OpType.Pooling, pool), RandomTensor(1, 1, 1, 4, 4)));
    }
}
