using System.Globalization;

namespace ModelBuild.ModelBench;

/// <summary>Command line of the model benchmark (see docs/benchmarks.md and --help).</summary>
internal sealed class BenchOptions
{
    public const string Help = """
        ModelBuild.ModelBench: whole-model latency, our runtime vs ONNX Runtime (interleaved, same process).
          --models a,b        only these models (default: every model in ../shared/models, else the sample)
          --threads 1,0       our thread settings (0 = all cores; ORT then gets IntraOpNumThreads = core count)
          --warmup N          untimed rounds per comparison (default 3)
          --iterations N      timed rounds per comparison (default 30)
          --min-iterations N  rounds always run even past the budget (default 8)
          --budget S          seconds per comparison before stopping early (default 40)
          --isa-model NAME    model for the single-thread ISA sweep (default resnet18 or the first; 'none' skips)
          --profile WHAT      per-op profile: 'slowest' (worst ours/ORT ratio, default), a model name, 'all', 'none'
          --profile-runs N    profiled runs per engine (default 10)
          --profile-threads N threads of the profiled runs, both engines (default 1; 0 = all cores)
          --out FILE          also write the Markdown report to FILE
          --quick             warmup 1, iterations 5, min-iterations 3 (smoke run; numbers not for quoting)
        """;

    public List<string> Models { get; } = [];

    public List<int> Threads { get; } = [];

    public int Warmup { get; set; } = 3;

    public int Iterations { get; set; } = 30;

    public int MinIterations { get; set; } = 8;

    public TimeSpan Budget { get; set; } = TimeSpan.FromSeconds(40);

    public string? IsaModel { get; set; }

    public string Profile { get; set; } = "slowest";

    public int ProfileRuns { get; set; } = 10;

    public int ProfileThreads { get; set; } = 1;

    public string? Out { get; set; }

    public static BenchOptions Parse(string[] args)
    {
        var o = new BenchOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Int() => int.Parse(Next(), CultureInfo.InvariantCulture);
            switch (args[i])
            {
                case "--models": o.Models.AddRange(Next().Split(',', StringSplitOptions.RemoveEmptyEntries)); break;
                case "--threads": o.Threads.AddRange(Next().Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))); break;
                case "--warmup": o.Warmup = Int(); break;
                case "--iterations": o.Iterations = Int(); break;
                case "--min-iterations": o.MinIterations = Int(); break;
                case "--budget": o.Budget = TimeSpan.FromSeconds(Int()); break;
                case "--isa-model": o.IsaModel = Next(); break;
                case "--profile": o.Profile = Next(); break;
                case "--profile-runs": o.ProfileRuns = Int(); break;
                case "--profile-threads": o.ProfileThreads = Int(); break;
                case "--out": o.Out = Next(); break;
                case "--quick": o.Warmup = 1; o.Iterations = 5; o.MinIterations = 3; o.ProfileRuns = 3; break;
                default: throw new ArgumentException($"unknown option '{args[i]}'\n{Help}");
            }
        }

        if (o.Threads.Count == 0)
        {
            o.Threads.AddRange([1, 0]);
        }

        o.MinIterations = Math.Min(o.MinIterations, o.Iterations);
        return o;
    }
}
