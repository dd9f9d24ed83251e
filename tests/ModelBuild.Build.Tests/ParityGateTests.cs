using ModelBuild.Build.Tests.Infrastructure;

namespace ModelBuild.Build.Tests;

/// <summary>The gate's verdict as build errors and warnings, located at the .onnx item.</summary>
[TestClass]
public sealed class ParityGateTests
{
    private const string ModelItem = "models/style/mosaic-mini.onnx";

    [TestMethod]
    [TestCategory("Integration")]
    public void ImpossibleThreshold_FailsTheBuildAtTheModel_WarningModePasses_WithParallelBuild()
    {
        // the sample is close to ONNX Runtime but not bit-exact, so a zero relative error cannot pass
        var project = new TestProject("gate", "<ModelBuildMaxRelativeError>0</ModelBuildMaxRelativeError>");

        var failed = project.Build("-m");
        Assert.AreNotEqual(0, failed.ExitCode, failed.ToString());
        StringAssert.Contains(failed.Output, $"{ModelItem} : error MB2001:", failed.ToString());
        Assert.IsFalse(File.Exists(project.OutputModel), "a model that failed the gate must not reach bin/");

        // the first error line alone says where to look: the first diverging node and the HTML report
        var firstError = failed.Output.Split('\n').First(l => l.Contains(": error MB2001:", StringComparison.Ordinal));
        StringAssert.Contains(firstError, "first diverging node: ", failed.ToString());
        var report = System.Text.RegularExpressions.Regex.Match(firstError, @"report: (\S+\.parity\.html)");
        Assert.IsTrue(report.Success, firstError);
        Assert.IsTrue(File.Exists(report.Groups[1].Value), firstError);

        // the failure is not remembered as a pass: the next build runs the gate again and fails again
        var again = project.Build("-m");
        Assert.AreNotEqual(0, again.ExitCode, again.ToString());
        Assert.AreEqual(0, TestProject.Starts(again, "convert"), again.ToString());
        Assert.AreEqual(1, TestProject.Starts(again, "check"), again.ToString());

        var warned = project.Build("-m", "-p:ModelBuildParityGate=Warning");
        Assert.AreEqual(0, warned.ExitCode, warned.ToString());
        StringAssert.Contains(warned.Output, $"{ModelItem} : warning MB2001:", warned.ToString());
        Assert.IsFalse(warned.Output.Contains(": error MB", StringComparison.Ordinal), warned.ToString());
        Assert.IsTrue(File.Exists(project.OutputModel), warned.ToString());
    }
}
