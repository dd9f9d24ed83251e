using ModelBuild.Converter.Export;
using ModelBuild.Converter.Graph;
using ModelBuild.Converter.Graph.Passes;
using ModelBuild.Converter.Onnx;
using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Converter.Parity.Candidate;

/// <summary>
/// In-memory ONNX → MNN conversion for the gate: import with the check's input shapes, run the graph passes,
/// export, and keep the ONNX-value → MNN-tensor name table for localization.
/// </summary>
internal static class CandidateConversion
{
    public static (NetT Net, IReadOnlyDictionary<string, string> Names, IReadOnlyList<ConversionWarning> Warnings) Convert(string onnxPath, IDictionary<string, long[]> inputShapes)
    {
        var graph = OnnxImporter.Load(onnxPath, new OnnxImportOptions { InputShapes = inputShapes });
        PassPipeline.Run(graph);
        var ctx = new ExportContext(graph);
        var net = MnnExporter.Export(graph, ctx);
        return (net, MnnExporter.NameTable(ctx), graph.Warnings.Concat(ctx.Warnings).ToList());
    }
}
