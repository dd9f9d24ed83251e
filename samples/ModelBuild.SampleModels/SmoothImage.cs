namespace ModelBuild.SampleModels;

/// <summary>
/// A smooth, seeded, non-constant test image in 0..255 (NCHW): per channel a sum of a few random low-frequency
/// sinusoids plus a diagonal gradient, rescaled to the full 0..255 range. Smooth so it resembles a photo more than
/// white noise; random so every pixel and channel differ.
/// </summary>
public static class SmoothImage
{
    public const ulong ImageSeed = 7;

    public static float[] Generate(int channels, int height, int width, ulong seed = ImageSeed)
    {
        var rng = new SeededRandom(seed);
        var data = new float[channels * height * width];
        for (var c = 0; c < channels; c++)
        {
            const int Waves = 4;
            var fx = new double[Waves];
            var fy = new double[Waves];
            var phase = new double[Waves];
            var amp = new double[Waves];
            for (var i = 0; i < Waves; i++)
            {
                fx[i] = (rng.NextDouble() * 3.0 + 0.5) * 2 * Math.PI / width;
                fy[i] = (rng.NextDouble() * 3.0 + 0.5) * 2 * Math.PI / height;
                phase[i] = rng.NextDouble() * 2 * Math.PI;
                amp[i] = 0.5 + rng.NextDouble();
            }

            var plane = data.AsSpan(c * height * width, height * width);
            for (var y = 0; y < height; y++)
            {
                for (var x = 0; x < width; x++)
                {
                    double v = 0.8 * (x + y) / (width + height);
                    for (var i = 0; i < Waves; i++)
                    {
                        v += amp[i] * Math.Sin(fx[i] * x + fy[i] * y + phase[i]);
                    }

                    plane[y * width + x] = (float)v;
                }
            }

            Rescale(plane);
        }

        return data;
    }

    private static void Rescale(Span<float> plane)
    {
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        foreach (var v in plane)
        {
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }

        var scale = 255f / (max - min);
        for (var i = 0; i < plane.Length; i++)
        {
            plane[i] = MathF.Round((plane[i] - min) * scale * 100f) / 100f;
        }
    }
}
