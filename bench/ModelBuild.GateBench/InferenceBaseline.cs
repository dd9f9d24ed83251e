using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using ModelBuild.Converter.Conversion;
using ModelBuild.Converter.Parity.Inputs;
using ModelBuild.Runtime;
using ModelBuild.Runtime.Kernels;
using OrtSession = Microsoft.ML.OnnxRuntime.InferenceSession;
using OrtOptions = Microsoft.ML.OnnxRuntime.SessionOptions;

namespace ModelBuild.GateBench;

/// <summary>
/// What the gate's inference alone costs: the median time of one ONNX Runtime run (the gate's settings: all graph
/// optimizations, one thread, sequential) and one run of ours (one thread, native ISA) on the gate's first
/// generated sample, both warmed up and timed interleaved so they see the same machine load.
/// </summary>
internal static class InferenceBaseline
{
    public static (double OrtMs, double OursMs) Measure(string onnxPath, int rounds)
    {
        var conversion = ModelConverter.Convert(onnxPath);
        var model = MnnModel.FromBytes(conversion.Bytes);
        using var ours = new MnnSession(model, new MnnSessionOptions { Threads = 1, Isa = KernelIsa.Default });
        using var ortOptions = new OrtOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        };
        using var ort = new OrtSession(onnxPath, ortOptions);

        var signatures = InputSignature.Resolve(conversion.Graph, new Dictionary<string, long[]>());
        var sample = SampleGenerator.Generate(signatures, new Dictionary<string, InputDistribution>(), seed: 1234, index: 0);
        var ourInputs = sample.Inputs.ToDictionary(kv => conversion.TensorNames.GetValueOrDefault(kv.Key, kv.Key), kv => TensorBridge.ToRuntime(kv.Value, kv.Key));
        var ortInputs = sample.Inputs.ToDictionary(kv => kv.Key, kv => OrtValue.CreateTensorValueFromMemory(kv.Value.ToFloatArray(), kv.Value.Shape));
        try
        {
            void RunOrt()
            {
                using var options = new RunOptions();
                using var outputs = ort.Run(options, ortInputs, ort.OutputNames);
            }

            void RunOurs() => ours.Run(ourInputs);

            var warmUntil = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 2;
            for (var i = 0; i < 3 || Stopwatch.GetTimestamp() < warmUntil; i++)
            {
                RunOrt();
                RunOurs();
            }

            var ortTimes = new List<double>();
            var ourTimes = new List<double>();
            for (var i = 0; i < rounds; i++)
            {
                ortTimes.Add(Time(RunOrt));
                ourTimes.Add(Time(RunOurs));
            }

            return (Median(ortTimes), Median(ourTimes));
        }
        finally
        {
            foreach (var v in ortInputs.Values)
            {
                v.Dispose();
            }
        }
    }

    internal static double Time(Action action)
    {
        var start = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    internal static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
