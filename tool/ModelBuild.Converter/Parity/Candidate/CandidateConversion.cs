using ModelBuild.Converter.Conversion;
using ModelBuild.Converter.Graph;
using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Converter.Parity.Candidate;

/// <summary>
/// In-memory ONNX → MNN conversion for the gate with the check's input shapes, keeping the ONNX-value →
/// MNN-tensor name table for localization.
/// </summary>
internal static class CandidateConversion
{
    public static (NetT Net, IReadOnlyDictionary<string, string> Names, IReadOnlyList<ConversionWarning> Warnings) Convert(string onnxPath, IDictionary<string, long[]> inputShapes)
    {
        var result = ModelConverter.Convert(onnxPath, new ConversionOptions { InputShapes = new Dictionary<string, long[]>(inputShapes, StringComparer.Ordinal) });
        return (result.Net, result.TensorNames, result.Warnings);
    }
}
