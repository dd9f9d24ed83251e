using ModelBuild.Converter.Conversion;
using ModelBuild.Converter.Graph;
using ModelBuild.Converter.Onnx;
using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Converter.Parity.Candidate;

/// <summary>
/// In-memory ONNX → MNN conversion for the gate with the check's input shapes, keeping the ONNX-value →
/// MNN-tensor name table for localization.
/// </summary>
internal static class CandidateConversion
{
    /// <summary>Fixes the inputs to the check's shapes and converts <paramref name="imported"/> (which the passes modify).</summary>
    public static (NetT Net, IReadOnlyDictionary<string, string> Names, IReadOnlyList<ConversionWarning> Warnings) Convert(ModelGraph imported, IDictionary<string, long[]> inputShapes)
    {
        OnnxImporter.ApplyInputShapes(imported, new Dictionary<string, long[]>(inputShapes, StringComparer.Ordinal), imported.SourcePath);
        var result = ModelConverter.ConvertGraph(imported);
        return (result.Net, result.TensorNames, result.Warnings);
    }
}
