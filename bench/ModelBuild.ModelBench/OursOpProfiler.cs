using System.Diagnostics;
using ModelBuild.Runtime;
using ModelBuild.Runtime.Format.Schema;
using ModelBuild.Runtime.Kernels;

namespace ModelBuild.ModelBench;

/// <summary>
/// Opt-in per-op timing of our runtime through <see cref="SessionOptions.TensorObserver"/>: the session calls the
/// hook right after each op, so the time between consecutive hook calls is the time of the op that just ran.
/// Each op is labelled by its MNN type (convolutions also by kernel, stride and depthwise-ness, which decide
/// the kernel used). The hook disables buffer sharing, so totals are a little above the plain benchmark.
/// </summary>
internal static class OursOpProfiler
{
    public static OpProfile Measure(ModelCase model, int threads, IsaLevel isa, int warmup, int runs)
    {
        var net = model.Net;
        var producer = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < net.Oplists.Count; i++)
        {
            foreach (int t in net.Oplists[i].OutputIndexes ?? [])
            {
                if (t >= 0 && t < net.TensorName.Count)
                {
                    producer[net.TensorName[t]] = i;
                }
            }
        }

        var ticks = new long[net.Oplists.Count];
        bool recording = false;
        long last = 0;
        void Observe(string name, Tensor _)
        {
            long now = Stopwatch.GetTimestamp();
            if (recording && producer.TryGetValue(name, out int op))
            {
                ticks[op] += now - last;
            }

            last = now;
        }

        using var engine = new OursEngine(model, threads, isa, Observe);
        for (int w = 0; w < warmup; w++)
        {
            engine.RunOnce();
        }

        recording = true;
        long total = 0;
        for (int r = 0; r < runs; r++)
        {
            long start = Stopwatch.GetTimestamp();
            last = start;
            engine.RunOnce();
            total += Stopwatch.GetTimestamp() - start;
        }

        double toMs = 1000.0 / Stopwatch.Frequency / runs;
        var ops = Enumerable.Range(0, net.Oplists.Count)
            .Where(i => ticks[i] > 0)
            .GroupBy(i => Label(net.Oplists[i]))
            .Select(g => new OpStat(net.Oplists[g.First()].Type.ToString(), g.Key, g.Sum(i => ticks[i]) * toMs, g.Count()))
            .OrderByDescending(o => o.Ms)
            .ToList();
        return new OpProfile($"ours t{threads} {engine.Isa}", total * toMs, ops);
    }

    /// <summary>MNN op type, plus kernel/stride for convolutions (the shape class decides which kernel runs).</summary>
    private static string Label(OpT op)
    {
        var type = op.Type.ToString();
        if (op.Main?.Value is Convolution2DT { Common: { } c })
        {
            return $"{type} {c.KernelY}x{c.KernelX} s{c.StrideY}" + (c.Group > 1 && op.Type == OpType.Convolution ? $" g{c.Group}" : "");
        }

        return type;
    }
}
