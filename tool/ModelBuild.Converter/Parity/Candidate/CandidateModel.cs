using ModelBuild.Converter.Conversion;
using ModelBuild.Converter.Graph;
using ModelBuild.Converter.Parity.Inputs;
using ModelBuild.Runtime;
using ModelBuild.Runtime.Format.Schema;
using ModelBuild.Runtime.Kernels;

namespace ModelBuild.Converter.Parity.Candidate;

/// <summary>
/// The model under test: a <c>.mnn</c> file, or the ONNX model converted in memory, run in our runtime. Knows
/// which MNN tensor carries each ONNX value (the converter's name table; for a given file, names equal to
/// ONNX names) so intermediates can be compared with the reference.
/// </summary>
public sealed class CandidateModel
{
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

    /// <summary>The converted net when converted in memory (tests inject faults into it before building a model).</summary>
    public NetT? Net { get; }

    /// <summary>Loads <paramref name="mnnPath"/>, or converts <paramref name="onnxPath"/> with the check's input shapes.</summary>
    public static CandidateModel Create(string onnxPath, string? mnnPath, IReadOnlyList<InputSignature> inputs)
    {
        if (mnnPath is not null)
        {
            var model = MnnModel.Load(mnnPath);
            return new CandidateModel(model, IdentityNames(model), mnnPath, [], null);
        }

        var (net, names, warnings) = CandidateConversion.Convert(onnxPath, inputs.ToDictionary(i => i.Name, i => i.Shape, StringComparer.Ordinal));
        return FromNet(net, names, $"converted from {onnxPath}", warnings);
    }

    /// <summary>Wraps a converted net (possibly modified). <paramref name="names"/> maps ONNX values to MNN tensors.</summary>
    public static CandidateModel FromNet(NetT net, IReadOnlyDictionary<string, string> names, string origin, IReadOnlyList<ConversionWarning>? warnings = null)
    {
        var model = MnnModel.FromNet(net, origin);
        var present = new HashSet<string>(model.Graph.TensorNames, StringComparer.Ordinal);
        var filtered = names.Where(kv => present.Contains(kv.Value)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        return new CandidateModel(model, filtered, origin, warnings ?? [], net);
    }

    private static Dictionary<string, string> IdentityNames(MnnModel model) =>
        model.Graph.TensorNames.Where(n => !string.IsNullOrEmpty(n)).Distinct(StringComparer.Ordinal).ToDictionary(n => n, n => n, StringComparer.Ordinal);

    /// <summary>
    /// Runs one sample at <paramref name="isa"/>; returns <paramref name="onnxOutputs"/> and any
    /// <paramref name="watched"/> ONNX values that have an MNN tensor (captured by the tensor observer).
    /// </summary>
    public Dictionary<string, TensorData> Run(ParitySample sample, IsaLevel isa, IReadOnlyList<string> onnxOutputs, IReadOnlyCollection<string>? watched = null)
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
        var options = new SessionOptions { Isa = isa, Threads = 1 };
        if (byMnn.Count > 0)
        {
            options.TensorObserver = (name, tensor) =>
            {
                if (byMnn.TryGetValue(name, out var onnx))
                {
                    captured[onnx] = TensorBridge.ToIr(tensor, null, name);
                }
            };
        }

        using var session = new InferenceSession(Model, options);
        var feeds = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, data) in sample.Inputs)
        {
            feeds[TensorNames.TryGetValue(name, out var mnn) ? mnn : name] = TensorBridge.ToRuntime(data, name);
        }

        var wanted = onnxOutputs.Select(o => TensorNames.TryGetValue(o, out var m) ? m : o).ToArray();
        var results = session.Run(feeds, wanted);
        var map = new Dictionary<string, TensorData>(captured, StringComparer.Ordinal);
        for (var i = 0; i < onnxOutputs.Count; i++)
        {
            map[onnxOutputs[i]] = TensorBridge.ToIr(results[wanted[i]], null, wanted[i]);
        }

        return map;
    }
}
