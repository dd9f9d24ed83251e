using ModelBuild.Converter.Graph;
using ModelBuild.Converter.Onnx;
using ModelBuild.Converter.Onnx.Proto;
using ModelBuild.Converter.Tests.Infrastructure;

namespace ModelBuild.Converter.Tests.Onnx;

/// <summary>
/// External data must be a regular file with a single hard link: a FIFO (size 0 passes the range checks) would
/// block the open forever, and a hard link can give a file outside the model folder a name inside it.
/// </summary>
[TestClass]
public sealed class ExternalDataFileKindTests
{
    private static TensorProto External(string location, int count = 2)
    {
        var t = new TensorProto { Name = "w", DataType = (int)DataType.Float, DataLocation = TensorProto.Types.DataLocation.External };
        t.Dims.Add(count);
        t.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = location });
        return t;
    }

    private static void WriteFloats(string path, params float[] values)
    {
        var bytes = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        File.WriteAllBytes(path, bytes);
    }

    [TestMethod]
    [Timeout(10_000)]
    public void FifoIsMB1004()
    {
        using var dir = new TempFolder();
        SpecialFiles.MakeFifo(dir.File("w.bin"));
        var e = AssertCode.Throws(ErrorCodes.OnnxUnsafeExternalPath, () => TensorProtoCodec.ToTensorData(External("w.bin", 0), "m.onnx", dir.Path));
        StringAssert.Contains(e.Message, "FIFO");
        StringAssert.Contains(e.Message, "'w.bin'");
    }

    [TestMethod]
    [Timeout(10_000)]
    public void LinkInsideTheFolderToAFifoIsMB1004()
    {
        using var dir = new TempFolder();
        SpecialFiles.MakeFifo(dir.File("pipe"));
        File.CreateSymbolicLink(dir.File("w.bin"), dir.File("pipe"));
        var e = AssertCode.Throws(ErrorCodes.OnnxUnsafeExternalPath, () => TensorProtoCodec.ToTensorData(External("w.bin"), "m.onnx", dir.Path));
        StringAssert.Contains(e.Message, "FIFO");
    }

    [TestMethod]
    [Timeout(20_000)]
    public void ImportOfAModelWithFifoExternalDataIsMB1004()
    {
        using var dir = new TempFolder();
        SpecialFiles.MakeFifo(dir.File("w.bin"));
        var path = new OnnxModelBuilder(13).Input("x", DataType.Float, 2).Initializer(External("w.bin"))
            .Node("Add", ["x", "w"], ["y"]).Output("y").Save(dir.File("m.onnx"));
        AssertCode.Throws(ErrorCodes.OnnxUnsafeExternalPath, () => OnnxImporter.Load(path));
    }

    [TestMethod]
    public void HardLinkToAFileOutsideTheFolderIsMB1004()
    {
        using var outside = new TempFolder();
        using var dir = new TempFolder();
        WriteFloats(outside.File("secret.bin"), 1f, 2f);
        SpecialFiles.MakeHardLink(outside.File("secret.bin"), dir.File("w.bin"));
        var e = AssertCode.Throws(ErrorCodes.OnnxUnsafeExternalPath, () => TensorProtoCodec.ToTensorData(External("w.bin"), "m.onnx", dir.Path));
        StringAssert.Contains(e.Message, "2 hard links");
    }

    [TestMethod]
    public void SymlinkToAHardLinkedFileIsMB1004()
    {
        using var dir = new TempFolder();
        WriteFloats(dir.File("real.bin"), 1f, 2f);
        SpecialFiles.MakeHardLink(dir.File("real.bin"), dir.File("twin.bin"));
        File.CreateSymbolicLink(dir.File("w.bin"), dir.File("real.bin"));
        AssertCode.Throws(ErrorCodes.OnnxUnsafeExternalPath, () => TensorProtoCodec.ToTensorData(External("w.bin"), "m.onnx", dir.Path));
    }

    [TestMethod]
    public void SingleLinkRegularFileIsRead()
    {
        using var dir = new TempFolder();
        WriteFloats(dir.File("w.bin"), 7f, 8f);
        CollectionAssert.AreEqual(new[] { 7f, 8f }, TensorProtoCodec.ToTensorData(External("w.bin"), "m.onnx", dir.Path).Floats);
    }
}
