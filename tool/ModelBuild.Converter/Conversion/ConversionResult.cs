using ModelBuild.Converter.Graph;
using ModelBuild.Runtime.Format;
using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Converter.Conversion;

/// <summary>What a conversion produced: the MNN net, its serialized bytes (on demand), the IR it came from, and warnings.</summary>
public sealed class ConversionResult
{
    private byte[]? _bytes;

    internal ConversionResult(NetT net, ModelGraph graph, IReadOnlyList<ConversionWarning> warnings, IReadOnlyDictionary<string, string> tensorNames)
    {
        Net = net;
        Graph = graph;
        Warnings = warnings;
        TensorNames = tensorNames;
    }

    /// <summary>The net as the flatc object API holds it: internal, as the schema types are (use <see cref="Bytes"/>).</summary>
    internal NetT Net { get; }

    /// <summary>
    /// The .mnn file content (FlatBuffers); identical for identical input and options. Serialized from
    /// <see cref="Net"/> on first access (the parity gate runs the net without ever needing the bytes).
    /// </summary>
    public byte[] Bytes => _bytes ??= MnnModelWriter.Serialize(Net);

    /// <summary>The optimized IR that was exported.</summary>
    public ModelGraph Graph { get; }

    public IReadOnlyList<ConversionWarning> Warnings { get; }

    /// <summary>ONNX value name → MNN tensor name, for every ONNX value that has a tensor in the file.</summary>
    public IReadOnlyDictionary<string, string> TensorNames { get; }

    /// <summary>How the file stores float weights.</summary>
    public WeightPrecision WeightPrecision { get; init; }

    /// <summary>Bytes the compressed weights took as float32 (0 for float32 storage).</summary>
    public long FloatWeightBytes { get; init; }

    /// <summary>Bytes those weights take in the file (fp16 values, or int8 buffers and their scales).</summary>
    public long StoredWeightBytes { get; init; }
}
