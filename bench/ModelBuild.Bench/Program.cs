using System.Diagnostics;
using BenchmarkDotNet.Running;
using ModelBuild.Bench;
using ModelBuild.Runtime.Kernels;

// dotnet run -c Release --project bench/ModelBuild.Bench -- --quick      : fast Stopwatch table (GFLOP/s), seconds
// dotnet run -c Release --project bench/ModelBuild.Bench -- --layers [NAME-PART] : per-layer GFLOP/s of the bench models' convolutions
// dotnet run -c Release --project bench/ModelBuild.Bench -- --filter '*' : full BenchmarkDotNet run (minutes)
if (args.Length > 0 && args[0] == "--layers")
{
    if (Environment.GetEnvironmentVariable("MB_AB") is { } ab)
    {
        LayerBench.Ab = ab switch
        {
            "kc128" => v => Gemm.KcOverride = v ? 128 : 0,
            "kc1024" => v => Gemm.KcOverride = v ? 1024 : 0,
            _ => throw new ArgumentException(ab),
        };
    }

    LayerBench.Run(args.Length > 1 ? args[1] : null);
    return;
}

if (args.Length > 0 && args[0] == "--quick")
{
    Console.WriteLine($"best ISA {KernelIsa.Best}, default {KernelIsa.Default}, {Environment.ProcessorCount} cores");
    Console.WriteLine($"{"suite",-14} {"isa",-7} {"threads",7} {"ms",9} {"GFLOP/s",9}");
    Quick<GemmBench>("gemm", GemmBench.Flops, b => b.Gemm(), b => b.Setup());
    Quick<Conv1x1Bench>("conv1x1", Conv1x1Bench.Flops, b => b.Conv1x1(), b => b.Setup());
    Quick<Conv3x3Bench>("conv3x3", Conv3x3Bench.Flops, b => b.Conv3x3(), b => b.Setup());
    Quick<DepthwiseBench>("depthwise3x3", DepthwiseBench.Flops, b => b.Depthwise3x3(), b => b.Setup());
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(GemmBench).Assembly).Run(args);

static void Quick<T>(string name, double flops, Action<T> run, Action<T> setup)
    where T : KernelBenchBase, new()
{
    foreach (IsaLevel isa in KernelBenchBase.Levels)
    {
        foreach (int threads in KernelBenchBase.ThreadCounts)
        {
            var b = new T { Isa = isa, Threads = threads };
            setup(b);
            run(b); // warm-up / tiering
            run(b);
            double best = double.MaxValue;
            var total = Stopwatch.StartNew();
            for (int i = 0; i < 50 && (i < 3 || total.Elapsed.TotalSeconds < 1.5); i++)
            {
                var sw = Stopwatch.StartNew();
                run(b);
                best = Math.Min(best, sw.Elapsed.TotalMilliseconds);
            }

            Console.WriteLine($"{name,-14} {isa,-7} {threads,7} {best,9:F3} {flops / (best * 1e6),9:F2}");
        }
    }
}
