using ModelBuild.Converter.Graph;
using ModelBuild.Converter.Onnx;
using ModelBuild.Converter.Parity;
using ModelBuild.Converter.Tests.Infrastructure;

namespace ModelBuild.Converter.Tests.Parity;

/// <summary>
/// <c>check --inputs</c> on a model with symbolic input dims: the given test_data_set fixes the shapes (no
/// --input-shape needed, as for Silero VAD's [?, ?] audio input); an explicit --input-shape still wins.
/// </summary>
[TestClass]
public sealed class SampleShapeTests
{
    private static string Model(TempFolder dir)
    {
        var model = new OnnxModelBuilder(13).Input("audio", DataType.Float, "n", "samples").Node("Tanh", ["audio"], ["y"]).Output("y", DataType.Float).Build();
        var path = dir.File("model.onnx");
        File.WriteAllBytes(path, Google.Protobuf.MessageExtensions.ToByteArray(model));
        return path;
    }

    private static string Sample(TempFolder dir, long samples)
    {
        var set = Path.Combine(dir.Path, "test_data_set_0");
        Directory.CreateDirectory(set);
        TensorProtoCodec.WriteFile(new TensorData(DataType.Float, [1, samples], TestTensors.Random(3, [1L, samples])), "audio", Path.Combine(set, "input_0.pb"));
        return set;
    }

    [TestMethod]
    public void SymbolicDimsComeFromTheGivenSample()
    {
        using var dir = new TempFolder();
        var model = Model(dir);
        var set = Sample(dir, 576);
        var e = AssertCode.Throws(ErrorCodes.InvalidInputShapeOption, () => ParityGate.Run(new ParityOptions { OnnxPath = model, Isas = ["native"] }));
        StringAssert.Contains(e.Message, "cannot be guessed", "without samples the dim is still unknown");
        var r = ParityGate.Run(new ParityOptions { OnnxPath = model, InputPaths = [set], Isas = ["native"] });
        Assert.AreEqual(ParityVerdict.Passed, r.Verdict, r.VerdictText);
        Assert.HasCount(1, r.Samples);
    }
}
