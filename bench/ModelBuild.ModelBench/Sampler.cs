using System.Diagnostics;

namespace ModelBuild.ModelBench;

/// <summary>Timing summary of one engine in one comparison (milliseconds per inference).</summary>
internal sealed record TimingStats(int Count, double Median, double P90, double Min)
{
    public static TimingStats From(List<double> samples)
    {
        var s = samples.OrderBy(x => x).ToArray();
        return new TimingStats(s.Length, Quantile(s, 0.5), Quantile(s, 0.9), s[0]);
    }

    /// <summary>Linear interpolation between closest ranks.</summary>
    private static double Quantile(double[] sorted, double q)
    {
        double pos = q * (sorted.Length - 1);
        int lo = (int)Math.Floor(pos);
        int hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + ((pos - lo) * (sorted[hi] - sorted[lo]));
    }
}

/// <summary>
/// Hand-timed comparison. The engines are run round-robin (one inference each per round, starting engine rotated
/// every round) so that on a shared, noisy machine every engine sees the same background load; ratios of the
/// medians from one interleaved run are far steadier than numbers taken minutes apart.
/// </summary>
internal static class Sampler
{
    private static readonly TimeSpan MinWarmup = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Runs <paramref name="warmup"/> (or more, see below) untimed rounds, then timed rounds until <paramref name="iterations"/> rounds
    /// are done or <paramref name="budget"/> is spent (at least <paramref name="minIterations"/> rounds).
    /// </summary>
    public static TimingStats[] Measure(IReadOnlyList<IEngine> engines, int warmup, int iterations, int minIterations, TimeSpan budget)
    {
        // At least `warmup` rounds and at least ~2 s (max 60 rounds): tiered JIT promotes methods after 30 calls
        // plus a background delay, and a too-short warm-up times tier-0 code (seen: 3x slower on small models).
        var warm = Stopwatch.StartNew();
        for (int w = 0; w < warmup || (w < 60 && warm.Elapsed < MinWarmup); w++)
        {
            foreach (var e in engines)
            {
                e.RunOnce();
            }
        }

        // A full collection before timing so that garbage from warm-up is not charged to one engine.
        GC.Collect();
        GC.WaitForPendingFinalizers();

        var samples = engines.Select(_ => new List<double>()).ToArray();
        var total = Stopwatch.StartNew();
        for (int round = 0; round < iterations; round++)
        {
            if (round >= minIterations && total.Elapsed > budget)
            {
                break;
            }

            for (int k = 0; k < engines.Count; k++)
            {
                int e = (round + k) % engines.Count;
                long start = Stopwatch.GetTimestamp();
                engines[e].RunOnce();
                samples[e].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }

        return samples.Select(TimingStats.From).ToArray();
    }
}
