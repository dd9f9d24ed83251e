using System.Text.Json;
using ModelBuild.Tool.Cli;
using ModelBuild.Tool.Tests.Infrastructure;

namespace ModelBuild.Tool.Tests;

/// <summary><c>run</c> compares with the <c>output_K.pb</c> files beside the inputs; <c>--compare</c> makes a mismatch fail.</summary>
[TestClass]
public sealed class RunCompareTests
{
    [TestMethod]
    public void ExpectedOutputsBesideInputs_AreComparedAutomatically()
    {
        using var tmp = new TempDir();
        var r = CliRun.InProcess("run", RepoPaths.SampleModel, "--inputs", RepoPaths.SampleData, "--outputs", tmp.Dir("out"));
        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        StringAssert.Contains(r.Out, "compare output_0.pb  output  ", r.ToString());
        StringAssert.Contains(r.Out, "compare: 1/1 outputs within limits", r.ToString());
    }

    [TestMethod]
    public void Compare_WrongExpectedOutput_FailsWithMB2001_WithoutItOnlyReports()
    {
        using var tmp = new TempDir();
        var data = tmp.Dir("set");
        File.Copy(Path.Combine(RepoPaths.SampleData, "input_0.pb"), Path.Combine(data, "input_0.pb"));
        TinyOnnx.WriteTensor(Path.Combine(data, "output_0.pb"), "output", Enumerable.Repeat(5f, 3 * 64 * 64).ToArray(), 1, 3, 64, 64);

        var reported = CliRun.InProcess("run", RepoPaths.SampleModel, "--inputs", data, "--outputs", tmp.Dir("a"));
        Assert.AreEqual(ExitCodes.Success, reported.ExitCode, reported.ToString());
        StringAssert.Contains(reported.Out, "compare: 0/1 outputs within limits", reported.ToString());

        var failed = CliRun.InProcess("run", RepoPaths.SampleModel, "--inputs", data, "--outputs", tmp.Dir("b"), "--compare");
        Assert.AreEqual(ExitCodes.ParityFailed, failed.ExitCode, failed.ToString());
        Assert.StartsWith("MB2001: output 'output' differs from ", failed.ErrorLine, failed.ToString());
        StringAssert.Contains(failed.ErrorLine, "relative error", failed.ToString());
    }

    [TestMethod]
    public void Compare_WithoutExpectedFiles_IsMB1201()
    {
        using var tmp = new TempDir();
        var r = CliRun.InProcess("run", RepoPaths.SampleModel, "--inputs", Path.Combine(RepoPaths.SampleData, "input_0.pb"), "--outputs", tmp.Dir("out"), "--compare");
        Assert.AreEqual(ExitCodes.Error, r.ExitCode, r.ToString());
        Assert.StartsWith("MB1201: --compare: ", r.ErrorLine, r.ToString());
    }

    [TestMethod]
    public void Json_CarriesTheComparison()
    {
        using var tmp = new TempDir();
        var r = CliRun.InProcess("run", RepoPaths.SampleModel, "--inputs", RepoPaths.SampleData, "--outputs", tmp.Dir("out"), "--json", "--compare");
        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        using var doc = JsonDocument.Parse(r.Out);
        var row = doc.RootElement.GetProperty("comparison")[0];
        Assert.IsTrue(row.GetProperty("passed").GetBoolean(), r.ToString());
        Assert.AreEqual("output", row.GetProperty("output").GetString());
        Assert.IsLessThan(1e-3, row.GetProperty("relativeError").GetDouble());
    }
}
