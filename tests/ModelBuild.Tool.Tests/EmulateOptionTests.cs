using System.Text.Json;
using ModelBuild.Tool.Cli;
using ModelBuild.Tool.Tests.Infrastructure;

namespace ModelBuild.Tool.Tests;

/// <summary>check --emulate fp16 end to end: the "on device" column in the console and in --json, its own limits, bad values.</summary>
[TestClass]
public sealed class EmulateOptionTests
{
    [TestMethod]
    public void EmulatedColumnInConsoleAndJson()
    {
        var console = CliRun.InProcess("check", RepoPaths.SampleModel, "--inputs", RepoPaths.SampleData, "--isa", "scalar", "--emulate", "fp16");
        Assert.AreEqual(ExitCodes.Success, console.ExitCode, console.ToString());
        Assert.Contains("on device", console.Out, console.ToString());

        var json = CliRun.InProcess("check", RepoPaths.SampleModel, "--inputs", RepoPaths.SampleData, "--isa", "scalar", "--emulate", "fp16", "--json");
        Assert.AreEqual(ExitCodes.Success, json.ExitCode, json.ToString());
        using var doc = JsonDocument.Parse(json.Out);
        var e = doc.RootElement.GetProperty("emulation");
        Assert.AreEqual("fp16", e.GetProperty("mode").GetString());
        Assert.IsTrue(e.GetProperty("maxRelVsReference").GetDouble() > 0, "the emulation changes the numbers");
        Assert.IsTrue(e.GetProperty("outputs").GetArrayLength() > 0);
    }

    [TestMethod]
    public void OverItsOwnLimit_WarnsByDefault_FailsWhenAsked()
    {
        var warn = CliRun.InProcess("check", RepoPaths.SampleModel, "--inputs", RepoPaths.SampleData, "--isa", "scalar", "--emulate", "fp16", "--emulate-max-relative-error", "0");
        Assert.AreEqual(ExitCodes.Success, warn.ExitCode, warn.ToString());
        Assert.Contains("warning MB7010", warn.Error, warn.ToString());

        var fail = CliRun.InProcess("check", RepoPaths.SampleModel, "--inputs", RepoPaths.SampleData, "--isa", "scalar", "--emulate", "fp16", "--emulate-max-relative-error", "0", "--emulate-fail");
        Assert.AreEqual(ExitCodes.ParityFailed, fail.ExitCode, fail.ToString());
        Assert.Contains("MB2010", fail.Error, fail.ToString());
    }

    [TestMethod]
    public void BadEmulationValueIsUsage()
    {
        var r = CliRun.InProcess("check", RepoPaths.SampleModel, "--inputs", RepoPaths.SampleData, "--emulate", "int3");
        Assert.AreEqual(ExitCodes.Usage, r.ExitCode, r.ToString());
        Assert.StartsWith("MB5001: ", r.ErrorLine, r.ToString());
    }
}
