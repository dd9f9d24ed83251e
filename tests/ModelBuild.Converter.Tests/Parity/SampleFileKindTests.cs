using ModelBuild.Converter.Graph;
using ModelBuild.Converter.Parity;
using ModelBuild.Converter.Parity.Inputs;
using ModelBuild.Converter.Tests.Infrastructure;

namespace ModelBuild.Converter.Tests.Parity;

/// <summary>The parity gate refuses FIFOs as models and samples before opening them (no hang).</summary>
[TestClass]
public sealed class SampleFileKindTests
{
    private static readonly InputSignature Input = new("x", DataType.Float, [1, 4]);

    [TestMethod]
    [Timeout(10_000)]
    [DataRow("s.pb")]
    [DataRow("s.npy")]
    [DataRow("s.png")]
    public void FifoSampleIsMB1201(string name)
    {
        using var dir = new TempFolder();
        var fifo = SpecialFiles.MakeFifo(dir.File(name));
        var e = AssertCode.Throws(ErrorCodes.TensorFileNotFound, () => UserSampleLoader.Load([fifo], [Input], new ImagePreprocessing()));
        StringAssert.Contains(e.Message, "FIFO");
    }

    [TestMethod]
    [Timeout(10_000)]
    public void FifoInsideASampleFolderIsMB1201()
    {
        using var dir = new TempFolder();
        SpecialFiles.MakeFifo(dir.File("input_0.pb"));
        AssertCode.Throws(ErrorCodes.TensorFileNotFound, () => UserSampleLoader.Load([dir.Path], [Input], new ImagePreprocessing()));
    }

    [TestMethod]
    [Timeout(10_000)]
    public void FifoNpyFileIsMB1201()
    {
        using var dir = new TempFolder();
        AssertCode.Throws(ErrorCodes.TensorFileNotFound, () => NpyReader.ReadFile(SpecialFiles.MakeFifo(dir.File("a.npy"))));
    }

    [TestMethod]
    [Timeout(20_000)]
    public void FifoModelsAreRefusedByTheGate()
    {
        using var dir = new TempFolder();
        var onnx = new OnnxModelBuilder(13).Input("x", DataType.Float, 1, 4).Node("Relu", ["x"], ["y"]).Output("y", DataType.Float, 1, 4).Save(dir.File("m.onnx"));
        var fifoOnnx = SpecialFiles.MakeFifo(dir.File("pipe.onnx"));
        var fifoMnn = SpecialFiles.MakeFifo(dir.File("pipe.mnn"));
        AssertCode.Throws(ErrorCodes.OnnxFileNotFound, () => ParityGate.Run(new ParityOptions { OnnxPath = fifoOnnx }));
        var e = AssertCode.Throws(ErrorCodes.MnnFileNotFound, () => ParityGate.Run(new ParityOptions { OnnxPath = onnx, MnnPath = fifoMnn }));
        StringAssert.Contains(e.Message, "FIFO");
    }
}
