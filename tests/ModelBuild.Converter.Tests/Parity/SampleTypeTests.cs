using ModelBuild.Converter.Graph;
using ModelBuild.Converter.Onnx;
using ModelBuild.Converter.Parity.Inputs;
using ModelBuild.Converter.Tests.Infrastructure;

namespace ModelBuild.Converter.Tests.Parity;

/// <summary>
/// <c>check --inputs</c> takes tensor files of exactly the input's ONNX element type, as <c>run</c> and ONNX
/// Runtime do: no silent int64 → float32 or float64 → float32 conversion. MB4005 names the file, input and types.
/// </summary>
[TestClass]
public sealed class SampleTypeTests
{
    private static readonly InputSignature FloatInput = new("x", DataType.Float, [1, 4]);

    private static string Write(TempFolder dir, DataType type)
    {
        var path = dir.File("s.pb");
        var data = Conversion.TensorBridge.IsFloatType(type)
            ? new TensorData(type, [1, 4], [1f, 2f, 3f, 4f])
            : new TensorData(type, [1, 4], [1L, 0L, 1L, 1L]);
        TensorProtoCodec.WriteFile(data, "x", path);
        return path;
    }

    [TestMethod]
    [DataRow(DataType.Int64, "int64")]
    [DataRow(DataType.UInt8, "uint8")]
    [DataRow(DataType.Bool, "bool")]
    [DataRow(DataType.Double, "float64")]
    [DataRow(DataType.Float16, "float16")]
    public void WrongElementTypeIsMB4005(DataType type, string shown)
    {
        using var dir = new TempFolder();
        var path = Write(dir, type);
        var e = AssertCode.Throws(ErrorCodes.RuntimeTypeMismatch, () => UserSampleLoader.Load([path], [FloatInput], new ImagePreprocessing()));
        StringAssert.Contains(e.Message, path);
        StringAssert.Contains(e.Message, "input 'x' expects float32");
        StringAssert.Contains(e.Message, $"holds {shown}");
    }

    [TestMethod]
    public void Int64FileForAnInt64InputLoads()
    {
        using var dir = new TempFolder();
        var path = Write(dir, DataType.Int64);
        var samples = UserSampleLoader.Load([path], [new InputSignature("ids", DataType.Int64, [1, 4])], new ImagePreprocessing());
        Assert.AreEqual(DataType.Int64, samples[0].Inputs["ids"].Type);
    }

    [TestMethod]
    public void Float64NpyIsMB4005()
    {
        using var dir = new TempFolder();
        var path = dir.File("s.npy");
        File.WriteAllBytes(path, NpyReaderTests.Npy("<f8", "(1, 4)", new byte[32]));
        var e = AssertCode.Throws(ErrorCodes.RuntimeTypeMismatch, () => UserSampleLoader.Load([path], [FloatInput], new ImagePreprocessing()));
        StringAssert.Contains(e.Message, "float64");
    }
}
