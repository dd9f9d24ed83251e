using ModelBuild.Tool.Cli;
using ModelBuild.Converter.Graph;
using ModelBuild.Converter.Onnx;
using ModelBuild.Tool.Tests.Infrastructure;
using OnnxType = ModelBuild.Converter.Onnx.Proto.TensorProto.Types.DataType;

namespace ModelBuild.Tool.Tests;

/// <summary>
/// Input files of the wrong element type are MB4005 naming the file, the input, the expected and the real type
/// (not "got Int32" for int64, uint8 and bool files), the same for <c>run</c> and <c>check --inputs</c>.
/// </summary>
[TestClass]
public sealed class InputTypeTests
{
    /// <summary>y = Relu(x), x float32 [1,4].</summary>
    private static string FloatModel(TempDir tmp) =>
        new TinyOnnx().Input("x", 1, 4).Output("y", 1, 4).Node("Relu", ["x"], ["y"]).Save(tmp.File("relu.onnx"));

    /// <summary>y = ids + ids, ids int64 [1,4].</summary>
    private static string Int64Model(TempDir tmp) =>
        new TinyOnnx().TypedInput("ids", OnnxType.Int64, 1, 4).TypedOutput("y", OnnxType.Int64, 1, 4).Node("Add", ["ids", "ids"], ["y"]).Save(tmp.File("ids.onnx"));

    private static string Tensor(TempDir tmp, string name, DataType type, params long[] dims)
    {
        var count = (int)dims.Aggregate(1L, (a, d) => a * d);
        var data = Converter.Conversion.TensorBridge.IsFloatType(type)
            ? new TensorData(type, dims, Enumerable.Range(0, count).Select(i => (float)i).ToArray())
            : new TensorData(type, dims, Enumerable.Range(0, count).Select(i => (long)(i % 2)).ToArray());
        var path = tmp.File($"{name}-{type}.pb");
        TensorProtoCodec.WriteFile(data, name, path);
        return path;
    }

    private static void AssertTypeError(CliResult r, string file, string expected, string actual, int exit = ExitCodes.Error)
    {
        Assert.AreEqual(exit, r.ExitCode, r.ToString());
        Assert.StartsWith($"MB4005: {file}: ", r.ErrorLine, r.ToString());
        Assert.Contains($"expects {expected}", r.ErrorLine, r.ToString());
        Assert.Contains($"holds {actual}", r.ErrorLine, r.ToString());
        Assert.DoesNotContain("got Int32", r.Error, r.ToString());
    }

    [TestMethod]
    [DataRow(DataType.Int64, "int64")]
    [DataRow(DataType.UInt8, "uint8")]
    [DataRow(DataType.Bool, "bool")]
    [DataRow(DataType.Double, "float64")]
    [DataRow(DataType.Float16, "float16")]
    public void WrongTypeForAFloatInput_IsMB4005InRunAndCheck(DataType type, string shown)
    {
        using var tmp = new TempDir();
        var onnx = FloatModel(tmp);
        var mnn = tmp.File("relu.mnn");
        Assert.AreEqual(0, CliRun.InProcess("convert", onnx, "-o", mnn).ExitCode);
        var file = Tensor(tmp, "x", type, 1, 4);
        AssertTypeError(CliRun.InProcess("run", onnx, "--inputs", file, "--outputs", tmp.Dir("o1")), file, "float32", shown);
        AssertTypeError(CliRun.InProcess("run", mnn, "--inputs", file, "--outputs", tmp.Dir("o2")), file, "float32", shown);
        AssertTypeError(CliRun.InProcess("check", onnx, "--inputs", file), file, "float32", shown);
    }

    [TestMethod]
    public void Int64Input_TakesInt64Files_AndAnMnnTakesAnyIntegerType()
    {
        using var tmp = new TempDir();
        var onnx = Int64Model(tmp);
        var mnn = tmp.File("ids.mnn");
        Assert.AreEqual(0, CliRun.InProcess("convert", onnx, "-o", mnn).ExitCode);
        var int64 = Tensor(tmp, "ids", DataType.Int64, 1, 4);
        var int32 = Tensor(tmp, "ids", DataType.Int32, 1, 4);
        var r = CliRun.InProcess("run", onnx, "--inputs", int64, "--outputs", tmp.Dir("o1"));
        Assert.AreEqual(0, r.ExitCode, r.ToString());
        r = CliRun.InProcess("run", mnn, "--inputs", int64, "--outputs", tmp.Dir("o2"));
        Assert.AreEqual(0, r.ExitCode, r.ToString());
        r = CliRun.InProcess("run", mnn, "--inputs", int32, "--outputs", tmp.Dir("o3"));
        Assert.AreEqual(0, r.ExitCode, r.ToString());

        // the ONNX model declares int64: an int32 file is refused, as ONNX Runtime (and check) refuse it
        AssertTypeError(CliRun.InProcess("run", onnx, "--inputs", int32, "--outputs", tmp.Dir("o4")), int32, "int64", "int32");
        AssertTypeError(CliRun.InProcess("check", onnx, "--inputs", int32), int32, "int64", "int32");
        AssertTypeError(CliRun.InProcess("run", mnn, "--inputs", Tensor(tmp, "ids", DataType.Float, 1, 4), "--outputs", tmp.Dir("o5")), tmp.File("ids-Float.pb"), "an integer or bool type", "float32");
    }

    [TestMethod]
    public void RunOfAnOnnxModel_NamesTheModelFileInRuntimeErrors()
    {
        using var tmp = new TempDir();
        var onnx = FloatModel(tmp);
        var wrongShape = Tensor(tmp, "x", DataType.Float, 1, 5);
        var r = CliRun.InProcess("run", onnx, "--inputs", wrongShape, "--outputs", tmp.Dir("out"));
        Assert.AreEqual(ExitCodes.Error, r.ExitCode, r.ToString());
        Assert.StartsWith($"MB4001: {onnx}: input 'x'", r.ErrorLine, r.ToString());
        Assert.DoesNotContain("<bytes>", r.Error, r.ToString());
    }

    [TestMethod]
    public void InputsMayBeASinglePbFile()
    {
        using var tmp = new TempDir();
        var onnx = FloatModel(tmp);
        var out1 = tmp.Dir("out");
        var r = CliRun.InProcess("run", onnx, "--inputs", Tensor(tmp, "x", DataType.Float, 1, 4), "--outputs", out1);
        Assert.AreEqual(0, r.ExitCode, r.ToString());
        Assert.IsTrue(File.Exists(Path.Combine(out1, "output_0.pb")), r.ToString());
    }

    [TestMethod]
    public void MissingInputsPath_SaysWhatIsExpected()
    {
        using var tmp = new TempDir();
        var r = CliRun.InProcess("run", FloatModel(tmp), "--inputs", tmp.File("nope.pb"), "--outputs", tmp.Dir("out"));
        Assert.AreEqual(ExitCodes.Error, r.ExitCode, r.ToString());
        Assert.StartsWith("MB1201: ", r.ErrorLine, r.ToString());
        Assert.Contains("a folder of input_K.pb files", r.ErrorLine, r.ToString());
        Assert.Contains("or one .pb tensor file", r.ErrorLine, r.ToString());
    }
}
