using ModelBuild.Converter.Conversion;
using ModelBuild.Converter.Graph;
using ModelBuild.Converter.Onnx;
using ModelBuild.Converter.Parity.Inputs;
using ModelBuild.Runtime;
using ModelBuild.Runtime.Format.Schema;
using ModelBuild.Runtime.Kernels;

namespace ModelBuild.Converter.Parity.Candidate;

/// <summary>
/// The model under test: a <c>.mnn</c> file, or the ONNX model converted in memory, run in our runtime. Knows
/// which MNN tensor carries each ONNX value (the converter's name table; for a given file, names equal to
/// ONNX names) so intermediates can be compared with the reference. Sessions without a tensor observer are kept
/// per ISA level and reused across samples (creating one builds every executor and packs weights); the gate
/// releases them when it ends (<see cref="Dispose"/>; the model stays usable and re-creates them on demand).
/// </summary>
public sealed class CandidateModel : IDisposable
{
    private readonly Dictionary<(IsaLevel, SessionPrecision), MnnSession> _sessions = [];

    private CandidateModel(MnnModel model, IReadOnlyDictionary<string, string> names, string origin, IReadOnlyList<ConversionWarning> warnings, NetT? net)
    {
        Model = model;
        TensorNames = names;
        Origin = origin;
        Warnings = warnings;
        Net = net;
    }

    public MnnModel Model { get; }

    /// <summary>ONNX value name → MNN tensor name, for values that exist in the MNN model.</summary>
    public IReadOnlyDictionary<string, string> TensorNames { get; }

    /// <summary>The .mnn path, or "converted from X".</summary>
    public string Origin { get; }

    public IReadOnlyList<ConversionWarning> Warnings { get; }

    /// <summary>When set, receives session-creation and run times (the gate sets it for its timings).</summary>
    public ParityTimings? Timings { get; set; }

    /// <summary>The converted net when converted in memory (tests inject faults into it before building a model).</summary>
    internal NetT? Net { get; }

    /// <summary>Loads <paramref name="mnnPath"/>, or converts <paramref name="onnxPath"/> with the check's input shapes.</summary>
    public static CandidateModel Create(string onnxPath, string? mnnPath, IReadOnlyList<InputSignature> inputs) =>
        Create(() => OnnxImporter.Load(onnxPath), onnxPath, mnnPath, inputs);

    /// <summary>
    /// Like <see cref="Create(string, string?, IReadOnlyList{InputSignature})"/> converting a graph the caller
    /// already imported (the gate imports once); the conversion's passes modify that graph.
    /// </summary>
    public static CandidateModel Create(Func<ModelGraph> imported, string onnxPath, string? mnnPath, IReadOnlyList<InputSignature> inputs)
    {
        if (mnnPath is not null)
        {
            var model = MnnModel.Load(mnnPath);
            return new CandidateModel(model, IdentityNames(model), mnnPath, [], null);
        }

        var (net, names, warnings) = CandidateConversion.Convert(imported(), inputs.ToDictionary(i => i.Name, i => i.Shape, StringComparer.Ordinal));
        return FromNet(net, names, $"converted from {onnxPath}", warnings);
    }

    /// <summary>Wraps a converted net (possibly modified). <paramref name="names"/> maps ONNX values to MNN tensors.</summary>
    internal static CandidateModel FromNet(NetT net, IReadOnlyDictionary<string, string> names, string origin, IReadOnlyList<ConversionWarning>? warnings = null)
    {
        var model = MnnModel.FromNet(net, origin);
        var present = new HashSet<string>(model.Graph.TensorNames, StringComparer.Ordinal);
        var filtered = names.Where(kv => present.Contains(kv.Value)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        return new CandidateModel(model, filtered, origin, warnings ?? [], net);
    }

    /// <summary>Releases the cached sessions (the model itself stays usable).</summary>
    public void Dispose()
    {
        foreach (var s in _sessions.Values)
        {
            s.Dispose();
        }

        _sessions.Clear();
    }

    private MnnSession SessionFor(IsaLevel isa, SessionPrecision precision)
    {
        if (!_sessions.TryGetValue((isa, precision), out var session))
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            session = new MnnSession(Model, new MnnSessionOptions { Isa = isa, Threads = 1, Precision = precision });
            Timings?.Add("candidate: create session", System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            _sessions[(isa, precision)] = session;
        }

        return session;
    }

    private static Dictionary<string, string> IdentityNames(MnnModel model) =>
        model.Graph.TensorNames.Where(n => !string.IsNullOrEmpty(n)).Distinct(StringComparer.Ordinal).ToDictionary(n => n, n => n, StringComparer.Ordinal);

    /// <summary>
    /// Runs one sample at <paramref name="isa"/>; returns <paramref name="onnxOutputs"/> and any
    /// <paramref name="watched"/> ONNX values that have an MNN tensor (captured by the tensor observer), computed with
    /// <paramref name="precision"/> (the gate's emulated device column uses <see cref="SessionPrecision.EmulatedFp16"/>).
    /// </summary>
    public Dictionary<string, TensorData> Run(ParitySample sample, IsaLevel isa, IReadOnlyList<string> onnxOutputs, IReadOnlyCollection<string>? watched = null,
        SessionPrecision precision = SessionPrecision.Float32)
    {
        var byMnn = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var onnx in watched ?? [])
        {
            if (TensorNames.TryGetValue(onnx, out var mnn))
            {
                byMnn.TryAdd(mnn, onnx);
            }
        }

        var captured = new Dictionary<string, TensorData>(StringComparer.Ordinal);
        MnnSession? observed = null;
        if (byMnn.Count > 0)
        {
            // the observer belongs to the session, so a watching run gets a session of its own
            observed = new MnnSession(Model, new MnnSessionOptions
            {
                Isa = isa,
                Threads = 1,
                Precision = precision,
                TensorObserver = (name, tensor) =>
                {
                    if (byMnn.TryGetValue(name, out var onnx))
                    {
                        captured[onnx] = TensorBridge.ToIr(tensor, null, name);
                    }
                },
            });
        }

        using var owned = observed;
        var session = observed ?? SessionFor(isa, precision);
        var feeds = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, data) in sample.Inputs)
        {
            feeds[TensorNames.TryGetValue(name, out var mnn) ? mnn : name] = TensorBridge.ToRuntime(data, name);
        }

        var wanted = onnxOutputs.Select(o => TensorNames.TryGetValue(o, out var m) ? m : o).ToArray();
        var runStarted = System.Diagnostics.Stopwatch.GetTimestamp();
        var results = session.Run(feeds, wanted);
        Timings?.Add(observed is null ? "candidate: run" : "candidate: run (observed)", System.Diagnostics.Stopwatch.GetElapsedTime(runStarted).TotalMilliseconds);
        var map = new Dictionary<string, TensorData>(captured, StringComparer.Ordinal);
        for (var i = 0; i < onnxOutputs.Count; i++)
        {
            map[onnxOutputs[i]] = TensorBridge.ToIr(results[wanted[i]], null, wanted[i]);
        }

        return map;
    }
}
