using ModelBuild.Tool.Cli;
using ModelBuild.Tool.Tests.Infrastructure;

namespace ModelBuild.Tool.Tests;

/// <summary>A failed check's first error line names the first diverging node and the report (a build shows only that line by default).</summary>
[TestClass]
public sealed class FirstErrorLineTests
{
    [TestMethod]
    public void FirstParityError_CarriesDivergingNodeAndReport_LaterOnesDoNot()
    {
        using var tmp = new TempDir();
        var report = tmp.File("gate");
        var r = CliRun.InProcess("check", RepoPaths.SampleModel, "--inputs", RepoPaths.SampleData, "--isa", "scalar", "--max-relative-error", "0", "--report", report);
        Assert.AreEqual(ExitCodes.ParityFailed, r.ExitCode, r.ToString());
        var errors = r.Error.Split('\n').Where(l => l.StartsWith("MB2", StringComparison.Ordinal)).ToList();
        Assert.IsNotEmpty(errors, r.ToString());
        StringAssert.Contains(errors[0], "; first diverging node: Conv '", r.ToString());
        StringAssert.Contains(errors[0], $"; report: {report}.html", r.ToString());
        Assert.IsTrue(File.Exists(report + ".html"), r.ToString());
        Assert.IsTrue(errors.Skip(1).All(l => !l.Contains("report: ", StringComparison.Ordinal)), r.ToString());
    }

    [TestMethod]
    public void WithoutReportOrLocalization_TheLineIsUnchanged()
    {
        var r = CliRun.InProcess("check", RepoPaths.SampleModel, "--inputs", RepoPaths.SampleData, "--isa", "scalar", "--max-relative-error", "0", "--no-localize");
        Assert.AreEqual(ExitCodes.ParityFailed, r.ExitCode, r.ToString());
        Assert.DoesNotContain("first diverging node", r.Error, r.ToString());
        Assert.DoesNotContain("report: ", r.Error, r.ToString());
    }
}
