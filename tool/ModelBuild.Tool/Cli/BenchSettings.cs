using ModelBuild.Runtime.Kernels;

namespace ModelBuild.Tool.Cli;

/// <summary>The validated options of one <c>bench</c> run.</summary>
internal sealed class BenchSettings
{
    public const int DefaultIterations = 20;

    public const int DefaultWarmup = 5;

    /// <summary>Warm-up lasts at least this long (when warm-up runs are asked for) so tiered JIT reaches its final code.</summary>
    public const double MinWarmupSeconds = 1.0;

    public required string ModelPath { get; init; }

    /// <summary>1 = calling thread only, 0 = all cores (our MnnSessionOptions.Threads; ORT gets the core count).</summary>
    public required int Threads { get; init; }

    public required int Iterations { get; init; }

    public required int Warmup { get; init; }

    public string? InputsPath { get; init; }

    public IsaLevel? Isa { get; init; }

    public required Dictionary<string, long[]> InputShapes { get; init; }
}
