using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using ModelBuild.Converter.Conversion;
using ModelBuild.Converter.Graph;
using ModelBuild.Converter.Parity;
using ModelBuild.Converter.Parity.Inputs;
using ModelBuild.Converter.Parity.Reference;
using ModelBuild.Runtime;
using ModelBuild.Runtime.Kernels;
using OrtSession = Microsoft.ML.OnnxRuntime.InferenceSession;
using OrtSessionOptions = Microsoft.ML.OnnxRuntime.SessionOptions;

namespace ModelBuild.Tool.Cli;

/// <summary>
/// The measurement behind <c>bench</c>. Each engine is timed alone: all runs of ours, then all runs of ONNX Runtime,
/// never interleaved, so neither engine's idle threads compete with the other's work; ORT's intra-op threads are
/// also told not to spin after a run (<c>session.intra_op.allow_spinning = 0</c>), which on a machine with few
/// cores would otherwise keep a core busy. Ours runs into caller-provided output tensors (no per-run allocation);
/// its managed allocation is measured over the timed runs with <see cref="GC.GetTotalAllocatedBytes(bool)"/>,
/// which, unlike the per-thread counter, also sees the kernel worker threads.
/// </summary>
internal static class BenchRunner
{
    /// <summary>Runs with fresh outputs measured after the timed runs, for the allocation of the plain Run.</summary>
    private const int FreshOutputRuns = 3;

    public static BenchResult Run(BenchSettings settings, Action<string, string> warn)
    {
        long started = Stopwatch.GetTimestamp();
        var conversion = ModelConverter.Convert(settings.ModelPath, new ConversionOptions { InputShapes = settings.InputShapes });
        foreach (var w in conversion.Warnings)
        {
            warn(w.Code, w.Message);
        }

        var model = MnnModel.FromBytes(conversion.Bytes, settings.ModelPath);
        double convertMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var (ours, ort, source) = Inputs(settings, conversion, model);

        var isa = settings.Isa is { } forced ? KernelIsa.Clamp(forced) : KernelIsa.Default;
        var oursTimes = TimeOurs(model, ours, settings, isa);
        var ortTimes = TimeOrt(settings, ort);
        return new BenchResult
        {
            ModelPath = settings.ModelPath,
            Inputs = source,
            Cpu = CpuName(),
            Cores = Environment.ProcessorCount,
            Isa = isa.ToString(),
            Threads = settings.Threads,
            EffectiveThreads = settings.Threads <= 0 ? Environment.ProcessorCount : settings.Threads,
            Iterations = settings.Iterations,
            Warmup = settings.Warmup,
            ConvertMs = convertMs,
            Ours = oursTimes,
            Ort = ortTimes,
            OrtVersion = typeof(OrtSession).Assembly.GetName().Version?.ToString() ?? "",
        };
    }

    /// <summary>The same values for both engines: the <c>--inputs</c> files, or the check command's first generated sample.</summary>
    private static (Dictionary<string, Tensor> Ours, List<(string Name, TensorData Data)> Ort, string Source) Inputs(
        BenchSettings settings, ConversionResult conversion, MnnModel model)
    {
        var onnxTypes = new Dictionary<string, DataType>(StringComparer.Ordinal);
        foreach (var name in conversion.Graph.Inputs)
        {
            if (conversion.Graph.Values.TryGetValue(name, out var v) && v.Type != DataType.Undefined)
            {
                onnxTypes[name] = v.Type;
            }
        }

        var ort = new List<(string, TensorData)>();
        if (settings.InputsPath is { } path)
        {
            var ours = TensorFolder.ReadInputs(path, model.Inputs, onnxTypes);
            foreach (var (name, tensor) in ours)
            {
                ort.Add((name, TensorBridge.ToIr(tensor, onnxTypes.TryGetValue(name, out var t) ? t : null, name)));
            }

            return (ours, ort, path);
        }

        var signatures = InputSignature.Resolve(conversion.Graph, settings.InputShapes);
        var sample = SampleGenerator.Generate(signatures, new Dictionary<string, InputDistribution>(), ParityOptions.DefaultSeed, 0);
        var generated = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, data) in sample.Inputs)
        {
            generated[name] = TensorBridge.ToRuntime(data, name);
            ort.Add((name, data));
        }

        return (generated, ort, sample.Origin);
    }

    private static EngineTimes TimeOurs(MnnModel model, Dictionary<string, Tensor> inputs, BenchSettings settings, IsaLevel isa)
    {
        long t0 = Stopwatch.GetTimestamp();
        using var session = new MnnSession(model, new MnnSessionOptions { Threads = settings.Threads, Isa = isa });
        double loadMs = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        var outputs = session.OutputNames.Select(_ => new Tensor(TensorElementType.Float32, [])).ToArray();
        t0 = Stopwatch.GetTimestamp();
        session.Run(inputs, outputs);
        double firstMs = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        WarmUp(settings.Warmup, () => session.Run(inputs, outputs));

        var times = new double[settings.Iterations];
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        for (int i = 0; i < times.Length; i++)
        {
            long s = Stopwatch.GetTimestamp();
            session.Run(inputs, outputs);
            times[i] = Stopwatch.GetElapsedTime(s).TotalMilliseconds;
        }

        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        long fresh = GC.GetTotalAllocatedBytes(precise: true);
        for (int i = 0; i < FreshOutputRuns; i++)
        {
            session.Run(inputs);
        }

        fresh = GC.GetTotalAllocatedBytes(precise: true) - fresh;
        return new EngineTimes(loadMs, firstMs, times, allocated / times.Length, fresh / FreshOutputRuns);
    }

    private static EngineTimes TimeOrt(BenchSettings settings, List<(string Name, TensorData Data)> inputs)
    {
        using var options = new OrtSessionOptions
        {
            IntraOpNumThreads = settings.Threads <= 0 ? Environment.ProcessorCount : settings.Threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        long t0 = Stopwatch.GetTimestamp();
        OrtSession session;
        try
        {
            session = new OrtSession(settings.ModelPath, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new ModelBuildException(ErrorCodes.ParityReferenceFailed, $"ONNX Runtime cannot load {settings.ModelPath}: {e.Message}", e);
        }

        using var _ = session;
        double loadMs = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        var names = inputs.Select(i => i.Name).ToArray();
        var values = inputs.Select(i => OnnxReference.ToOrt(i.Data, i.Name)).ToArray();
        var outputNames = session.OutputNames.ToArray();
        using var run = new RunOptions();
        try
        {
            void Once()
            {
                using var outputs = session.Run(run, names, values, outputNames);
            }

            t0 = Stopwatch.GetTimestamp();
            Once();
            double firstMs = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            WarmUp(settings.Warmup, Once);
            var times = new double[settings.Iterations];
            for (int i = 0; i < times.Length; i++)
            {
                long s = Stopwatch.GetTimestamp();
                Once();
                times[i] = Stopwatch.GetElapsedTime(s).TotalMilliseconds;
            }

            return new EngineTimes(loadMs, firstMs, times, null, null);
        }
        finally
        {
            foreach (var v in values)
            {
                v.Dispose();
            }
        }
    }

    /// <summary><paramref name="runs"/> untimed runs, continued until <see cref="BenchSettings.MinWarmupSeconds"/> have passed.</summary>
    private static void WarmUp(int runs, Action once)
    {
        if (runs == 0)
        {
            return;
        }

        long until = Stopwatch.GetTimestamp() + (long)(BenchSettings.MinWarmupSeconds * Stopwatch.Frequency);
        for (int i = 0; i < runs || Stopwatch.GetTimestamp() < until; i++)
        {
            once();
        }
    }

    /// <summary>The processor's model name (Linux <c>/proc/cpuinfo</c>), else the architecture.</summary>
    private static string CpuName()
    {
        try
        {
            if (File.Exists("/proc/cpuinfo"))
            {
                foreach (var line in File.ReadLines("/proc/cpuinfo"))
                {
                    if (line.StartsWith("model name", StringComparison.Ordinal) && line.IndexOf(':') is int colon and > 0)
                    {
                        return line[(colon + 1)..].Trim();
                    }
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString();
    }
}
