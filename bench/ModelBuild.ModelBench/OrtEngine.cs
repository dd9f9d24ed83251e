using Microsoft.ML.OnnxRuntime;
using ModelBuild.Converter.Graph;

namespace ModelBuild.ModelBench;

/// <summary>
/// ONNX Runtime (CPU provider) on the original ONNX file: IntraOpNumThreads = the thread count, sequential
/// execution, ORT_ENABLE_ALL graph optimizations. Inputs are created once as OrtValues and reused.
/// </summary>
internal sealed class OrtEngine : IEngine
{
    private readonly InferenceSession _session;
    private readonly SessionOptions _options;
    private readonly RunOptions _run = new();
    private readonly string[] _inputNames;
    private readonly OrtValue[] _inputs;
    private readonly string[] _outputNames;

    /// <param name="profilePrefix">when set, ORT writes a chrome-trace JSON profile with this file prefix.</param>
    public OrtEngine(ModelCase model, int threads, string? profilePrefix = null)
    {
        _options = new SessionOptions
        {
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        if (Environment.GetEnvironmentVariable("MODELBENCH_ORT_NOSPIN") == "1")
        {
            // diagnostic: ORT's idle intra-op workers spin after each run and can hold the second core during
            // the interleaved run of our engine
            _options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        }

        if (profilePrefix is not null)
        {
            _options.EnableProfiling = true;
            _options.ProfileOutputPathPrefix = profilePrefix;
        }

        _session = new InferenceSession(model.OnnxPath, _options);
        _inputNames = model.Inputs.Select(i => i.Name).ToArray();
        _inputs = model.Inputs.Select(i => ToOrt(i.Data)).ToArray();
        _outputNames = _session.OutputNames.ToArray();
        Label = $"ORT t{threads}";
    }

    public string Label { get; }

    public void RunOnce()
    {
        using var outputs = _session.Run(_run, _inputNames, _inputs, _outputNames);
    }

    /// <summary>Stops profiling and returns the trace file ORT wrote.</summary>
    public string EndProfiling() => _session.EndProfiling();

    public void Dispose()
    {
        foreach (var v in _inputs)
        {
            v.Dispose();
        }

        _session.Dispose();
        _options.Dispose();
        _run.Dispose();
    }

    private static OrtValue ToOrt(TensorData data)
    {
        var shape = data.Shape;
        return data.Type switch
        {
            DataType.Float => OrtValue.CreateTensorValueFromMemory(data.ToFloatArray(), shape),
            DataType.Double => OrtValue.CreateTensorValueFromMemory(data.ToFloatArray().Select(f => (double)f).ToArray(), shape),
            DataType.Int64 => OrtValue.CreateTensorValueFromMemory(data.ToLongArray(), shape),
            DataType.Int32 => OrtValue.CreateTensorValueFromMemory(data.ToLongArray().Select(v => (int)v).ToArray(), shape),
            DataType.Bool => OrtValue.CreateTensorValueFromMemory(data.ToLongArray().Select(v => v != 0).ToArray(), shape),
            _ => throw new NotSupportedException($"benchmark inputs of type {data.Type} are not supported (float, double, int32, int64, bool)"),
        };
    }
}
