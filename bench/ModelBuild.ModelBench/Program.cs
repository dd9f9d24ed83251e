using ModelBuild.ModelBench;
using ModelBuild.Runtime.Kernels;

// Whole-model latency of our runtime against ONNX Runtime, measured interleaved in one process so that the
// ratio ours/ORT is meaningful even on a busy machine. Never used for pass/fail: numbers go to docs/benchmarks.md.
BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

var repo = ModelCatalog.FindRepoRoot();
var found = ModelCatalog.Find(repo, options.Models);
if (found.Count == 0)
{
    Console.Error.WriteLine("no models found (../shared/models or samples/models/mosaic-mini.onnx)");
    return 1;
}

var models = new List<ModelCase>();
foreach (var (name, onnx, data) in found)
{
    Console.Error.WriteLine($"converting {name} ...");
    models.Add(ModelCase.Load(name, onnx, data));
}

var report = new Report();
int cores = Environment.ProcessorCount;
var best = KernelIsa.Default;
report.Line($"Processor count {cores}, ours at ISA {best} (best available), ORT {typeof(Microsoft.ML.OnnxRuntime.InferenceSession).Assembly.GetName().Version}. "
    + $"Per comparison: at least {options.Warmup} warm-up rounds and 2 s of warm-up, up to {options.Iterations} timed rounds (at least {options.MinIterations}, budget {options.Budget.TotalSeconds:F0} s), engines interleaved round-robin.");
report.Line();

// 1. Every model × thread setting: ORT and ours interleaved.
var rows = new List<IReadOnlyList<string>>();
var ratios = new Dictionary<string, double>(StringComparer.Ordinal);
foreach (var m in models)
{
    foreach (int t in options.Threads)
    {
        int ortThreads = t <= 0 ? cores : t;
        Console.Error.WriteLine($"{m.Name}: threads {t} ...");
        using var ort = new OrtEngine(m, ortThreads);
        using var ours = new OursEngine(m, t, best);
        var s = Sampler.Measure([ort, ours], options.Warmup, options.Iterations, options.MinIterations, options.Budget);
        double ratio = s[1].Median / s[0].Median;
        if (t == 1)
        {
            ratios[m.Name] = ratio;
        }

        rows.Add([m.Name, t <= 0 ? $"all ({cores})" : t.ToString(), ours.Isa.ToString(), Report.Ms(s[0].Median), Report.Ms(s[0].P90),
            Report.Ms(s[1].Median), Report.Ms(s[1].P90), Report.Ratio(ratio), s[0].Count.ToString()]);
        Console.Error.WriteLine($"  ORT {s[0].Median:F2} ms, ours {s[1].Median:F2} ms, ratio {ratio:F2}");
    }
}

report.Line("### Models: ours vs ONNX Runtime");
report.Line();
report.Table(["model", "threads", "ISA", "ORT median ms", "ORT p90 ms", "ours median ms", "ours p90 ms", "ours/ORT", "rounds"], rows);

// 2. ISA sweep, single-threaded, on one model (ORT t1 interleaved as the reference).
var isaName = options.IsaModel ?? (models.Any(m => m.Name == "resnet18") ? "resnet18" : models[0].Name);
if (isaName != "none" && models.FirstOrDefault(m => m.Name == isaName) is { } isaModel)
{
    Console.Error.WriteLine($"{isaModel.Name}: ISA sweep ...");
    var levels = new[] { IsaLevel.Scalar, IsaLevel.V128, IsaLevel.V256, IsaLevel.V512 }.Where(l => KernelIsa.Clamp(l) == l).ToList();
    var engines = new List<IEngine> { new OrtEngine(isaModel, 1) };
    engines.AddRange(levels.Select(l => (IEngine)new OursEngine(isaModel, 1, l)));
    try
    {
        var s = Sampler.Measure(engines, options.Warmup, options.Iterations, options.MinIterations, options.Budget);
        report.Line($"### ISA levels, single thread, {isaModel.Name}");
        report.Line();
        var skipped = new[] { IsaLevel.Scalar, IsaLevel.V128, IsaLevel.V256, IsaLevel.V512 }.Except(levels).ToList();
        if (skipped.Count > 0)
        {
            report.Line($"Not supported by this CPU (skipped): {string.Join(", ", skipped)}.");
            report.Line();
        }

        report.Table(["engine", "median ms", "p90 ms", "ratio to ORT t1", "rounds"],
            engines.Select((e, i) => (IReadOnlyList<string>)[e.Label, Report.Ms(s[i].Median), Report.Ms(s[i].P90), Report.Ratio(s[i].Median / s[0].Median), s[i].Count.ToString()]));
    }
    finally
    {
        engines.ForEach(e => e.Dispose());
    }
}

// 3. Per-op-type profile (single thread unless --profile-threads) of the slowest model relative to ORT, or of the requested ones.
var toProfile = options.Profile switch
{
    "none" => [],
    "all" => models,
    "slowest" => ratios.Count > 0 ? [models.First(m => m.Name == ratios.MaxBy(r => r.Value).Key)] : [],
    var name => models.Where(m => m.Name == name).ToList(),
};
foreach (var m in toProfile)
{
    Console.Error.WriteLine($"{m.Name}: per-op profile ...");
    int profileThreads = options.ProfileThreads <= 0 ? cores : options.ProfileThreads;
    var (ours, ort) = OrtOpProfiler.MeasureBoth(m, profileThreads, best, Math.Max(options.Warmup, 10), options.ProfileRuns, Path.Combine(Path.GetTempPath(), "modelbench-profiles"));
    ProfileReport.Write(report, m.Name, profileThreads, ours, ort);
}

var text = report.ToString();
Console.WriteLine(text);
if (options.Out is { } path)
{
    File.WriteAllText(path, text);
}

return 0;
