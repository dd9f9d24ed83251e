using ModelBuild.Runtime;

/// <summary>A deterministic image-like float tensor: smooth per-channel gradients plus seeded noise, values in [0, 1].</summary>
internal static class SeededImage
{
    public static Tensor Create(int[] shape, int seed)
    {
        var length = shape.Aggregate(1, (a, d) => a * d);
        var data = new float[length];
        var random = new Random(seed);
        var width = shape.Length > 0 ? shape[^1] : 1;
        var height = shape.Length > 1 ? shape[^2] : 1;
        for (var i = 0; i < length; i++)
        {
            var x = i % width;
            var y = i / width % height;
            var channel = i / (width * height);
            var smooth = 0.5 + 0.25 * Math.Sin((x + 3 * channel) * 0.2) * Math.Cos(y * 0.15);
            data[i] = (float)Math.Clamp(smooth + 0.2 * (random.NextDouble() - 0.5), 0, 1);
        }

        return Tensor.FromFloats(data, shape);
    }
}
