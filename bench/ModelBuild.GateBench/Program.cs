using System.Globalization;
using ModelBuild.Converter.Parity;
using ModelBuild.GateBench;

// Usage: dotnet ModelBuild.GateBench.dll [--models resnet18,style_mosaic_op11] [--samples 4] [--repeats 5] [--tool PATH]
// Run from inside the repository (finds ModelBuild.sln upwards, ../shared/models next to it).
var options = args.Select((a, i) => (a, i)).Where(p => p.a.StartsWith("--", StringComparison.Ordinal))
    .ToDictionary(p => p.a[2..], p => p.i + 1 < args.Length ? args[p.i + 1] : "", StringComparer.Ordinal);
var root = FindRoot(Directory.GetCurrentDirectory());
var models = (options.GetValueOrDefault("models") ?? "resnet18,style_mosaic_op11").Split(',', StringSplitOptions.RemoveEmptyEntries);
var samples = int.Parse(options.GetValueOrDefault("samples") ?? "4", CultureInfo.InvariantCulture);
var repeats = int.Parse(options.GetValueOrDefault("repeats") ?? "5", CultureInfo.InvariantCulture);
var tool = options.GetValueOrDefault("tool") ?? Path.Combine(root, "tool/ModelBuild.Tool/bin/Release/net10.0/dotnet-model-convert.dll");
if (!File.Exists(tool))
{
    Console.Error.WriteLine($"{tool} not found: build it first (dotnet build tool/ModelBuild.Tool -c Release) or pass --tool PATH");
    return 2;
}

Console.WriteLine($"# parity gate cost, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, load {Load()}, {samples} samples, {repeats} repeats");
Console.WriteLine("| model | 1 ORT run ms | 1 ours run ms | budget: 3 × (N ORT + N ours) ms | check, fresh process ms | ratio | check, warm in-process ms | ratio |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
foreach (var name in models)
{
    var onnx = File.Exists(name) ? name : Path.Combine(root, "..", "shared", "models", name, "model.onnx");
    if (!File.Exists(onnx))
    {
        Console.Error.WriteLine($"{onnx} not found (../shared/models is only on CI and dev machines); skipped");
        continue;
    }

    var (ortMs, oursMs) = InferenceBaseline.Measure(onnx, rounds: 20);
    var inference = samples * (ortMs + oursMs);
    var cold = new List<double>();
    string timings = "";
    for (var i = 0; i < repeats; i++)
    {
        var (ms, exit, table) = ColdCheck.Run(tool, onnx, samples);
        if (exit != 0)
        {
            Console.Error.WriteLine($"{name}: check exited {exit}");
        }

        cold.Add(ms);
        timings = table;
    }

    var warm = new List<double>();
    ParityResult? last = null;
    for (var i = 0; i < repeats + 1; i++)
    {
        var ms = InferenceBaseline.Time(() => last = ParityGate.Run(new ParityOptions { OnnxPath = onnx, Samples = samples }));
        if (i > 0)
        {
            warm.Add(ms); // the first in-process run pays JIT and ONNX Runtime's first-use set-up
        }
    }

    var coldMs = InferenceBaseline.Median(cold);
    var warmMs = InferenceBaseline.Median(warm);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {name} | {ortMs:F1} | {oursMs:F1} | {3 * inference:F0} | {coldMs:F0} | {coldMs / inference:F2}× | {warmMs:F0} | {warmMs / inference:F2}× |"));
    Console.Error.WriteLine($"{name}: phases of the last fresh-process check:\n{timings}");
    Console.Error.WriteLine($"{name}: phases of the last warm in-process check:");
    ModelBuild.Converter.Parity.Reporting.ConsoleSummary.WriteTimings(last!.Timings, Console.Error);
}

Console.WriteLine($"(ratio = check time / (N ORT runs + N runs of ours); the issue's budget is < 3×; load at end {Load()})");
return 0;

static string FindRoot(string dir)
{
    for (var d = new DirectoryInfo(dir); d is not null; d = d.Parent)
    {
        if (File.Exists(Path.Combine(d.FullName, "ModelBuild.sln")))
        {
            return d.FullName;
        }
    }

    throw new InvalidOperationException("run from inside the repository (ModelBuild.sln not found upwards)");
}

static string Load() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";
