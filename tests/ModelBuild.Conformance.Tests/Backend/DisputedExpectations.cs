using ModelBuild.Conformance.Tests.Infrastructure;
using ModelBuild.Converter.Graph;
using ModelBuild.Converter.Parity.Inputs;
using ModelBuild.Converter.Parity.Reference;

namespace ModelBuild.Conformance.Tests.Backend;

/// <summary>
/// Backend cases whose stored outputs the ONNX project itself records as wrong. These are judged against ONNX
/// Runtime's outputs for the same inputs instead (the rule is unchanged), and the report lists them with the reason,
/// so a case is neither counted "wrong" for agreeing with ONNX Runtime nor passed silently.
/// </summary>
public static class DisputedExpectations
{
    public static readonly IReadOnlyDictionary<string, string> Reasons = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["node/test_maxunpool_export_with_output_shape"] =
            "the stored output was computed with pads the model does not have (onnx/onnx#2398; upstream MNN's converter says the same); ONNX Runtime places the values at their indices",
    };

    /// <summary>ONNX Runtime's outputs for the data set's inputs, in the stored outputs' order and names.</summary>
    public static IReadOnlyList<(int Index, string Name, TensorData Data)> Expected(string onnxPath, string dir)
    {
        using var reference = new OnnxReference(onnxPath);
        var inputs = TestDataSet.Read(dir, "input").ToDictionary(i => i.Name, i => i.Data, StringComparer.Ordinal);
        var outputs = reference.Run(new ParitySample { Id = Path.GetFileName(dir), Origin = dir, Inputs = inputs });
        return TestDataSet.Read(dir, "output").Select(o => (o.Index, o.Name, outputs[o.Name])).ToList();
    }
}
