namespace ModelBuild.Tool.Cli;

/// <summary>One engine's numbers: session load, first run, the timed runs (ms), and our managed allocation per run.</summary>
internal sealed record EngineTimes(double LoadMs, double FirstRunMs, double[] RunMs, long? AllocBytesPerRun, long? AllocBytesPerRunNewOutputs)
{
    public double MedianMs
    {
        get
        {
            var sorted = RunMs.Order().ToArray();
            int mid = sorted.Length / 2;
            return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
        }
    }

    public double MinMs => RunMs.Min();
}

/// <summary>What <c>bench</c> measured, with the conditions needed to read it.</summary>
internal sealed class BenchResult
{
    public required string ModelPath { get; init; }

    /// <summary>The --inputs path, or how the inputs were generated.</summary>
    public required string Inputs { get; init; }

    public required string Cpu { get; init; }

    public required int Cores { get; init; }

    public required string Isa { get; init; }

    /// <summary>As given (0 = all cores).</summary>
    public required int Threads { get; init; }

    public required int EffectiveThreads { get; init; }

    public required int Iterations { get; init; }

    public required int Warmup { get; init; }

    /// <summary>ONNX to an in-memory MNN model (not part of either engine's load time).</summary>
    public required double ConvertMs { get; init; }

    public required EngineTimes Ours { get; init; }

    public required EngineTimes Ort { get; init; }

    public required string OrtVersion { get; init; }
}
