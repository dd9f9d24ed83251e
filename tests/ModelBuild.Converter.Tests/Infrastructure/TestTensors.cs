namespace ModelBuild.Converter.Tests.Infrastructure;

/// <summary>Deterministic test data.</summary>
public static class TestTensors
{
    /// <summary>Uniform random floats in [lo, hi) from a seeded generator; length = product of shape.</summary>
    public static float[] Random(int seed, long[] shape, float lo = -1f, float hi = 1f)
    {
        var rng = new System.Random(seed);
        var data = new float[Count(shape)];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = lo + (float)rng.NextDouble() * (hi - lo);
        }

        return data;
    }

    /// <summary>Uniform random floats for a shape given as ints.</summary>
    public static float[] Random(int seed, int[] shape, float lo = -1f, float hi = 1f) =>
        Random(seed, shape.Select(d => (long)d).ToArray(), lo, hi);

    /// <summary>0, 1, 2, ... scaled by <paramref name="step"/>.</summary>
    public static float[] Ramp(long count, float start = 0f, float step = 1f)
    {
        var data = new float[count];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = start + i * step;
        }

        return data;
    }

    public static long Count(long[] shape)
    {
        long n = 1;
        foreach (var d in shape)
        {
            n = checked(n * d);
        }

        return n;
    }
}
