using ModelBuild.Runtime.Kernels;

namespace ModelBuild.Runtime.Tests.Kernels;

internal static class KernelTestUtil
{
    /// <summary>Every IsaLevel value (those above the hardware are clamped by the kernels — must not throw).</summary>
    public static IEnumerable<object[]> AllLevels =>
        new[] { IsaLevel.Scalar, IsaLevel.V128, IsaLevel.V256, IsaLevel.V512 }.Select(l => new object[] { l });

    /// <summary>Vector levels only (compared with the scalar reference).</summary>
    public static IEnumerable<object[]> VectorLevels =>
        new[] { IsaLevel.V128, IsaLevel.V256, IsaLevel.V512 }.Select(l => new object[] { l });

    public static float[] Random(int n, int seed, float lo = -1f, float hi = 1f)
    {
        var rng = new Random(seed);
        var a = new float[n];
        for (int i = 0; i < n; i++)
        {
            a[i] = lo + ((hi - lo) * (float)rng.NextDouble());
        }

        return a;
    }

    public static void AssertBitEqual(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.AreEqual(expected.Length, actual.Length, $"{what}: length");
        for (int i = 0; i < expected.Length; i++)
        {
            int e = BitConverter.SingleToInt32Bits(expected[i]);
            int a = BitConverter.SingleToInt32Bits(actual[i]);
            if (e != a && !(float.IsNaN(expected[i]) && float.IsNaN(actual[i])))
            {
                Assert.Fail($"{what}: element {i} differs: expected {expected[i]:R} (0x{e:X8}) got {actual[i]:R} (0x{a:X8})");
            }
        }
    }

    public static void AssertClose(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double abs, double rel, string what)
    {
        Assert.AreEqual(expected.Length, actual.Length, $"{what}: length");
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            if (double.IsNaN(e) && double.IsNaN(a))
            {
                continue;
            }

            if (double.IsInfinity(e) && e == a)
            {
                continue;
            }

            if (!(Math.Abs(e - a) <= abs + (rel * Math.Abs(e))))
            {
                Assert.Fail($"{what}: element {i}: expected {e:R} got {a:R} (|diff| {Math.Abs(e - a):E3})");
            }
        }
    }

    /// <summary>Distance in units in the last place between two floats (same sign assumed for finite values).</summary>
    public static long UlpDiff(float expected, float actual)
    {
        if (float.IsNaN(expected) || float.IsNaN(actual))
        {
            return float.IsNaN(expected) && float.IsNaN(actual) ? 0 : long.MaxValue;
        }

        long a = BitConverter.SingleToInt32Bits(expected), b = BitConverter.SingleToInt32Bits(actual);
        if (a < 0)
        {
            a = int.MinValue - a;
        }

        if (b < 0)
        {
            b = int.MinValue - b;
        }

        return Math.Abs(a - b);
    }
}
