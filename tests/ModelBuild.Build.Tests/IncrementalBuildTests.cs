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
        var bogus = project.Build("-p:ModelBuildWeightPrecision=int4");
        Assert.AreNotEqual(0, bogus.ExitCode, bogus.ToString());
        StringAssert.Contains(bogus.ToString(), "WeightPrecision 'int4' is not one of fp32, fp16");

        // the fp16 device emulation is a gate setting: only the check re-runs, and its report has the "on device" column
        var emulated = project.Build("-p:ModelBuildParitySamples=2", "-p:ModelBuildWeightPrecision=fp16", "-p:ModelBuildParityEmulate=fp16");
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
