using ModelBuild.Runtime.Kernels;
using static ModelBuild.Runtime.Tests.Kernels.KernelTestUtil;

namespace ModelBuild.Runtime.Tests.Kernels;

[TestClass]
public sealed class DataMovementTests
{
    private static int[] Strides(int[] shape)
    {
        var s = new int[shape.Length];
        int acc = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            s[i] = acc;
            acc *= shape[i];
        }

        return s;
    }

    [TestMethod]
    public void TransposeMatchesNaive()
    {
        (int[] Shape, int[] Perm)[] cases =
        [
            ([3, 5], [1, 0]), ([2, 3, 4], [0, 2, 1]), ([2, 3, 4], [2, 0, 1]), ([2, 3, 4, 5], [0, 2, 3, 1]), ([2, 3, 4, 5], [0, 3, 1, 2]),
            ([2, 1, 4, 5], [1, 0, 2, 3]), ([70, 33], [1, 0]), ([2, 3, 4, 5], [1, 0, 2, 3]), ([4, 1, 1], [2, 1, 0]), ([2, 3, 4, 5, 6], [4, 2, 0, 3, 1]),
            ([5], [0]), ([0, 3], [1, 0]),
        ];
        foreach (var (shape, perm) in cases)
        {
            int total = shape.Aggregate(1, (a, b) => a * b);
            float[] x = Random(total, total);
            float[] y = new float[total];
            DataMovement.Transpose(KernelIsa.Best, x, shape, perm, y);
            int[] outShape = perm.Select(p => shape[p]).ToArray();
            int[] inStr = Strides(shape);
            for (int o = 0; o < total; o++)
            {
                int rem = o, src = 0;
                for (int d = outShape.Length - 1; d >= 0; d--)
                {
                    int i = rem % outShape[d];
                    rem /= outShape[d];
                    src += i * inStr[perm[d]];
                }

                Assert.AreEqual(x[src], y[o], $"transpose {string.Join(",", shape)} perm {string.Join(",", perm)} at {o}");
            }
        }
    }

    [TestMethod]
    public void PadAllModes()
    {
        int[] shape = [2, 3, 4];
        float[] x = Enumerable.Range(0, 24).Select(i => (float)i).ToArray();
        int[] b = [1, 2, 3], e = [0, 1, 2];
        foreach (PaddingMode mode in Enum.GetValues<PaddingMode>())
        {
            int[] os = [3, 6, 9];
            float[] y = new float[3 * 6 * 9];
            DataMovement.Pad(KernelIsa.Best, x, shape, b, e, mode, -7f, y);
            for (int i0 = 0; i0 < 3; i0++)
            {
                for (int i1 = 0; i1 < 6; i1++)
                {
                    for (int i2 = 0; i2 < 9; i2++)
                    {
                        int[] src = [i0 - b[0], i1 - b[1], i2 - b[2]];
                        bool inside = true;
                        for (int d = 0; d < 3; d++)
                        {
                            if (src[d] < 0 || src[d] >= shape[d])
                            {
                                inside = false;
                                if (mode == PaddingMode.Edge)
                                {
                                    src[d] = Math.Clamp(src[d], 0, shape[d] - 1);
                                }
                                else if (mode == PaddingMode.Reflect)
                                {
                                    src[d] = src[d] < 0 ? -src[d] : (2 * (shape[d] - 1)) - src[d];
                                }
                            }
                        }

                        float exp = mode == PaddingMode.Constant && !inside ? -7f : x[(src[0] * 12) + (src[1] * 4) + src[2]];
                        Assert.AreEqual(exp, y[(((i0 * 6) + i1) * 9) + i2], $"{mode} at {i0},{i1},{i2}");
                    }
                }
            }
        }

        // negative pad crops
        float[] c = new float[2 * 3 * 2];
        DataMovement.Pad(KernelIsa.Best, x, shape, [0, 0, -1], [0, 0, -1], PaddingMode.Constant, 0f, c);
        CollectionAssert.AreEqual(new float[] { 1, 2, 5, 6, 9, 10, 13, 14, 17, 18, 21, 22 }, c);
    }

    [TestMethod]
    public void ResizeKnownValues()
    {
        float[] x = [1, 2, 3, 4]; // 2x2
        float[] y = new float[16];
        DataMovement.Resize2D(KernelIsa.Best, x, 1, 1, 2, 2, y, 4, 4, new ResizeOptions { Mode = ResizeInterpolation.Nearest, Coordinates = ResizeCoordinateMode.Asymmetric, Nearest = ResizeNearestMode.Floor });
        CollectionAssert.AreEqual(new float[] { 1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4 }, y);

        DataMovement.Resize2D(KernelIsa.Best, x, 1, 1, 2, 2, y, 4, 4, new ResizeOptions { Mode = ResizeInterpolation.Linear, Coordinates = ResizeCoordinateMode.HalfPixel });
        // ONNX reference values for half_pixel bilinear 2x2 -> 4x4
        float[] expected = [1f, 1.25f, 1.75f, 2f, 1.5f, 1.75f, 2.25f, 2.5f, 2.5f, 2.75f, 3.25f, 3.5f, 3f, 3.25f, 3.75f, 4f];
        for (int i = 0; i < 16; i++)
        {
            Assert.AreEqual(expected[i], y[i], 1e-6f, $"linear at {i}");
        }

        float[] ya = new float[9];
        DataMovement.Resize2D(KernelIsa.Best, x, 1, 1, 2, 2, ya, 3, 3, new ResizeOptions { Mode = ResizeInterpolation.Linear, Coordinates = ResizeCoordinateMode.AlignCorners });
        CollectionAssert.AreEqual(new float[] { 1, 1.5f, 2, 2, 2.5f, 3, 3, 3.5f, 4 }, ya);

        // cubic on a linear ramp reproduces the ramp in the interior (A = -0.75, align_corners)
        float[] ramp = Enumerable.Range(0, 8).Select(i => (float)i).ToArray();
        float[] yc = new float[15];
        DataMovement.Resize2D(KernelIsa.Best, ramp, 1, 1, 1, 8, yc, 1, 15, new ResizeOptions { Mode = ResizeInterpolation.Cubic, Coordinates = ResizeCoordinateMode.AlignCorners });
        for (int i = 2; i < 13; i++)
        {
            Assert.AreEqual(i * 0.5f, yc[i], 1e-5f, $"cubic at {i}");
        }
    }

    [TestMethod]
    public void DepthToSpaceRoundTrip()
    {
        int n = 2, c = 8, h = 3, w = 5, b = 2;
        float[] x = Random(n * c * h * w, 1);
        float[] d = new float[x.Length], back = new float[x.Length];
        DataMovement.DepthToSpace(KernelIsa.Best, x, n, c, h, w, b, DepthToSpaceOrder.DCR, d);
        DataMovement.SpaceToDepth(KernelIsa.Best, d, n, c / (b * b), h * b, w * b, b, back);
        CollectionAssert.AreEqual(x, back);

        // CRD check of one element: y[n, c, h*b+by, w*b+bx] = x[n, c*b*b + by*b + bx, h, w]
        DataMovement.DepthToSpace(KernelIsa.Best, x, n, c, h, w, b, DepthToSpaceOrder.CRD, d);
        int oc = c / (b * b);
        Assert.AreEqual(x[(((1 * c) + (1 * 4) + (1 * 2) + 0) * h * w) + (2 * w) + 3], d[(((1 * oc) + 1) * h * b * w * b) + (((2 * b) + 1) * w * b) + (3 * b) + 0]);
    }
}
