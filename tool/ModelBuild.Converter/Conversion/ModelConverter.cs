using ModelBuild.Converter.Export;
using ModelBuild.Converter.Graph;
using ModelBuild.Converter.Graph.Passes;
using ModelBuild.Converter.Onnx;
using ModelBuild.Runtime.Format;

namespace ModelBuild.Converter.Conversion;

/// <summary>
/// The conversion pipeline used by the CLI, the parity gate and the MSBuild task:
/// ONNX import → IR passes → MNN export → FlatBuffers bytes. Deterministic: the same model and options give the
/// same bytes (no timestamps, no random ids, no hash-ordered iteration).
/// </summary>
public static class ModelConverter
{
    public static ConversionResult Convert(string onnxPath, ConversionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(onnxPath);
        options ??= new ConversionOptions();
        var graph = OnnxImporter.Load(onnxPath, new OnnxImportOptions { InputShapes = new Dictionary<string, long[]>(options.InputShapes, StringComparer.Ordinal) });
        return ConvertGraph(graph, options.WeightPrecision);
    }

    /// <summary>Converts and writes <paramref name="mnnPath"/> atomically; on failure no file is left behind.</summary>
    public static ConversionResult ConvertToFile(string onnxPath, string mnnPath, ConversionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(mnnPath);
        var result = Convert(onnxPath, options);
        MnnModelWriter.WriteFileAtomic(result.Bytes, mnnPath);
        return result;
    }

    /// <summary>Runs the passes and the exporter on an imported graph (the graph is modified in place).</summary>
    internal static ConversionResult ConvertGraph(ModelGraph graph, WeightPrecision precision = WeightPrecision.Float32)
    {
        PassPipeline.Run(graph);
        var ctx = new ExportContext(graph) { MatMulAsConvolution = precision is WeightPrecision.Int8 or WeightPrecision.Int8Symmetric };
        var net = MnnExporter.Export(graph, ctx);
        var saving = precision switch
        {
            WeightPrecision.Float16 => HalfWeights.Compress(net),
            WeightPrecision.Int8 or WeightPrecision.Int8Symmetric => Int8Weights.Compress(net, asymmetric: precision == WeightPrecision.Int8),
            _ => default,
        };

        var warnings = graph.Warnings.Concat(ctx.Warnings).ToList();
        return new ConversionResult(net, graph, warnings, MnnExporter.NameTable(ctx))
        {
            WeightPrecision = precision,
            FloatWeightBytes = saving.FloatBytes,
            StoredWeightBytes = saving.StoredBytes,
        };
    }
}
