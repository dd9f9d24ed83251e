using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using ModelBuild.Converter.Graph;
using ModelBuild.Converter.Onnx;
using ModelBuild.Converter.Onnx.Proto;
using ModelBuild.Converter.Parity.Inputs;
using OrtElementType = Microsoft.ML.OnnxRuntime.Tensors.TensorElementType;

namespace ModelBuild.Converter.Parity.Reference;

/// <summary>
/// The reference: the ONNX model in ONNX Runtime (CPU, all graph optimizations, one thread, sequential) so
/// results are reproducible. Intermediate values are read by appending them as graph outputs to a copy of the
/// model; one ORT session is kept per distinct set of extra outputs. Not thread-safe: one caller at a time.
/// </summary>
public sealed class OnnxReference : IDisposable
{
    private readonly string _path;
    private ModelProto? _model;
    private readonly Dictionary<string, InferenceSession> _sessions = new(StringComparer.Ordinal);
    private readonly ParityTimings? _timings;
    private readonly bool _inlined;
    private Task<InferenceSession>? _fileSession;

    public OnnxReference(string onnxPath)
        : this(OnnxModelLoader.Load(onnxPath), onnxPath)
    {
    }

    /// <summary>
    /// Uses an already parsed model (not modified: a model with external data is copied before its initializers
    /// are inlined). <paramref name="timings"/>, when given, receives session-creation and run times;
    /// <paramref name="fileSession"/> is a plain session already being created (<see cref="StartFromFile"/>),
    /// owned by this instance from now on.
    /// </summary>
    public OnnxReference(ModelProto model, string onnxPath, ParityTimings? timings = null, Task<InferenceSession>? fileSession = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        _path = onnxPath;
        _timings = timings;
        _fileSession = fileSession;
        _inlined = model.Graph is not null && model.Graph.Initializer.Any(ExternalData.IsExternal);
        _model = _inlined ? model.Clone() : model;
        InlineExternalData(_model, Path.GetDirectoryName(Path.GetFullPath(onnxPath)) ?? ".", onnxPath);
        Outputs = _model.Graph!.Output.Select(o => o.Name).ToArray();
        NodeOutputs = new HashSet<string>(_model.Graph.Node.SelectMany(n => n.Output).Where(o => o.Length > 0), StringComparer.Ordinal);
    }

    /// <summary>
    /// Lets go of the parsed model (its weights can be as large as the model file) once the sessions the caller
    /// needs exist; a later session with other extra outputs (localization) parses the file again.
    /// </summary>
    public void ReleaseModel() => _model = null;

    private ModelProto Model
    {
        get
        {
            if (_model is null)
            {
                var model = OnnxModelLoader.Load(_path);
                InlineExternalData(model, Path.GetDirectoryName(Path.GetFullPath(_path)) ?? ".", _path);
                _model = model;
            }

            return _model;
        }
    }

    /// <summary>
    /// Starts ONNX Runtime's one-time process initialization (native library, environment, API binding: most of
    /// a second on first use) so it can overlap other work; idempotent and thread-safe.
    /// </summary>
    public static Task InitializeRuntimeAsync() => Task.Run(() => OrtEnv.Instance());

    /// <summary>Graph output names in model order.</summary>
    public IReadOnlyList<string> Outputs { get; }

    /// <summary>Every value some node produces (the values that can be exposed as extra outputs).</summary>
    public IReadOnlySet<string> NodeOutputs { get; }

    /// <summary>Number of ORT sessions created so far (each distinct extra-output set costs one).</summary>
    public int SessionsCreated { get; private set; }

    /// <summary>Number of <see cref="Run"/> calls so far.</summary>
    public int Runs { get; private set; }

    /// <summary>Runs one sample; returns the graph outputs plus <paramref name="extraOutputs"/> (node outputs only).</summary>
    public Dictionary<string, TensorData> Run(ParitySample sample, IReadOnlyCollection<string>? extraOutputs = null)
    {
        var extras = (extraOutputs ?? []).Where(e => !Outputs.Contains(e)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        foreach (var e in extras)
        {
            if (!NodeOutputs.Contains(e))
            {
                throw new ModelBuildException(ErrorCodes.ParityReferenceFailed, $"{_path}: '{e}' is not produced by any node and cannot be read from ONNX Runtime");
            }
        }

        var session = GetSession(extras);
        var names = Outputs.Concat(extras).ToArray();
        var inputs = new Dictionary<string, OrtValue>(StringComparer.Ordinal);
        try
        {
            foreach (var (name, data) in sample.Inputs)
            {
                inputs[name] = ToOrt(data, name);
            }

            Runs++;
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            using var runOptions = new RunOptions();
            using var results = session.Run(runOptions, inputs, names);
            _timings?.Add("reference: run", System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            var map = new Dictionary<string, TensorData>(StringComparer.Ordinal);
            var i = 0;
            foreach (var value in results)
            {
                var name = names[i++];
                if (value.OnnxType == OnnxValueType.ONNX_TYPE_TENSOR)
                {
                    map[name] = FromOrt(value, name);
                }
            }

            return map;
        }
        catch (OnnxRuntimeException e)
        {
            throw new ModelBuildException(ErrorCodes.ParityReferenceFailed, $"ONNX Runtime failed to run {_path} on sample '{sample.Origin}': {e.Message}", e);
        }
        finally
        {
            foreach (var v in inputs.Values)
            {
                v.Dispose();
            }
        }
    }

    /// <summary>
    /// Creates the session <see cref="Run"/> will use for these extra outputs, so its cost can overlap other work
    /// (the gate calls it on a worker thread while it converts). Calls on one instance must not overlap.
    /// </summary>
    public void Prepare(IReadOnlyCollection<string>? extraOutputs = null) =>
        GetSession((extraOutputs ?? []).Where(e => !Outputs.Contains(e)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray());

    public void Dispose()
    {
        if (_fileSession is { } pending)
        {
            // started early but never used (the gate failed before its first run): wait, then free it
            _fileSession = null;
            try
            {
                pending.GetAwaiter().GetResult().Dispose();
            }
            catch (ModelBuildException)
            {
            }
        }

        foreach (var s in _sessions.Values)
        {
            s.Dispose();
        }

        _sessions.Clear();
    }

    private InferenceSession GetSession(string[] extras)
    {
        var key = string.Join("\n", extras);
        if (_sessions.TryGetValue(key, out var s))
        {
            return s;
        }

        // keep few sessions alive: localization probes are one-off
        if (_sessions.Count >= 4)
        {
            foreach (var old in _sessions.Where(kv => kv.Key.Length > 0).ToArray())
            {
                old.Value.Dispose();
                _sessions.Remove(old.Key);
            }
        }

        if (extras.Length == 0 && _fileSession is { } started)
        {
            _fileSession = null;
            s = started.GetAwaiter().GetResult();
            SessionsCreated++;
            _sessions[key] = s;
            return s;
        }

        ModelProto? model = null;
        if (extras.Length > 0)
        {
            model = Model.Clone();
            foreach (var e in extras)
            {
                model.Graph.Output.Add(new ValueInfoProto { Name = e });
            }
        }

        // the unmodified model loads from its file (no serialized copy of the weights); a copy with extra outputs
        // or inlined external data loads from bytes
        model ??= _inlined ? Model : null;

        s = CreateSession(_path, model?.ToByteArray(), extras.Length, _timings);
        SessionsCreated++;
        _sessions[key] = s;
        return s;
    }

    /// <summary>
    /// Starts creating the plain session (no extra outputs) from the file on a worker thread, before the model
    /// is even parsed; pass it to the constructor. Only for files that need no checks before ORT opens them
    /// (<see cref="ReferenceFileScan.CanStartEarly"/>: no external data).
    /// </summary>
    public static Task<InferenceSession> StartFromFile(string onnxPath, ParityTimings? timings) =>
        Task.Run(() => CreateSession(onnxPath, null, 0, timings));

    private static InferenceSession CreateSession(string path, byte[]? bytes, int extras, ParityTimings? timings)
    {
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            var session = bytes is null ? new InferenceSession(path, options) : new InferenceSession(bytes, options);
            timings?.Add("reference: create session", System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return session;
        }
        catch (OnnxRuntimeException e)
        {
            throw new ModelBuildException(ErrorCodes.ParityReferenceFailed, $"ONNX Runtime cannot load {path}{(extras > 0 ? $" with {extras} intermediate outputs" : "")}: {e.Message}", e);
        }
    }

    /// <summary>ORT gets the model as bytes, so external initializers are read (safely) into raw_data first.</summary>
    private static void InlineExternalData(ModelProto model, string baseDirectory, string path)
    {
        if (model.Graph is null)
        {
            throw new ModelBuildException(ErrorCodes.OnnxInvalidGraph, $"ONNX model '{path}' has no graph");
        }

        foreach (var t in model.Graph.Initializer)
        {
            if (ExternalData.IsExternal(t))
            {
                var bytes = ExternalData.Read(t, baseDirectory, path);
                t.ExternalData.Clear();
                t.DataLocation = TensorProto.Types.DataLocation.Default;
                t.RawData = ByteString.CopyFrom(bytes);
            }
        }
    }

    internal static OrtValue ToOrt(TensorData data, string name)
    {
        var shape = data.Shape;
        switch (data.Type)
        {
            case DataType.Float:
                return OrtValue.CreateTensorValueFromMemory(data.ToFloatArray(), shape);
            case DataType.Double:
                return OrtValue.CreateTensorValueFromMemory(Enumerable.Range(0, (int)data.ElementCount).Select(i => data.GetDouble(i)).ToArray(), shape);
            case DataType.Float16:
                return OrtValue.CreateTensorValueFromMemory(data.ToFloatArray().Select(f => (Float16)f).ToArray(), shape);
            case DataType.BFloat16:
                return OrtValue.CreateTensorValueFromMemory(data.ToFloatArray().Select(f => (BFloat16)f).ToArray(), shape);
            case DataType.Int64:
                return OrtValue.CreateTensorValueFromMemory(data.ToLongArray(), shape);
            case DataType.Int32:
                return OrtValue.CreateTensorValueFromMemory(data.ToLongArray().Select(v => (int)v).ToArray(), shape);
            case DataType.Int16:
                return OrtValue.CreateTensorValueFromMemory(data.ToLongArray().Select(v => (short)v).ToArray(), shape);
            case DataType.UInt16:
                return OrtValue.CreateTensorValueFromMemory(data.ToLongArray().Select(v => (ushort)v).ToArray(), shape);
            case DataType.Int8:
                return OrtValue.CreateTensorValueFromMemory(data.ToLongArray().Select(v => (sbyte)v).ToArray(), shape);
            case DataType.UInt8:
                return OrtValue.CreateTensorValueFromMemory(data.ToLongArray().Select(v => (byte)v).ToArray(), shape);
            case DataType.UInt32:
                return OrtValue.CreateTensorValueFromMemory(data.ToLongArray().Select(v => (uint)v).ToArray(), shape);
            case DataType.UInt64:
                return OrtValue.CreateTensorValueFromMemory(data.ToLongArray().Select(v => (ulong)v).ToArray(), shape);
            case DataType.Bool:
                return OrtValue.CreateTensorValueFromMemory(data.ToLongArray().Select(v => v != 0).ToArray(), shape);
            default:
                throw new ModelBuildException(ErrorCodes.UnsupportedDataType, $"input '{name}' has element type {data.Type}, which the parity gate cannot feed to ONNX Runtime");
        }
    }

    internal static TensorData FromOrt(OrtValue value, string name)
    {
        var info = value.GetTensorTypeAndShape();
        var shape = info.Shape;
        return info.ElementDataType switch
        {
            OrtElementType.Float => new TensorData(DataType.Float, shape, value.GetTensorDataAsSpan<float>().ToArray()),
            OrtElementType.Double => new TensorData(DataType.Double, shape, ToFloats(value.GetTensorDataAsSpan<double>())),
            OrtElementType.Float16 => new TensorData(DataType.Float16, shape, value.GetTensorDataAsSpan<Float16>().ToArray().Select(h => (float)h).ToArray()),
            OrtElementType.BFloat16 => new TensorData(DataType.BFloat16, shape, value.GetTensorDataAsSpan<BFloat16>().ToArray().Select(h => (float)h).ToArray()),
            OrtElementType.Int64 => new TensorData(DataType.Int64, shape, value.GetTensorDataAsSpan<long>().ToArray()),
            OrtElementType.Int32 => new TensorData(DataType.Int32, shape, value.GetTensorDataAsSpan<int>().ToArray().Select(v => (long)v).ToArray()),
            OrtElementType.Int16 => new TensorData(DataType.Int16, shape, value.GetTensorDataAsSpan<short>().ToArray().Select(v => (long)v).ToArray()),
            OrtElementType.UInt16 => new TensorData(DataType.UInt16, shape, value.GetTensorDataAsSpan<ushort>().ToArray().Select(v => (long)v).ToArray()),
            OrtElementType.Int8 => new TensorData(DataType.Int8, shape, value.GetTensorDataAsSpan<sbyte>().ToArray().Select(v => (long)v).ToArray()),
            OrtElementType.UInt8 => new TensorData(DataType.UInt8, shape, value.GetTensorDataAsSpan<byte>().ToArray().Select(v => (long)v).ToArray()),
            OrtElementType.UInt32 => new TensorData(DataType.UInt32, shape, value.GetTensorDataAsSpan<uint>().ToArray().Select(v => (long)v).ToArray()),
            OrtElementType.UInt64 => new TensorData(DataType.UInt64, shape, value.GetTensorDataAsSpan<ulong>().ToArray().Select(v => (long)v).ToArray()),
            OrtElementType.Bool => new TensorData(DataType.Bool, shape, value.GetTensorDataAsSpan<bool>().ToArray().Select(v => v ? 1L : 0L).ToArray()),
            _ => throw new ModelBuildException(ErrorCodes.UnsupportedDataType, $"ONNX Runtime output '{name}' has element type {info.ElementDataType}, which the parity gate cannot compare"),
        };
    }

    private static float[] ToFloats(ReadOnlySpan<double> span)
    {
        var r = new float[span.Length];
        for (var i = 0; i < r.Length; i++)
        {
            r[i] = (float)span[i];
        }

        return r;
    }
}
