using ModelBuild.Converter.Graph;

namespace ModelBuild.Converter.Parity.Metrics;

/// <summary>
/// Computes <see cref="TensorMetrics"/> with double accumulation. NaN must meet NaN and ±Inf the same
/// infinity; matching non-finite positions are left out of the numeric metrics.
/// </summary>
public static class TensorComparer
{
    private const int WorstCount = 5;

    public static TensorMetrics Compare(TensorData reference, TensorData candidate, ParityThresholds thresholds)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(candidate);
        if (!reference.Shape.SequenceEqual(candidate.Shape))
        {
            return new TensorMetrics
            {
                ShapeMatch = false,
                Mismatch = $"shape [{string.Join(",", candidate.Shape)}] differs from the reference [{string.Join(",", reference.Shape)}]",
                ElementCount = reference.ElementCount,
            };
        }

        if (reference.IsFloat != candidate.IsFloat)
        {
            return new TensorMetrics
            {
                ShapeMatch = false,
                Mismatch = $"element type {candidate.Type} differs from the reference {reference.Type}",
                ElementCount = reference.ElementCount,
            };
        }

        return Compare(reference, candidate, reference.Shape, thresholds.EffectiveAtol, thresholds.EffectiveRtol);
    }

    private static TensorMetrics Compare(TensorData r, TensorData y, long[] shape, double atol, double rtol)
    {
        long n = r.ElementCount;
        long nonFinite = 0;
        long violations = 0;
        double maxAbs = 0, peak = 0, diff2 = 0, ref2 = 0, cand2 = 0, dot = 0;
        var hist = new long[TensorMetrics.HistogramLabels.Length];
        var worst = new List<(double Err, long Index)>(WorstCount + 1);
        for (long i = 0; i < n; i++)
        {
            var rv = r.GetDouble(i);
            var yv = y.GetDouble(i);
            if (!double.IsFinite(rv) || !double.IsFinite(yv))
            {
                var same = (double.IsNaN(rv) && double.IsNaN(yv)) || (double.IsInfinity(rv) && rv == yv);
                if (!same)
                {
                    nonFinite++;
                }

                continue;
            }

            var err = Math.Abs(yv - rv);
            maxAbs = Math.Max(maxAbs, err);
            peak = Math.Max(peak, Math.Abs(rv));
            diff2 += err * err;
            ref2 += rv * rv;
            cand2 += yv * yv;
            dot += rv * yv;
            if (err > atol + rtol * Math.Abs(rv))
            {
                violations++;
            }

            hist[Bucket(err)]++;
            if (err > 0 && (worst.Count < WorstCount || err > worst[^1].Err))
            {
                Insert(worst, err, i);
            }
        }

        return new TensorMetrics
        {
            ElementCount = n,
            NonFiniteMismatches = nonFinite,
            MaxAbsError = maxAbs,
            ReferencePeak = peak,
            PeakRelError = Ratio(maxAbs, peak),
            RelL2 = Ratio(Math.Sqrt(diff2), Math.Sqrt(ref2)),
            Cosine = Cosine(dot, ref2, cand2),
            ElementwiseViolations = violations,
            Atol = atol,
            Rtol = rtol,
            Histogram = hist,
            Worst = worst.Select(w => new WorstElement(w.Index, Unravel(w.Index, shape), r.GetDouble(w.Index), y.GetDouble(w.Index))).ToArray(),
        };
    }

    /// <summary>a/b with 0/0 = 0 and x/0 = +∞.</summary>
    public static double Ratio(double a, double b) => b > 0 ? a / b : (a > 0 ? double.PositiveInfinity : 0);

    /// <summary>Cosine from the accumulated sums; two zero vectors are identical (1), one zero vector is orthogonal (0).</summary>
    public static double Cosine(double dot, double ref2, double cand2)
    {
        if (ref2 == 0 && cand2 == 0)
        {
            return 1;
        }

        if (ref2 == 0 || cand2 == 0)
        {
            return 0;
        }

        return Math.Clamp(dot / (Math.Sqrt(ref2) * Math.Sqrt(cand2)), -1, 1);
    }

    internal static int Bucket(double err)
    {
        if (err == 0)
        {
            return 0;
        }

        if (err < 1e-9)
        {
            return 1;
        }

        if (err >= 1)
        {
            return TensorMetrics.HistogramLabels.Length - 1;
        }

        // 1e-9 ≤ err < 1: decade index 0..8 → buckets 2..10
        var decade = (int)Math.Floor(Math.Log10(err)) + 9;
        return 2 + Math.Clamp(decade, 0, 8);
    }

    internal static long[] Unravel(long index, long[] shape)
    {
        var pos = new long[shape.Length];
        for (var d = shape.Length - 1; d >= 0; d--)
        {
            if (shape[d] > 0)
            {
                pos[d] = index % shape[d];
                index /= shape[d];
            }
        }

        return pos;
    }

    private static void Insert(List<(double Err, long Index)> worst, double err, long index)
    {
        var at = worst.FindIndex(w => err > w.Err);
        worst.Insert(at < 0 ? worst.Count : at, (err, index));
        if (worst.Count > WorstCount)
        {
            worst.RemoveAt(worst.Count - 1);
        }
    }
}
