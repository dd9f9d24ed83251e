using ModelBuild.Runtime.Kernels;
using static ModelBuild.Runtime.Tests.Kernels.KernelTestUtil;

namespace ModelBuild.Runtime.Tests.Kernels;

[TestClass]
public sealed class NearestResizeTests
{
    private static float[] Direct(float[] x, int planes, int h, int w, int[] rows, int[] cols)
    {
        var y = new float[planes * rows.Length * cols.Length];
        int k = 0;
        for (int p = 0; p < planes; p++)
        {
            foreach (int r in rows)
            {
                foreach (int c in cols)
                {
                    y[k++] = x[(((p * h) + r) * w) + c];
                }
            }
        }

        return y;
    }

    /// <summary>2× upsample (vector shuffles + tails), a 3× pattern, a shrink and a permutation (gathers).</summary>
    private static IEnumerable<(int H, int W, int[] Rows, int[] Cols)> Cases()
    {
        foreach (int w in new[] { 1, 3, 4, 8, 13, 16, 37 })
        {
            yield return (5, w, Enumerable.Range(0, 10).Select(i => i / 2).ToArray(), Enumerable.Range(0, 2 * w).Select(i => i / 2).ToArray());
        }

        yield return (4, 7, Enumerable.Range(0, 12).Select(i => i / 3).ToArray(), Enumerable.Range(0, 21).Select(i => i / 3).ToArray());
        yield return (9, 20, [0, 2, 4, 6, 8], Enumerable.Range(0, 7).Select(i => i * 3).ToArray());
        yield return (3, 6, [2, 2, 0, 1, 1], [5, 0, 4, 1, 3, 2, 2, 0]);
    }

    [TestMethod]
    [DynamicData(nameof(VectorLevels), typeof(KernelTestUtil))]
    public void EveryLevelAndThreadCountCopiesTheSourceElements(IsaLevel level)
    {
        int seed = 0;
        foreach (var (h, w, rows, cols) in Cases())
        {
            foreach (int planes in new[] { 1, 5 })
            {
                var x = Random(planes * h * w, 300 + seed++);
                x[0] = -0f;
                x[^1] = float.NaN;
                var expected = Direct(x, planes, h, w, rows, cols);
                foreach (var (isa, threads) in new[] { (IsaLevel.Scalar, 1), (level, 1), (level, 3) })
                {
                    var y = new float[expected.Length];
                    NearestResize.Run(isa, x, planes, h, w, rows, cols, y, threads);
                    AssertBitEqual(expected, y, $"{isa} x{threads} {planes}x{h}x{w} → {rows.Length}x{cols.Length}");
                }
            }
        }
    }

    [TestMethod]
    public void InvalidArgumentsThrow()
    {
        var x = new float[12];
        var y = new float[48];
        Assert.ThrowsExactly<ArgumentException>(() => NearestResize.Run(IsaLevel.Scalar, x, 1, 3, 4, [0, 3], [0, 1], y));
        Assert.ThrowsExactly<ArgumentException>(() => NearestResize.Run(IsaLevel.Scalar, x, 1, 3, 4, [0, 1], [-1, 1], y));
        Assert.ThrowsExactly<ArgumentException>(() => NearestResize.Run(IsaLevel.Scalar, x, 2, 3, 4, [0, 1], [0, 1], y));
    }
}
