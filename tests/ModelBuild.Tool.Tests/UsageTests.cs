using ModelBuild.Tool.Tests.Infrastructure;

namespace ModelBuild.Tool.Tests;

[TestClass]
public sealed class UsageTests
{
    [TestMethod]
    public void Help_ListsTheCommands()
    {
        var r = CliRun.InProcess("--help");
        Assert.AreEqual(0, r.ExitCode, r.ToString());
        foreach (var command in new[] { "convert", "run", "inspect" })
        {
            Assert.Contains(command, r.Out, r.ToString());
        }
    }

    [TestMethod]
    [DataRow("convert")]
    [DataRow("run")]
    [DataRow("inspect")]
    public void CommandHelp_ExitsZero(string command)
    {
        var r = CliRun.InProcess(command, "--help");
        Assert.AreEqual(0, r.ExitCode, r.ToString());
        Assert.Contains("Usage", r.Out, r.ToString());
    }

    [TestMethod]
    public void NoCommand_IsAUsageError()
    {
        var r = CliRun.InProcess();
        Assert.AreEqual(2, r.ExitCode, r.ToString());
        Assert.StartsWith("MB5001: ", r.ErrorLine, r.ToString());
    }

    [TestMethod]
    [DataRow("frobnicate")]
    [DataRow("convert", "--no-such-option", "x.onnx")]
    [DataRow("run", "x.mnn")]
    public void BadCommandLine_IsMB5001WithExitCode2(params string[] args)
    {
        var r = CliRun.InProcess(args);
        Assert.AreEqual(2, r.ExitCode, r.ToString());
        Assert.StartsWith("MB5001: ", r.ErrorLine, r.ToString());
    }

    [TestMethod]
    public void BadIsa_IsAUsageError()
    {
        using var tmp = new TempDir();
        var r = CliRun.InProcess("run", RepoPaths.SampleModel, "--inputs", RepoPaths.SampleData, "--outputs", tmp.Path, "--isa", "avx9");
        Assert.AreEqual(2, r.ExitCode, r.ToString());
        Assert.Contains("MB5001: --isa 'avx9'", r.Error, r.ToString());
    }

    [TestMethod]
    public void RealProcess_HelpAndErrorExitCodes()
    {
        var help = CliRun.Process("--help");
        Assert.AreEqual(0, help.ExitCode, help.ToString());
        Assert.Contains("inspect", help.Out, help.ToString());

        var missing = CliRun.Process("convert", Path.Combine(Path.GetTempPath(), "definitely-missing-" + Guid.NewGuid() + ".onnx"));
        Assert.AreEqual(ModelBuild.Tool.Cli.ExitCodes.Error, missing.ExitCode, missing.ToString());
        Assert.StartsWith("MB1000: ", missing.ErrorLine, missing.ToString());
    }
}

[TestClass]
public sealed class InternalErrorTests
{
    [TestMethod]
    public void NonModelBuildException_IsMB9999WithExitCode3()
    {
        var o = new StringWriter();
        var e = new StringWriter();
        var code = ModelBuild.Tool.Cli.CliApp.Run(["explode"], o, e, console =>
        {
            var root = ModelBuild.Tool.Cli.CliApp.BuildRoot(console);
            var explode = new System.CommandLine.Command("explode");
            explode.SetAction(new Func<System.CommandLine.ParseResult, int>(_ => throw new InvalidOperationException("kaboom")));
            root.Subcommands.Add(explode);
            return root;
        });
        Assert.AreEqual(3, code, e.ToString());
        Assert.StartsWith("MB9999: internal error (InvalidOperationException): kaboom", e.ToString());
    }
}
