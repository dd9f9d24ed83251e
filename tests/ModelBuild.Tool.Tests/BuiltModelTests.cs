using ModelBuild.Tool.Cli;
using ModelBuild.Converter.Onnx;
using ModelBuild.Tool.Tests.Infrastructure;

namespace ModelBuild.Tool.Tests;

/// <summary>CLI behaviour on small models built in the test: symbolic dims, input matching by name, warnings.</summary>
[TestClass]
public sealed class BuiltModelTests
{
    /// <summary>y = Relu(a) - b with a symbolic batch dim "N".</summary>
    private static string BuildSubModel(TempDir tmp) => new TinyOnnx()
        .Input("a", "N", 3)
        .Input("b", "N", 3)
        .Output("y", "N", 3)
        .Node("Relu", ["a"], ["r"])
        .Node("Sub", ["r", "b"], ["y"])
        .Save(tmp.File("sub.onnx"));

    [TestMethod]
    public void Inspect_ShowsSymbolicDims()
    {
        using var tmp = new TempDir();
        var r = CliRun.InProcess("inspect", BuildSubModel(tmp));
        Assert.AreEqual(0, r.ExitCode, r.ToString());
        Assert.MatchesRegex(@"a\s+float32\s+\[N,3\]", r.Out, r.ToString());
        Assert.MatchesRegex(@"y\s+float32\s+\[N,3\]", r.Out, r.ToString());
    }

    [TestMethod]
    public void Run_MatchesInputsByTensorName_ThenByPosition()
    {
        using var tmp = new TempDir();
        var onnx = BuildSubModel(tmp);
        var mnn = tmp.File("sub.mnn");
        Assert.AreEqual(0, CliRun.InProcess("convert", onnx, "-o", mnn).ExitCode);

        // input_0.pb carries "b" and input_1.pb carries "a": names win over positions.
        var named = tmp.Dir("named");
        TinyOnnx.WriteTensor(Path.Combine(named, "input_0.pb"), "b", [1, 1, 1, 1, 1, 1], 2, 3);
        TinyOnnx.WriteTensor(Path.Combine(named, "input_1.pb"), "a", [-1, 2, 3, 4, -5, 6], 2, 3);
        var r = CliRun.InProcess("run", mnn, "--inputs", named, "--outputs", tmp.Dir("out1"));
        Assert.AreEqual(0, r.ExitCode, r.ToString());
        CollectionAssert.AreEqual(new[] { -1f, 1, 2, 3, -1, 5 }, ReadFloats(Path.Combine(tmp.Path, "out1", "output_0.pb"), "y"));

        // Unnamed tensors go by position: input_0 → a, input_1 → b.
        var unnamed = tmp.Dir("unnamed");
        TinyOnnx.WriteTensor(Path.Combine(unnamed, "input_0.pb"), "", [-1, 2, 3, 4, -5, 6], 2, 3);
        TinyOnnx.WriteTensor(Path.Combine(unnamed, "input_1.pb"), "", [1, 1, 1, 1, 1, 1], 2, 3);
        r = CliRun.InProcess("run", onnx, "--inputs", unnamed, "--outputs", tmp.Dir("out2"));
        Assert.AreEqual(0, r.ExitCode, r.ToString());
        CollectionAssert.AreEqual(new[] { -1f, 1, 2, 3, -1, 5 }, ReadFloats(Path.Combine(tmp.Path, "out2", "output_0.pb"), "y"));
    }

    [TestMethod]
    public void Run_ExtraInputFile_IsMB4003()
    {
        using var tmp = new TempDir();
        var onnx = BuildSubModel(tmp);
        var dir = tmp.Dir("in");
        for (var k = 0; k < 3; k++)
        {
            TinyOnnx.WriteTensor(Path.Combine(dir, $"input_{k}.pb"), "", [1, 2, 3], 1, 3);
        }

        var r = CliRun.InProcess("run", onnx, "--inputs", dir, "--outputs", tmp.Dir("out"));
        Assert.AreEqual(ExitCodes.Error, r.ExitCode, r.ToString());
        Assert.StartsWith("MB4003: ", r.ErrorLine, r.ToString());
    }

    [TestMethod]
    public void Run_WrongShapeForFixedInput_IsAnMB4xxxError()
    {
        using var tmp = new TempDir();
        var dir = tmp.Dir("in");
        TinyOnnx.WriteTensor(Path.Combine(dir, "input_0.pb"), "input", new float[3 * 8 * 8], 1, 3, 8, 8);
        var r = CliRun.InProcess("run", RepoPaths.SampleModel, "--inputs", dir, "--outputs", tmp.Dir("out"));
        Assert.AreEqual(ExitCodes.Error, r.ExitCode, r.ToString());
        Assert.MatchesRegex(@"^MB4\d\d\d: ", r.ErrorLine, r.ToString());
    }

    [TestMethod]
    public void Convert_MissingEpsilon_PrintsWarningMB7001()
    {
        using var tmp = new TempDir();
        var onnx = new TinyOnnx()
            .Input("x", 1, 2, 4, 4)
            .Output("y", 1, 2, 4, 4)
            .FloatInitializer("s", [1, 1], 2)
            .FloatInitializer("b", [0, 0], 2)
            .Node("InstanceNormalization", ["x", "s", "b"], ["y"])
            .Save(tmp.File("in.onnx"));
        var r = CliRun.InProcess("convert", onnx);
        Assert.AreEqual(0, r.ExitCode, r.ToString());
        Assert.MatchesRegex(@"(?m)^warning MB7001: .*epsilon", r.Error, r.ToString());
    }

    [TestMethod]
    public void Convert_InputShapeOption_FixesASymbolicDim()
    {
        using var tmp = new TempDir();
        var onnx = BuildSubModel(tmp);
        var mnn = tmp.File("fixed.mnn");
        var r = CliRun.InProcess("convert", onnx, "-o", mnn, "--input-shape", "a=4x3", "--input-shape", "b=4x3");
        Assert.AreEqual(0, r.ExitCode, r.ToString());
        var inspect = CliRun.InProcess("inspect", mnn);
        Assert.MatchesRegex(@"a\s+float32\s+\[4,3\]", inspect.Out, inspect.ToString());
    }

    private static float[] ReadFloats(string path, string expectedName)
    {
        var (name, data) = TensorProtoCodec.ReadTensorFile(path);
        Assert.AreEqual(expectedName, name);
        return data.Floats!;
    }
}
