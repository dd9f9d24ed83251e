using ModelBuild.Converter.Graph;

namespace ModelBuild.Converter.Parity.Inputs;

/// <summary>Draws representative samples from per-input distributions; the same seed gives the same samples.</summary>
public static class SampleGenerator
{
    public static ParitySample Generate(IReadOnlyList<InputSignature> inputs, IReadOnlyDictionary<string, InputDistribution> distributions, int seed, int index)
    {
        var tensors = new Dictionary<string, TensorData>(StringComparer.Ordinal);
        for (var j = 0; j < inputs.Count; j++)
        {
            var input = inputs[j];
            var dist = distributions.TryGetValue(input.Name, out var d) ? d : InputDistribution.Default(input.Type);
            var rng = new Random(unchecked(seed * 7919 + index * 104729 + j * 1299709));
            tensors[input.Name] = Draw(input, dist, rng);
        }

        return new ParitySample
        {
            Id = $"generated-{index}",
            Origin = $"generated #{index} (seed {seed})",
            Generated = true,
            Inputs = tensors,
        };
    }

    public static TensorData Draw(InputSignature input, InputDistribution dist, Random rng)
    {
        var count = input.ElementCount;
        if (count > Array.MaxLength)
        {
            throw new ModelBuildException(ErrorCodes.InvalidInputShapeOption, $"input '{input.Name}' shape [{string.Join(",", input.Shape)}] has too many elements to generate");
        }

        var isFloat = Conversion.TensorBridge.IsFloatType(input.Type);
        if (!isFloat)
        {
            var ints = new long[count];
            var (lo, hi) = dist.Kind == DistributionKind.Integer ? ((long)dist.A, (long)dist.B) : ((long)Math.Ceiling(dist.A), (long)Math.Floor(dist.B));
            if (input.Type == DataType.Bool)
            {
                (lo, hi) = (0, 1);
            }

            for (var i = 0; i < ints.Length; i++)
            {
                ints[i] = dist.Kind == DistributionKind.Normal
                    ? (long)Math.Round(dist.A + dist.B * Gaussian(rng))
                    : rng.NextInt64(lo, hi + 1);
            }

            return new TensorData(input.Type, input.Shape, ints);
        }

        var data = dist.Kind switch
        {
            DistributionKind.Image => Image(input.Shape, dist, rng),
            _ => Elementwise(count, dist, rng),
        };
        return new TensorData(input.Type, input.Shape, data);
    }

    private static float[] Elementwise(long count, InputDistribution dist, Random rng)
    {
        var data = new float[count];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = dist.Kind switch
            {
                DistributionKind.Normal => (float)(dist.A + dist.B * Gaussian(rng)),
                DistributionKind.Integer => rng.NextInt64((long)dist.A, (long)dist.B + 1),
                _ => (float)(dist.A + rng.NextDouble() * (dist.B - dist.A)),
            };
        }

        return data;
    }

    /// <summary>
    /// Smooth planes over the two spatial axes: NCHW (last two axes), or NHWC when the last axis looks like
    /// channels (1, 3 or 4) and axis 1 does not.
    /// </summary>
    private static float[] Image(long[] shape, InputDistribution dist, Random rng)
    {
        var count = shape.Aggregate(1L, (a, d) => a * d);
        if (shape.Length < 2)
        {
            return Elementwise(count, dist with { Kind = DistributionKind.Uniform }, rng);
        }

        var data = new float[count];
        var nhwc = shape.Length == 4 && shape[3] is 1 or 3 or 4 && shape[1] > 4;
        if (nhwc)
        {
            int n = (int)shape[0], h = (int)shape[1], w = (int)shape[2], c = (int)shape[3];
            for (var b = 0; b < n; b++)
            {
                for (var ch = 0; ch < c; ch++)
                {
                    var plane = SmoothImage.Plane(rng, h, w, dist.A, dist.B);
                    for (var p = 0; p < h * w; p++)
                    {
                        data[((long)b * h * w + p) * c + ch] = plane[p];
                    }
                }
            }

            return data;
        }

        int hh = (int)shape[^2], ww = (int)shape[^1];
        var planes = hh * ww == 0 ? 0 : count / ((long)hh * ww);
        for (long k = 0; k < planes; k++)
        {
            SmoothImage.Plane(rng, hh, ww, dist.A, dist.B).CopyTo(data, k * hh * ww);
        }

        return data;
    }

    private static double Gaussian(Random rng)
    {
        // Box–Muller; 1 - NextDouble() keeps the log argument in (0, 1]
        var u1 = 1.0 - rng.NextDouble();
        var u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
