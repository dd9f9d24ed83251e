using ModelBuild.Tool.Cli;
using ModelBuild.Tool.Tests.Infrastructure;

namespace ModelBuild.Tool.Tests;

/// <summary>
/// One exit-code contract for every command (README "Exit codes"): the same MB#### error exits the same way from
/// convert, run, inspect and check; 1 is reserved for a parity verdict of check.
/// </summary>
[TestClass]
public sealed class ExitCodeContractTests
{
    [TestMethod]
    public void TheCodesAreDistinct()
    {
        int[] codes = [ExitCodes.Success, ExitCodes.ParityFailed, ExitCodes.Usage, ExitCodes.Internal, ExitCodes.Error];
        Assert.HasCount(codes.Length, codes.Distinct());
        Assert.AreEqual(0, ExitCodes.Success);
    }

    [TestMethod]
    public void UnsupportedOperator_ExitsTheSameFromEveryCommand()
    {
        using var tmp = new TempDir();
        var onnx = new TinyOnnx().Opset("com.example", 1).Input("x", 1, 4).Output("y", 1, 4)
            .Node("Frobnicate", ["x"], ["y"], domain: "com.example").Save(tmp.File("custom.onnx"));
        TinyOnnx.WriteTensor(Path.Combine(tmp.Dir("in"), "input_0.pb"), "x", [1, 2, 3, 4], 1, 4);
        foreach (var r in new[]
        {
            CliRun.InProcess("convert", onnx, "-o", tmp.File("never.mnn")),
            CliRun.InProcess("run", onnx, "--inputs", tmp.File("in"), "--outputs", tmp.Dir("out")),
            CliRun.InProcess("check", onnx, "--inputs", tmp.File("in")),
        })
        {
            Assert.AreEqual(ExitCodes.Error, r.ExitCode, r.ToString());
            Assert.StartsWith("MB3001: ", r.ErrorLine, r.ToString());
        }
    }

    [TestMethod]
    public void MissingModel_ExitsTheSameFromEveryCommand()
    {
        using var tmp = new TempDir();
        var missing = tmp.File("missing.onnx");
        foreach (var r in new[]
        {
            CliRun.InProcess("convert", missing),
            CliRun.InProcess("inspect", missing),
            CliRun.InProcess("run", missing, "--inputs", RepoPaths.SampleData, "--outputs", tmp.Dir("out")),
            CliRun.InProcess("check", missing),
        })
        {
            Assert.AreEqual(ExitCodes.Error, r.ExitCode, r.ToString());
            Assert.StartsWith("MB1000: ", r.ErrorLine, r.ToString());
        }
    }

    [TestMethod]
    public void BadOptionValue_IsUsageFromEveryCommand()
    {
        using var tmp = new TempDir();
        foreach (var r in new[]
        {
            CliRun.InProcess("convert", RepoPaths.SampleModel, "-o", tmp.File("a.mnn"), "--input-shape", "input=1x3x64x64", "--input-shape", "input=1x3x64x64"),
            CliRun.InProcess("run", RepoPaths.SampleModel, "--inputs", RepoPaths.SampleData, "--outputs", tmp.Dir("out"), "--threads", "-1"),
            CliRun.InProcess("check", RepoPaths.SampleModel, "--inputs", RepoPaths.SampleData, "--max-relative-error", "lots"),
        })
        {
            Assert.AreEqual(ExitCodes.Usage, r.ExitCode, r.ToString());
            Assert.StartsWith("MB5001: ", r.ErrorLine, r.ToString());
        }
    }

    [TestMethod]
    public void ParityVerdict_IsTheOnlyExit1()
    {
        var r = CliRun.InProcess("check", RepoPaths.SampleModel, "--inputs", RepoPaths.SampleData, "--isa", "scalar", "--max-relative-error", "0");
        Assert.AreEqual(ExitCodes.ParityFailed, r.ExitCode, r.ToString());
        Assert.Contains("MB2001", r.Out + r.Error, r.ToString());
    }
}
