using System.Text.Json;
using ModelBuild.Runtime.Kernels;

namespace ModelBuild.ModelBench;

/// <summary>
/// Per-op timing of ONNX Runtime from its own profiler (chrome-trace JSON): "Node" events named
/// "&lt;node&gt;_kernel_time" carry the op type in args.op_name and the duration in microseconds. Only node
/// events inside the timed "model_run" events (after warm-up) are counted.
/// </summary>
internal static class OrtOpProfiler
{
    /// <summary>
    /// Per-op profiles of both engines, single session each, run alternately (ours, ORT, ours, ...) so both see
    /// the same background load; the first <paramref name="warmup"/> runs of each are not counted.
    /// </summary>
    public static (OpProfile Ours, OpProfile Ort) MeasureBoth(ModelCase model, int threads, IsaLevel isa, int warmup, int runs, string workDir)
    {
        Directory.CreateDirectory(workDir);
        using var ours = new OursOpProfiler(model, threads, isa);
        string file;
        using (var ort = new OrtEngine(model, threads, Path.Combine(workDir, $"ort-{model.Name}-t{threads}")))
        {
            for (int r = 0; r < warmup + runs; r++)
            {
                ours.RunOnce(record: r >= warmup);
                ort.RunOnce();
            }

            file = ort.EndProfiling();
        }

        try
        {
            return (ours.Result(), Parse(File.ReadAllText(file), warmup, $"ORT t{threads}"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    internal static OpProfile Parse(string json, int warmup, string engine)
    {
        using var doc = JsonDocument.Parse(json);
        var events = doc.RootElement.EnumerateArray().ToList();
        var runs = events
            .Where(e => Str(e, "cat") == "Session" && Str(e, "name") == "model_run")
            .Select(e => (Ts: e.GetProperty("ts").GetInt64(), Dur: e.GetProperty("dur").GetInt64()))
            .OrderBy(r => r.Ts)
            .Skip(warmup)
            .ToList();
        if (runs.Count == 0)
        {
            throw new InvalidOperationException("ORT profile has no model_run events after warm-up");
        }

        var perNode = new Dictionary<string, (string Type, long Us)>(StringComparer.Ordinal);
        foreach (var e in events)
        {
            var name = Str(e, "name");
            if (Str(e, "cat") != "Node" || name is null || !name.EndsWith("_kernel_time", StringComparison.Ordinal))
            {
                continue;
            }

            long ts = e.GetProperty("ts").GetInt64();
            if (!runs.Any(r => ts >= r.Ts && ts <= r.Ts + r.Dur))
            {
                continue;
            }

            var type = e.TryGetProperty("args", out var args) && args.TryGetProperty("op_name", out var op) ? op.GetString() ?? "?" : "?";
            var node = name[..^"_kernel_time".Length];
            perNode[node] = (type, (perNode.TryGetValue(node, out var prev) ? prev.Us : 0) + e.GetProperty("dur").GetInt64());
        }

        double perRun = 1.0 / 1000.0 / runs.Count;
        var ops = perNode.Values.GroupBy(v => v.Type)
            .Select(g => new OpStat(g.Key, g.Key, g.Sum(v => v.Us) * perRun, g.Count()))
            .OrderByDescending(o => o.Ms)
            .ToList();
        return new OpProfile(engine, runs.Sum(r => r.Dur) * perRun, ops);
    }

    private static string? Str(JsonElement e, string property) =>
        e.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
