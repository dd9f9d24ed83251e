using Google.Protobuf;
using ModelBuild.Converter.Graph;
using ModelBuild.Converter.Onnx;
using ModelBuild.Converter.Onnx.Proto;
using ModelBuild.Converter.Tests.Infrastructure;

namespace ModelBuild.Converter.Tests.Onnx;

[TestClass]
public sealed class TensorProtoCodecTests
{
    [TestMethod]
    [DataRow(DataType.Float)]
    [DataRow(DataType.Double)]
    [DataRow(DataType.Float16)]
    [DataRow(DataType.BFloat16)]
    public void FloatTypesRoundTrip(DataType type)
    {
        var values = new[] { 0f, 1f, -2.5f, 0.125f, 1024f, float.PositiveInfinity };
        var data = new TensorData(type, [2, 3], values);
        var back = TensorProtoCodec.ToTensorData(TensorProtoCodec.FromTensorData(data, "t"), "test");
        Assert.AreEqual(type, back.Type);
        CollectionAssert.AreEqual(new long[] { 2, 3 }, back.Shape);
        CollectionAssert.AreEqual(values, back.Floats);
    }

    [TestMethod]
    [DataRow(DataType.Int8, -128L, 127L)]
    [DataRow(DataType.UInt8, 0L, 255L)]
    [DataRow(DataType.Int16, -32768L, 32767L)]
    [DataRow(DataType.UInt16, 0L, 65535L)]
    [DataRow(DataType.Int32, int.MinValue, (long)int.MaxValue)]
    [DataRow(DataType.UInt32, 0L, (long)uint.MaxValue)]
    [DataRow(DataType.Int64, long.MinValue, long.MaxValue)]
    [DataRow(DataType.UInt64, 0L, long.MaxValue)]
    [DataRow(DataType.Bool, 0L, 1L)]
    public void IntegerTypesRoundTrip(DataType type, long lo, long hi)
    {
        var values = new[] { lo, hi, lo, hi };
        var data = new TensorData(type, [4], values);
        var proto = TensorProtoCodec.FromTensorData(data, "t");
        Assert.AreEqual(4 * TensorProtoCodec.ElementSize(type), proto.RawData.Length);
        var back = TensorProtoCodec.ToTensorData(proto, "test");
        Assert.AreEqual(type, back.Type);
        CollectionAssert.AreEqual(values, back.Ints);
    }

    [TestMethod]
    public void TypedFieldsAreRead()
    {
        var f = OnnxModelBuilder.MakeTensor("f", [1f, 2f], 2);
        CollectionAssert.AreEqual(new[] { 1f, 2f }, TensorProtoCodec.ToTensorData(f, "x").Floats);
        var i = OnnxModelBuilder.MakeTensor("i", [5L, -6L], 2);
        CollectionAssert.AreEqual(new[] { 5L, -6L }, TensorProtoCodec.ToTensorData(i, "x").Ints);
        var h = new TensorProto { Name = "h", DataType = (int)DataType.Float16 };
        h.Int32Data.Add(BitConverter.HalfToUInt16Bits((Half)1.5f));
        CollectionAssert.AreEqual(new[] { 1.5f }, TensorProtoCodec.ToTensorData(h, "x").Floats);
        var b = new TensorProto { Name = "b", DataType = (int)DataType.Bool };
        b.Int32Data.AddRange([1, 0, 1]);
        b.Dims.Add(3);
        CollectionAssert.AreEqual(new[] { 1L, 0L, 1L }, TensorProtoCodec.ToTensorData(b, "x").Ints);
        var d = new TensorProto { Name = "d", DataType = (int)DataType.Double };
        d.DoubleData.Add(0.25);
        d.Dims.Add(1);
        CollectionAssert.AreEqual(new[] { 0.25f }, TensorProtoCodec.ToTensorData(d, "x").Floats);
    }

    [TestMethod]
    public void ElementCountMismatchIsMB1009()
    {
        AssertCode.Throws(ErrorCodes.OnnxInvalidTensor, () => TensorProtoCodec.ToTensorData(OnnxModelBuilder.MakeTensor("f", [1f, 2f, 3f], 2, 2), "x"));
        AssertCode.Throws(ErrorCodes.OnnxInvalidTensor, () => TensorProtoCodec.ToTensorData(OnnxModelBuilder.MakeRawTensor("r", DataType.Float, new byte[7], 2), "x"));
        AssertCode.Throws(ErrorCodes.OnnxInvalidTensor, () => TensorProtoCodec.ToTensorData(OnnxModelBuilder.MakeTensor("n", [1f], -1), "x"));
        AssertCode.Throws(ErrorCodes.OnnxInvalidTensor, () => TensorProtoCodec.ToTensorData(OnnxModelBuilder.MakeTensor("o", [1f], long.MaxValue, 4), "x"));
    }

    [TestMethod]
    public void StringsAreMB3004()
    {
        var s = new TensorProto { Name = "s", DataType = (int)DataType.String };
        s.StringData.Add(ByteString.CopyFromUtf8("a"));
        s.Dims.Add(1);
        AssertCode.Throws(ErrorCodes.UnsupportedDataType, () => TensorProtoCodec.ToTensorData(s, "x"));
    }

    [TestMethod]
    public void FilesRoundTripAndErrorsAreCoded()
    {
        using var dir = new TempFolder();
        var path = dir.File("input_0.pb");
        TensorProtoCodec.WriteFile(new TensorData(DataType.Float, [1, 2], [3f, 4f]), "x", path);
        var (name, data) = TensorProtoCodec.ReadTensorFile(path);
        Assert.AreEqual("x", name);
        CollectionAssert.AreEqual(new[] { 3f, 4f }, data.Floats);
        Assert.AreEqual(1, Directory.GetFiles(dir.Path).Length, "no temp file left behind");

        AssertCode.Throws(ErrorCodes.TensorFileNotFound, () => TensorProtoCodec.ReadFile(dir.File("missing.pb")));
        File.WriteAllBytes(dir.File("bad.pb"), [0x0A, 0xFF, 0xFF, 0xFF, 0x0F]);
        AssertCode.Throws(ErrorCodes.TensorFileMalformed, () => TensorProtoCodec.ReadFile(dir.File("bad.pb")));
    }
}
