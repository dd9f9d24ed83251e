using ModelBuild.Tool.Cli;
using ModelBuild.Tool.Tests.Infrastructure;

namespace ModelBuild.Tool.Tests;

/// <summary>User errors end with exit code 1 and one <c>MB####: message</c> line naming the problem.</summary>
[TestClass]
public sealed class ErrorTests
{
    [TestMethod]
    public void MissingOnnxFile_IsMB1000()
    {
        using var tmp = new TempDir();
        var r = CliRun.InProcess("convert", tmp.File("missing.onnx"));
        AssertError(r, "MB1000");
        Assert.Contains("missing.onnx", r.Error);
    }

    [TestMethod]
    public void MissingMnnFile_IsMB1100()
    {
        using var tmp = new TempDir();
        AssertError(CliRun.InProcess("inspect", tmp.File("missing.mnn")), "MB1100");
        AssertError(CliRun.InProcess("run", tmp.File("missing.mnn"), "--inputs", tmp.Path, "--outputs", tmp.Path), "MB1100");
    }

    [TestMethod]
    [DataRow("convert")]
    [DataRow("inspect")]
    public void GarbageOnnxFile_IsAnMB1xxxError(string command)
    {
        using var tmp = new TempDir();
        var path = tmp.File("garbage.onnx");
        File.WriteAllText(path, "this is not a protobuf model \u0001\u0002\u00ff");
        var r = CliRun.InProcess(command, path);
        Assert.AreEqual(ExitCodes.Error, r.ExitCode, r.ToString());
        Assert.MatchesRegex(@"^MB10\d\d: ", r.ErrorLine, r.ToString());
    }

    [TestMethod]
    public void GarbageMnnFile_IsMB1101()
    {
        using var tmp = new TempDir();
        var path = tmp.File("garbage.mnn");
        File.WriteAllBytes(path, Enumerable.Range(0, 256).Select(i => (byte)(i * 37)).ToArray());
        AssertError(CliRun.InProcess("inspect", path), "MB1101");
    }

    [TestMethod]
    public void UnsupportedOperator_IsMB3001()
    {
        using var tmp = new TempDir();
        var path = new TinyOnnx()
            .Opset("com.example", 1)
            .Input("x", 1, 4)
            .Output("y", 1, 4)
            .Node("Frobnicate", ["x"], ["y"], domain: "com.example")
            .Save(tmp.File("custom.onnx"));
        var r = CliRun.InProcess("convert", path);
        AssertError(r, "MB3001");
        Assert.Contains("Frobnicate", r.Error, r.ToString());
        Assert.IsFalse(File.Exists(tmp.File("custom.mnn")), "no output file is written when conversion fails");
    }

    [TestMethod]
    public void BadInputShapeOption_IsMB1012()
    {
        var r = CliRun.InProcess("convert", RepoPaths.SampleModel, "-o", Path.Combine(Path.GetTempPath(), "never-written.mnn"), "--input-shape", "input=1xAx64");
        AssertError(r, "MB1012");
    }

    [TestMethod]
    public void RunWithMissingInputFiles_IsMB4002()
    {
        using var tmp = new TempDir();
        var r = CliRun.InProcess("run", RepoPaths.SampleModel, "--inputs", tmp.Dir("empty"), "--outputs", tmp.Dir("out"));
        AssertError(r, "MB4002");
    }

    [TestMethod]
    public void RunWithMissingInputFolder_IsMB1201()
    {
        using var tmp = new TempDir();
        var r = CliRun.InProcess("run", RepoPaths.SampleModel, "--inputs", tmp.File("nope"), "--outputs", tmp.Dir("out"));
        AssertError(r, "MB1201");
    }

    [TestMethod]
    public void RunWithGarbageInputFile_IsMB1200()
    {
        using var tmp = new TempDir();
        var inputs = tmp.Dir("in");
        File.WriteAllBytes(Path.Combine(inputs, "input_0.pb"), [0xFF, 0xFF, 0xFF, 0xFF, 0x0F]);
        var r = CliRun.InProcess("run", RepoPaths.SampleModel, "--inputs", inputs, "--outputs", tmp.Dir("out"));
        AssertError(r, "MB1200");
    }

    private static void AssertError(CliResult r, string code)
    {
        Assert.AreEqual(ExitCodes.Error, r.ExitCode, r.ToString());
        Assert.StartsWith($"{code}: ", r.ErrorLine, r.ToString());
        Assert.DoesNotContain("MB9999", r.Error, r.ToString());
    }
}
