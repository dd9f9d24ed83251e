using ModelBuild.Converter.Conversion;
using ModelBuild.Converter.Onnx;
using ModelBuild.Converter.Tests.Infrastructure;

namespace ModelBuild.Converter.Tests.Onnx;

/// <summary>Models and tensor files that are FIFOs or devices are refused before they are opened (no hang).</summary>
[TestClass]
public sealed class ModelFileKindTests
{
    [TestMethod]
    [Timeout(10_000)]
    public void FifoModelIsMB1000()
    {
        using var dir = new TempFolder();
        var fifo = SpecialFiles.MakeFifo(dir.File("m.onnx"));
        var e = AssertCode.Throws(ErrorCodes.OnnxFileNotFound, () => OnnxModelLoader.Load(fifo));
        StringAssert.Contains(e.Message, "FIFO");
        AssertCode.Throws(ErrorCodes.OnnxFileNotFound, () => ModelConverter.Convert(fifo));
    }

    [TestMethod]
    [Timeout(10_000)]
    public void LinkToAFifoModelIsMB1000()
    {
        using var dir = new TempFolder();
        SpecialFiles.MakeFifo(dir.File("pipe"));
        File.CreateSymbolicLink(dir.File("m.onnx"), dir.File("pipe"));
        AssertCode.Throws(ErrorCodes.OnnxFileNotFound, () => OnnxModelLoader.Load(dir.File("m.onnx")));
    }

    [TestMethod]
    [Timeout(10_000)]
    public void DeviceModelIsMB1000()
    {
        var e = AssertCode.Throws(ErrorCodes.OnnxFileNotFound, () => OnnxModelLoader.Load("/dev/zero"));
        StringAssert.Contains(e.Message, "character device");
    }

    [TestMethod]
    [Timeout(10_000)]
    public void FifoTensorFileIsMB1201()
    {
        using var dir = new TempFolder();
        var fifo = SpecialFiles.MakeFifo(dir.File("input_0.pb"));
        var e = AssertCode.Throws(ErrorCodes.TensorFileNotFound, () => TensorProtoCodec.ReadTensorFile(fifo));
        StringAssert.Contains(e.Message, "FIFO");
    }
}
