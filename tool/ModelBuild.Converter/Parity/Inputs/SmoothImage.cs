namespace ModelBuild.Converter.Parity.Inputs;

/// <summary>
/// A random but natural-looking picture plane: a few low-frequency sinusoids plus coarse noise upsampled
/// bilinearly, stretched to [lo, hi]. Never constant, so normalization layers see realistic variance.
/// </summary>
public static class SmoothImage
{
    public static float[] Plane(Random rng, int height, int width, double lo, double hi)
    {
        var plane = new double[height * width];
        const int waves = 4;

        // at most one cycle per 8 pixels, so small inputs stay smooth too
        var maxCycles = Math.Clamp(Math.Min(height, width) / 8.0, 0.5, 3.0);
        for (var k = 0; k < waves; k++)
        {
            var fx = 0.2 + rng.NextDouble() * (maxCycles - 0.2);
            var fy = 0.2 + rng.NextDouble() * (maxCycles - 0.2);
            var phase = rng.NextDouble() * 2 * Math.PI;
            var amp = 0.5 + rng.NextDouble();
            for (var y = 0; y < height; y++)
            {
                for (var x = 0; x < width; x++)
                {
                    plane[y * width + x] += amp * Math.Sin(2 * Math.PI * (fx * x / Math.Max(1, width) + fy * y / Math.Max(1, height)) + phase);
                }
            }
        }

        AddCoarseNoise(rng, plane, height, width);
        return Stretch(plane, lo, hi, rng);
    }

    private static void AddCoarseNoise(Random rng, double[] plane, int height, int width)
    {
        var grid = Math.Clamp(Math.Min(height, width) / 8, 1, 6);
        var g = new double[(grid + 1) * (grid + 1)];
        for (var i = 0; i < g.Length; i++)
        {
            g[i] = rng.NextDouble() * 2 - 1;
        }

        for (var y = 0; y < height; y++)
        {
            var gy = height > 1 ? (double)y / (height - 1) * grid : 0;
            var y0 = Math.Min((int)gy, grid - 1);
            var ty = gy - y0;
            for (var x = 0; x < width; x++)
            {
                var gx = width > 1 ? (double)x / (width - 1) * grid : 0;
                var x0 = Math.Min((int)gx, grid - 1);
                var tx = gx - x0;
                var top = g[y0 * (grid + 1) + x0] * (1 - tx) + g[y0 * (grid + 1) + x0 + 1] * tx;
                var bottom = g[(y0 + 1) * (grid + 1) + x0] * (1 - tx) + g[(y0 + 1) * (grid + 1) + x0 + 1] * tx;
                plane[y * width + x] += 1.5 * (top * (1 - ty) + bottom * ty);
            }
        }
    }

    private static float[] Stretch(double[] plane, double lo, double hi, Random rng)
    {
        var min = plane.Min();
        var max = plane.Max();
        var result = new float[plane.Length];
        if (max - min < 1e-12)
        {
            // a 1×1 plane: any value in range, still random across samples
            for (var i = 0; i < result.Length; i++)
            {
                result[i] = (float)(lo + rng.NextDouble() * (hi - lo));
            }

            return result;
        }

        for (var i = 0; i < plane.Length; i++)
        {
            result[i] = (float)(lo + (plane[i] - min) / (max - min) * (hi - lo));
        }

        return result;
    }
}
