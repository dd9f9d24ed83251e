using ModelBuild.Converter.Graph;
using ModelBuild.Converter.Onnx;
using ModelBuild.Converter.Onnx.Proto;
using ModelBuild.Converter.Tests.Infrastructure;

namespace ModelBuild.Converter.Tests.Onnx;

[TestClass]
public sealed class ExternalDataTests
{
    private static TensorProto External(string location, long? offset = null, long? length = null, params long[] dims)
    {
        var t = new TensorProto { Name = "w", DataType = (int)DataType.Float, DataLocation = TensorProto.Types.DataLocation.External };
        t.Dims.AddRange(dims.Length == 0 ? [2] : dims);
        t.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = location });
        if (offset is not null)
        {
            t.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = offset.Value.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        }

        if (length is not null)
        {
            t.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = length.Value.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        }

        return t;
    }

    private static void WriteFloats(string path, params float[] values)
    {
        var bytes = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        File.WriteAllBytes(path, bytes);
    }

    [TestMethod]
    public void ReadsDataInsideTheFolderWithOffset()
    {
        using var dir = new TempFolder();
        Directory.CreateDirectory(dir.File("sub"));
        WriteFloats(dir.File("sub/w.bin"), 9f, 1.5f, -2f);
        var data = TensorProtoCodec.ToTensorData(External("sub/w.bin", 4, 8), "m.onnx", dir.Path);
        CollectionAssert.AreEqual(new[] { 1.5f, -2f }, data.Floats);
    }

    [TestMethod]
    public void ImporterResolvesInitializerExternalData()
    {
        using var dir = new TempFolder();
        WriteFloats(dir.File("w.bin"), 3f, 4f);
        var path = new OnnxModelBuilder(13).Input("x", DataType.Float, 2).Initializer(External("w.bin"))
            .Node("Add", ["x", "w"], ["y"]).Output("y").Save(dir.File("m.onnx"));
        var g = OnnxImporter.Load(path);
        CollectionAssert.AreEqual(new[] { 3f, 4f }, g.Values["w"].Constant!.Floats);
    }

    [TestMethod]
    [DataRow("/etc/passwd")]
    [DataRow("\\\\server\\share\\w.bin")]
    [DataRow("C:\\w.bin")]
    [DataRow("C:w.bin")]
    [DataRow("../w.bin")]
    [DataRow("sub/../../w.bin")]
    [DataRow("sub\\..\\w.bin")]
    [DataRow("w.bin:stream")]
    [DataRow("")]
    public void UnsafeLocationsAreMB1004(string location)
    {
        using var dir = new TempFolder();
        WriteFloats(dir.File("w.bin"), 1f, 2f);
        var code = location.Length == 0 ? ErrorCodes.OnnxExternalDataMissing : ErrorCodes.OnnxUnsafeExternalPath;
        AssertCode.Throws(code, () => TensorProtoCodec.ToTensorData(External(location), "m.onnx", dir.Path));
    }

    [TestMethod]
    public void SymlinkLeavingTheFolderIsMB1004()
    {
        using var outside = new TempFolder();
        using var dir = new TempFolder();
        WriteFloats(outside.File("secret.bin"), 1f, 2f);
        try
        {
            File.CreateSymbolicLink(dir.File("w.bin"), outside.File("secret.bin"));
            Directory.CreateSymbolicLink(dir.File("d"), outside.Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Assert.Inconclusive($"cannot create symbolic links here: {e.Message}");
        }

        AssertCode.Throws(ErrorCodes.OnnxUnsafeExternalPath, () => TensorProtoCodec.ToTensorData(External("w.bin"), "m.onnx", dir.Path));
        AssertCode.Throws(ErrorCodes.OnnxUnsafeExternalPath, () => TensorProtoCodec.ToTensorData(External("d/secret.bin"), "m.onnx", dir.Path));
    }

    [TestMethod]
    public void SymlinkStayingInsideIsAccepted()
    {
        using var dir = new TempFolder();
        WriteFloats(dir.File("real.bin"), 5f, 6f);
        try
        {
            File.CreateSymbolicLink(dir.File("w.bin"), dir.File("real.bin"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Assert.Inconclusive($"cannot create symbolic links here: {e.Message}");
        }

        CollectionAssert.AreEqual(new[] { 5f, 6f }, TensorProtoCodec.ToTensorData(External("w.bin"), "m.onnx", dir.Path).Floats);
    }

    [TestMethod]
    [DataRow(-1L, null)]
    [DataRow(null, -8L)]
    [DataRow(100L, null)]
    [DataRow(4L, 8L)]
    [DataRow(0L, 100L)]
    public void BadOffsetOrLengthIsMB1005(long? offset, long? length)
    {
        using var dir = new TempFolder();
        WriteFloats(dir.File("w.bin"), 1f, 2f);
        AssertCode.Throws(ErrorCodes.OnnxExternalDataOutOfRange, () => TensorProtoCodec.ToTensorData(External("w.bin", offset, length), "m.onnx", dir.Path));
    }

    [TestMethod]
    public void MissingFileIsMB1006()
    {
        using var dir = new TempFolder();
        AssertCode.Throws(ErrorCodes.OnnxExternalDataMissing, () => TensorProtoCodec.ToTensorData(External("nope.bin"), "m.onnx", dir.Path));
    }

    [TestMethod]
    public void WrongByteCountIsMB1009()
    {
        using var dir = new TempFolder();
        WriteFloats(dir.File("w.bin"), 1f, 2f, 3f);
        AssertCode.Throws(ErrorCodes.OnnxInvalidTensor, () => TensorProtoCodec.ToTensorData(External("w.bin"), "m.onnx", dir.Path));
    }
}
