using System.Diagnostics;
using ModelBuild.Runtime;
using ModelBuild.Runtime.Format.Schema;
using ModelBuild.Runtime.Kernels;

namespace ModelBuild.ModelBench;

/// <summary>
/// Opt-in per-op timing of our runtime through <see cref="MnnSessionOptions.TensorObserver"/>: the session calls the
/// hook right after each op, so the time between consecutive hook calls is the time of the op that just ran.
/// Each op is labelled by its MNN type (convolutions also by kernel, stride and depthwise-ness, which decide
/// the kernel used). The hook disables buffer sharing, so totals are a little above the plain benchmark.
/// </summary>
internal sealed class OursOpProfiler : IDisposable
{
    private readonly NetT _net;
    private readonly Dictionary<string, int> _producer = new(StringComparer.Ordinal);
    private readonly long[] _ticks;
    private readonly OursEngine _engine;
    private bool _recording;
    private long _last;
    private long _total;
    private int _runs;

    public OursOpProfiler(ModelCase model, int threads, IsaLevel isa)
    {
        _net = model.Net;
        for (int i = 0; i < _net.Oplists.Count; i++)
        {
            foreach (int t in _net.Oplists[i].OutputIndexes ?? [])
            {
                if (t >= 0 && t < _net.TensorName.Count)
                {
                    _producer[_net.TensorName[t]] = i;
                }
            }
        }

        _ticks = new long[_net.Oplists.Count];
        _engine = new OursEngine(model, threads, isa, Observe);
    }

    /// <summary>One inference; <paramref name="record"/> false for warm-up.</summary>
    public void RunOnce(bool record)
    {
        _recording = record;
        long start = Stopwatch.GetTimestamp();
        _last = start;
        _engine.RunOnce();
        if (record)
        {
            _total += Stopwatch.GetTimestamp() - start;
            _runs++;
        }
    }

    /// <summary>Per-op averages over the recorded runs.</summary>
    public OpProfile Result()
    {
        double toMs = 1000.0 / Stopwatch.Frequency / Math.Max(1, _runs);
        var ops = Enumerable.Range(0, _net.Oplists.Count)
            .Where(i => _ticks[i] > 0)
            .GroupBy(i => Label(_net.Oplists[i]))
            .Select(g => new OpStat(_net.Oplists[g.First()].Type.ToString(), g.Key, g.Sum(i => _ticks[i]) * toMs, g.Count()))
            .OrderByDescending(o => o.Ms)
            .ToList();
        return new OpProfile(_engine.Label, _total * toMs, ops);
    }

    public void Dispose() => _engine.Dispose();

    private void Observe(string name, Tensor tensor)
    {
        long now = Stopwatch.GetTimestamp();
        if (_recording && _producer.TryGetValue(name, out int op))
        {
            _ticks[op] += now - _last;
        }

        _last = now;
    }

    /// <summary>MNN op type, plus kernel/stride for convolutions (the shape class decides which kernel runs).</summary>
    /// <summary>MODELBENCH_NODES=1: one row per convolution node with its channel counts (layer-level profile).</summary>
    private static readonly bool NodeDetail = Environment.GetEnvironmentVariable("MODELBENCH_NODES") == "1";

    private static string Label(OpT op)
    {
        var type = op.Type.ToString();
        if (op.Main?.Value is Convolution2DT { Common: { } c })
        {
            return $"{type} {c.KernelY}x{c.KernelX} s{c.StrideY}" + (c.Group > 1 && op.Type == OpType.Convolution ? $" g{c.Group}" : "")
                + (NodeDetail ? $" {c.InputCount}->{c.OutputCount} #{op.Name}" : "");
        }

        return type;
    }
}
