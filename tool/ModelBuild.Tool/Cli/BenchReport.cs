using System.Globalization;
using System.Text.Json;

namespace ModelBuild.Tool.Cli;

/// <summary>Prints a <see cref="BenchResult"/>: a short table for people, or one JSON object for scripts.</summary>
internal static class BenchReport
{
    public const string Method = "each engine timed alone (all runs of ours, then all of ONNX Runtime); ORT intra-op spinning off (session.intra_op.allow_spinning=0)";

    public static void WriteText(BenchResult r, TextWriter o)
    {
        o.WriteLine($"model: {r.ModelPath}");
        o.WriteLine($"inputs: {r.Inputs}");
        o.WriteLine($"cpu: {r.Cpu} ({r.Cores} logical cores); ours at ISA {r.Isa}; ONNX Runtime {r.OrtVersion}");
        o.WriteLine($"threads: {(r.Threads == 0 ? $"all ({r.EffectiveThreads})" : r.Threads)}; {r.Iterations} timed runs per engine after {r.Warmup} warm-up runs (and at least {Ms(BenchSettings.MinWarmupSeconds * 1000)} ms of warm-up)");
        o.WriteLine($"method: {Method}");
        o.WriteLine($"convert (ONNX -> MNN, in memory): {Ms(r.ConvertMs)} ms");
        o.WriteLine();
        o.WriteLine($"{"engine",-14}{"load ms",12}{"first run ms",14}{"median ms",12}{"min ms",12}");
        Row(o, "ModelBuild", r.Ours);
        Row(o, "ONNX Runtime", r.Ort);
        o.WriteLine();
        o.WriteLine($"ours/ORT: median {Ratio(r.Ours.MedianMs, r.Ort.MedianMs)}, min {Ratio(r.Ours.MinMs, r.Ort.MinMs)}");
        o.WriteLine($"ours, managed bytes allocated per run: {r.Ours.AllocBytesPerRun} (into caller-provided outputs, the timed runs), {r.Ours.AllocBytesPerRunNewOutputs} (Run returning new output tensors)");
    }

    public static void WriteJson(BenchResult r, TextWriter o)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("model", r.ModelPath);
            w.WriteString("inputs", r.Inputs);
            w.WriteString("cpu", r.Cpu);
            w.WriteNumber("cores", r.Cores);
            w.WriteString("isa", r.Isa);
            w.WriteNumber("threads", r.Threads);
            w.WriteNumber("effective_threads", r.EffectiveThreads);
            w.WriteNumber("iterations", r.Iterations);
            w.WriteNumber("warmup", r.Warmup);
            w.WriteString("method", Method);
            w.WriteString("ort_version", r.OrtVersion);
            w.WriteNumber("convert_ms", Round(r.ConvertMs));
            Engine(w, "ours", r.Ours);
            w.WriteNumber("ours_alloc_bytes_per_run", r.Ours.AllocBytesPerRun ?? 0);
            w.WriteNumber("ours_alloc_bytes_per_run_new_outputs", r.Ours.AllocBytesPerRunNewOutputs ?? 0);
            Engine(w, "ort", r.Ort);
            w.WriteNumber("ours_over_ort_median", Round(r.Ours.MedianMs / r.Ort.MedianMs));
            w.WriteEndObject();
        }

        o.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }

    private static void Engine(Utf8JsonWriter w, string prefix, EngineTimes t)
    {
        w.WriteNumber($"{prefix}_load_ms", Round(t.LoadMs));
        w.WriteNumber($"{prefix}_first_run_ms", Round(t.FirstRunMs));
        w.WriteNumber($"{prefix}_median_ms", Round(t.MedianMs));
        w.WriteNumber($"{prefix}_min_ms", Round(t.MinMs));
    }

    private static void Row(TextWriter o, string name, EngineTimes t) =>
        o.WriteLine($"{name,-14}{Ms(t.LoadMs),12}{Ms(t.FirstRunMs),14}{Ms(t.MedianMs),12}{Ms(t.MinMs),12}");

    /// <summary>Three significant digits, at least to the microsecond (a tiny model runs in ~0.05 ms).</summary>
    private static string Ms(double ms) => ms >= 100 ? ms.ToString("F0", CultureInfo.InvariantCulture)
        : ms >= 1 ? ms.ToString("G3", CultureInfo.InvariantCulture)
        : ms.ToString("F3", CultureInfo.InvariantCulture);

    private static string Ratio(double a, double b) => (a / b).ToString("F2", CultureInfo.InvariantCulture) + "x";

    /// <summary>Microsecond resolution in JSON: more digits would only be noise.</summary>
    private static double Round(double v) => Math.Round(v, 4);
}
