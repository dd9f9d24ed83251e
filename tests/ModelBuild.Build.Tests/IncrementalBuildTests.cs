using ModelBuild.Build.Tests.Infrastructure;

namespace ModelBuild.Build.Tests;

/// <summary>A consumer project through the packed ModelBuild package: first build, no-op rebuild, threshold change, clean.</summary>
[TestClass]
public sealed class IncrementalBuildTests
{
    [TestMethod]
    [TestCategory("Integration")]
    public void Build_ConvertsAndCopies_RebuildIsNoOp_ThresholdChangeRerunsOnlyTheGate_CleanRemovesOutputs()
    {
        var project = new TestProject("incremental");

        var first = project.Build();
        Assert.AreEqual(0, first.ExitCode, first.ToString());
        Assert.AreEqual(1, TestProject.Starts(first, "convert"), first.ToString());
        Assert.AreEqual(1, TestProject.Starts(first, "check"), first.ToString());
        Assert.IsTrue(File.Exists(project.OutputModel), $"{project.OutputModel} missing{Environment.NewLine}{first}");
        Assert.IsTrue(File.Exists(Path.Combine(project.Intermediate, "models", "style", "mosaic-mini.parity.json")), "parity report missing");
        var mnn = File.ReadAllBytes(project.OutputModel);
        Assert.IsTrue(mnn.Length > 1000, "the .mnn is suspiciously small");

        var before = project.GeneratedFiles();
        var second = project.Build();
        Assert.AreEqual(0, second.ExitCode, second.ToString());
        Assert.AreEqual(0, TestProject.Starts(second, "convert") + TestProject.Starts(second, "check"), "a no-op build started the converter:" + Environment.NewLine + second);
        CollectionAssert.AreEquivalent(before.ToList(), project.GeneratedFiles().ToList(), "a no-op build rewrote files");

        var threshold = project.Build("-p:ModelBuildParitySamples=2");
        Assert.AreEqual(0, threshold.ExitCode, threshold.ToString());
        Assert.AreEqual(0, TestProject.Starts(threshold, "convert"), "a threshold change must not reconvert:" + Environment.NewLine + threshold);
        Assert.AreEqual(1, TestProject.Starts(threshold, "check"), threshold.ToString());
        CollectionAssert.AreEqual(mnn, File.ReadAllBytes(project.OutputModel));

        // fp16 weight storage reconverts (the convert stamp holds it) and the gate then checks the fp16 file
        var half = project.Build("-p:ModelBuildParitySamples=2", "-p:ModelBuildWeightPrecision=fp16");
        Assert.AreEqual(0, half.ExitCode, half.ToString());
        Assert.AreEqual(1, TestProject.Starts(half, "convert"), half.ToString());
        Assert.AreEqual(1, TestProject.Starts(half, "check"), half.ToString());
        Assert.IsLessThan(mnn.Length * 0.7, (double)new FileInfo(project.OutputModel).Length, "fp16 storage should roughly halve the file");
        StringAssert.Contains(half.Output, $"ModelBuild: {TestProject.DefaultModel}: weights fp16: ", "the saving is shown at normal verbosity");

        // int8 weight storage likewise, judged by the int8 default limits
        var int8 = project.Build("-p:ModelBuildParitySamples=2", "-p:ModelBuildWeightPrecision=int8");
        Assert.AreEqual(0, int8.ExitCode, int8.ToString());
        Assert.AreEqual(1, TestProject.Starts(int8, "convert"), int8.ToString());
        Assert.AreEqual(1, TestProject.Starts(int8, "check"), int8.ToString());
        Assert.IsLessThan(mnn.Length * 0.5, (double)new FileInfo(project.OutputModel).Length, "int8 storage: a quarter of the weights (this small model has a larger share of other data)");
        StringAssert.Contains(int8.Output, $"ModelBuild: {TestProject.DefaultModel}: weights int8: ", int8.ToString());
        using (var report = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(project.Intermediate, "models", "style", "mosaic-mini.parity.json"))))
        {
            var limits = report.RootElement.GetProperty("thresholds");
            Assert.AreEqual(0.25, limits.GetProperty("maxRelativeError").GetDouble(), "the gate gets the int8 default limits");
            Assert.AreEqual(0.98, limits.GetProperty("minCosineSimilarity").GetDouble());
        }

        var bogus = project.Build("-p:ModelBuildWeightPrecision=int4");
        Assert.AreNotEqual(0, bogus.ExitCode, bogus.ToString());
        StringAssert.Contains(bogus.ToString(), "WeightPrecision 'int4' is not one of fp32, fp16, int8, int8-symmetric");

        // the fp16 device emulation is a gate setting: only the check re-runs, and its report has the "on device" column
        var emulated = project.Build("-p:ModelBuildParitySamples=2", "-p:ModelBuildWeightPrecision=int8", "-p:ModelBuildParityEmulate=fp16");
        Assert.AreEqual(0, emulated.ExitCode, emulated.ToString());
        Assert.AreEqual(0, TestProject.Starts(emulated, "convert"), emulated.ToString());
        Assert.AreEqual(1, TestProject.Starts(emulated, "check"), emulated.ToString());
        StringAssert.Contains(File.ReadAllText(Path.Combine(project.Intermediate, "models", "style", "mosaic-mini.parity.json")), "\"mode\": \"fp16\"");
        var badGate = project.Build("-p:ModelBuildParityEmulate=fp16", "-p:ModelBuildParityEmulateGate=Sometimes");
        Assert.AreNotEqual(0, badGate.ExitCode, badGate.ToString());
        StringAssert.Contains(badGate.ToString(), "ParityEmulateGate 'Sometimes' is not one of Warning, Error");

        var clean = project.Clean();
        Assert.AreEqual(0, clean.ExitCode, clean.ToString());
        var left = project.GeneratedFiles().Keys.ToList();
        Assert.AreEqual(0, left.Count, "dotnet clean left: " + string.Join(", ", left));
    }
}
