using ModelBuild.Tool.Cli;
using ModelBuild.Tool.Tests.Infrastructure;

namespace ModelBuild.Tool.Tests;

/// <summary><c>--verbosity|-v quiet|normal|detailed</c>: progress lines on stderr for long work, never on stdout.</summary>
[TestClass]
public sealed class VerbosityTests
{
    [TestMethod]
    public void Detailed_PrintsPhaseProgressOnStderr_AndJsonStdoutStaysClean()
    {
        var r = CliRun.InProcess("check", RepoPaths.SampleModel, "--inputs", RepoPaths.SampleData, "--isa", "scalar,128", "-v", "detailed", "--json");
        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        StringAssert.Contains(r.Error, "s] ISA matrix...", r.ToString());
        StringAssert.Contains(r.Error, "s] convert...", r.ToString());
        using var _ = System.Text.Json.JsonDocument.Parse(r.Out);
    }

    [TestMethod]
    [DataRow("normal")]
    [DataRow("quiet")]
    public void NotATerminal_NoProgress(string level)
    {
        var r = CliRun.InProcess("check", RepoPaths.SampleModel, "--inputs", RepoPaths.SampleData, "--isa", "scalar", "--verbosity", level);
        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        Assert.DoesNotContain("ISA matrix...", r.Error, r.ToString());
    }

    [TestMethod]
    public void Quiet_DropsWarnings_NormalKeepsThem()
    {
        using var tmp = new TempDir();
        // InstanceNormalization without epsilon: convert warns MB7001 and succeeds
        var onnx = new TinyOnnx().Input("x", 1, 2, 4, 4).Output("y", 1, 2, 4, 4)
            .FloatInitializer("s", [1, 1], 2).FloatInitializer("b", [0, 0], 2)
            .Node("InstanceNormalization", ["x", "s", "b"], ["y"]).Save(tmp.File("m.onnx"));
        var normal = CliRun.InProcess("convert", onnx, "-o", tmp.File("a.mnn"));
        var quiet = CliRun.InProcess("convert", onnx, "-o", tmp.File("b.mnn"), "-v", "quiet");
        Assert.AreEqual(ExitCodes.Success, normal.ExitCode, normal.ToString());
        Assert.Contains("warning MB7001", normal.Error, normal.ToString());
        Assert.AreEqual(ExitCodes.Success, quiet.ExitCode, quiet.ToString());
        Assert.DoesNotContain("warning ", quiet.Error, quiet.ToString());
        Assert.IsTrue(File.Exists(tmp.File("b.mnn")), quiet.ToString());
    }

    [TestMethod]
    public void BadLevel_IsUsage()
    {
        var r = CliRun.InProcess("inspect", RepoPaths.SampleModel, "-v", "loud");
        Assert.AreEqual(ExitCodes.Usage, r.ExitCode, r.ToString());
        Assert.StartsWith("MB5001: ", r.ErrorLine, r.ToString());
    }
}
