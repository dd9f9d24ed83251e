using ModelBuild.Runtime.Kernels;
using static ModelBuild.Runtime.Tests.Kernels.KernelTestUtil;

namespace ModelBuild.Runtime.Tests.Kernels;

[TestClass]
internal sealed class ElementwiseTests
{
    private static readonly int[] Sizes = [1, 3, 7, 16, 17, 31, 64, 127, 1000, 70001];

    public static IEnumerable<object[]> Levels => AllLevels;

    public static IEnumerable<object[]> UnaryCases =>
        Enum.GetValues<UnaryFunction>().SelectMany(op => AllLevels.Select(l => new object[] { op, l[0] }));

    private static float[] Input(int n, int seed)
    {
        // wide range including special values
        float[] x = Random(n, seed, -12f, 12f);
        float[] specials = [0f, -0f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1e-30f, -1e-30f, 88.5f, -90f, 0.5f, 1.5f, 2.5f, -2.5f, 1e-40f, 100f, -100f];
        for (int i = 0; i < Math.Min(n, specials.Length); i++)
        {
            x[(i * 7) % n] = specials[i];
        }

        return x;
    }

    [TestMethod]
    [DynamicData(nameof(UnaryCases))]
    public void UnaryBitIdenticalToScalar(UnaryFunction op, IsaLevel isa)
    {
        foreach (int n in Sizes)
        {
            float[] x = Input(n, n);
            if (op is UnaryFunction.Log or UnaryFunction.Sqrt or UnaryFunction.Rsqrt)
            {
                for (int i = 0; i < n; i++)
                {
                    x[i] = i % 5 == 0 ? x[i] : MathF.Abs(x[i]) * 3f;
                }
            }

            float[] expected = new float[n], got = new float[n];
            Elementwise.Unary(IsaLevel.Scalar, op, x, expected, 0.2f, 0.7f);
            Elementwise.Unary(isa, op, x, got, 0.2f, 0.7f, threads: 3);
            AssertBitEqual(expected, got, $"{op} n={n} isa={isa}");

            // in place
            float[] inplace = (float[])x.Clone();
            Elementwise.Unary(isa, op, inplace, inplace, 0.2f, 0.7f);
            AssertBitEqual(expected, inplace, $"{op} in-place n={n} isa={isa}");
        }
    }

    public static IEnumerable<object[]> BinaryCases =>
        Enum.GetValues<BinaryFunction>().SelectMany(op => AllLevels.Select(l => new object[] { op, l[0] }));

    [TestMethod]
    [DynamicData(nameof(BinaryCases))]
    public void BinaryAllShapesBitIdenticalToScalar(BinaryFunction op, IsaLevel isa)
    {
        foreach (int n in Sizes)
        {
            float[] a = Input(n, n + 1), b = Input(n, n + 2);
            if (op == BinaryFunction.Pow)
            {
                for (int i = 0; i < n; i++)
                {
                    b[i] = i % 3 == 0 ? MathF.Round(b[i]) : b[i] * 0.3f;
                }
            }

            float[] e = new float[n], g = new float[n];
            Elementwise.Binary(IsaLevel.Scalar, op, a, b, e);
            Elementwise.Binary(isa, op, a, b, g, threads: 2);
            AssertBitEqual(e, g, $"{op} same n={n}");
            Elementwise.BinaryScalarRight(IsaLevel.Scalar, op, a, 1.7f, e);
            Elementwise.BinaryScalarRight(isa, op, a, 1.7f, g, threads: 2);
            AssertBitEqual(e, g, $"{op} scalar-right n={n}");
            Elementwise.BinaryScalarLeft(IsaLevel.Scalar, op, -2.3f, b, e);
            Elementwise.BinaryScalarLeft(isa, op, -2.3f, b, g);
            AssertBitEqual(e, g, $"{op} scalar-left n={n}");
        }
    }

    [TestMethod]
    [DynamicData(nameof(Levels))]
    public void BroadcastMatchesNaiveIndexing(IsaLevel isa)
    {
        int[][][] cases =
        [
            [[2, 3, 5, 7], [1, 3, 1, 1], [2, 3, 5, 7]],
            [[2, 3, 5, 7], [7], [2, 3, 5, 7]],
            [[5, 1], [1, 33], [5, 33]],
            [[1], [4, 19], [4, 19]],
            [[3, 1, 17], [3, 4, 1], [3, 4, 17]],
            [[2, 1, 1, 37], [1, 6, 5, 37], [2, 6, 5, 37]],
            [[1, 1], [1, 1], [1, 1]],
            [[0, 3], [1, 3], [0, 3]],
        ];
        foreach (int[][] c in cases)
        {
            int[] sa = c[0], sb = c[1], sy = c[2];
            int la = sa.Aggregate(1, (x, y) => x * y), lb = sb.Aggregate(1, (x, y) => x * y), ly = sy.Aggregate(1, (x, y) => x * y);
            float[] a = Random(la, la), b = Random(lb, lb + 9);
            float[] y = new float[ly];
            Elementwise.BinaryBroadcast(isa, BinaryFunction.Sub, a, sa, b, sb, y, sy, threads: 2);
            for (int i = 0; i < ly; i++)
            {
                float va = a[BroadcastIndex(i, sy, sa)], vb = b[BroadcastIndex(i, sy, sb)];
                Assert.AreEqual(va - vb, y[i], $"case {string.Join(",", sa)} vs {string.Join(",", sb)} at {i}");
            }

            float[] cmp = new float[ly];
            int[] icmp = new int[ly];
            Elementwise.Compare(isa, CompareOp.Greater, a, sa, b, sb, cmp, sy);
            Elementwise.Compare(isa, CompareOp.Greater, a, sa, b, sb, icmp, sy);
            for (int i = 0; i < ly; i++)
            {
                bool gt = a[BroadcastIndex(i, sy, sa)] > b[BroadcastIndex(i, sy, sb)];
                Assert.AreEqual(gt ? 1f : 0f, cmp[i]);
                Assert.AreEqual(gt ? 1 : 0, icmp[i]);
            }
        }
    }

    [TestMethod]
    public void BroadcastRejectsIncompatibleShapes()
    {
        Assert.ThrowsExactly<ArgumentException>(() => Elementwise.BinaryBroadcast(IsaLevel.Scalar, BinaryFunction.Add, new float[6], [2, 3], new float[4], [4], new float[6], [2, 3]));
    }

    [TestMethod]
    public void CompareIntAndSpecialValues()
    {
        int[] a = [1, 2, 3], b = [2];
        int[] y = new int[3];
        Elementwise.Compare(IsaLevel.Scalar, CompareOp.LessOrEqual, a, [3], b, [1], y, [3]);
        CollectionAssert.AreEqual(new[] { 1, 1, 0 }, y);
        float[] fy = new float[2];
        Elementwise.Compare(IsaLevel.Scalar, CompareOp.NotEqual, [float.NaN, 1f], [2], [float.NaN, 1f], [2], fy, [2]);
        CollectionAssert.AreEqual(new[] { 1f, 0f }, fy);
    }

    private static int BroadcastIndex(int flat, int[] yShape, int[] shape)
    {
        int idx = 0, stride = 1;
        for (int d = yShape.Length - 1, sd = shape.Length - 1; d >= 0; d--, sd--)
        {
            int coord = flat % yShape[d];
            flat /= yShape[d];
            if (sd >= 0)
            {
                if (shape[sd] != 1)
                {
                    idx += coord * stride;
                }

                stride *= shape[sd];
            }
        }

        return idx;
    }

    [TestMethod]
    public void ExplicitExpectedValues()
    {
        float[] x = [-2.5f, -1.5f, -0.5f, 0.5f, 1.5f, 2.5f, -3f, 3f];
        float[] y = new float[x.Length];
        Elementwise.Unary(KernelIsa.Best, UnaryFunction.Round, x, y);
        CollectionAssert.AreEqual(new[] { -2f, -2f, -0f, 0f, 2f, 2f, -3f, 3f }, y);
        Elementwise.Unary(KernelIsa.Best, UnaryFunction.Relu6, [-1f, 3f, 7f], y.AsSpan(0, 3));
        CollectionAssert.AreEqual(new[] { 0f, 3f, 6f }, y.Take(3).ToArray());
        Elementwise.Unary(KernelIsa.Best, UnaryFunction.Sign, [-4f, 0f, 2f], y.AsSpan(0, 3));
        CollectionAssert.AreEqual(new[] { -1f, 0f, 1f }, y.Take(3).ToArray());
        Elementwise.Binary(KernelIsa.Best, BinaryFunction.Mod, [5f, -5f, 5f, -5f], [3f, 3f, -3f, -3f], y.AsSpan(0, 4));
        CollectionAssert.AreEqual(new[] { 2f, 1f, -1f, -2f }, y.Take(4).ToArray());
        Elementwise.Binary(KernelIsa.Best, BinaryFunction.FMod, [5f, -5f, 5f, -5f], [3f, 3f, -3f, -3f], y.AsSpan(0, 4));
        CollectionAssert.AreEqual(new[] { 2f, -2f, 2f, -2f }, y.Take(4).ToArray());
        Elementwise.Binary(KernelIsa.Best, BinaryFunction.Pow, [-2f, 2f, 0f, 4f], [3f, 0.5f, 0f, -0.5f], y.AsSpan(0, 4));
        Assert.AreEqual(-8f, y[0], 1e-5f);
        Assert.AreEqual(MathF.Sqrt(2f), y[1], 1e-6f);
        Assert.AreEqual(1f, y[2]);
        Assert.AreEqual(0.5f, y[3], 1e-6f);
    }
}
