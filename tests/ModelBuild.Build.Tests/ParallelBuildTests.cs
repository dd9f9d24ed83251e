using System.Globalization;
using System.Text.RegularExpressions;
using ModelBuild.Build.Tests.Infrastructure;

namespace ModelBuild.Build.Tests;

/// <summary>Five models: converted and gated by overlapping converter processes, then published under their relative folders.</summary>
[TestClass]
public sealed partial class ParallelBuildTests
{
    private static readonly string[] Models =
    [
        "models/style/mosaic-mini.onnx",
        "models/style/mosaic-b.onnx",
        "models/style/extra/mosaic-c.onnx",
        "models/detect/mosaic-d.onnx",
        "models/mosaic-e.onnx",
    ];

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [TestCategory("Integration")]
    public void FiveModels_ConvertAndGateInParallel_PublishKeepsTheirFolders()
    {
        var project = new TestProject("five", models: Models);
        // the default limit is the processor count; on a single core ask for two so overlap is still possible
        string[] parallelism = Environment.ProcessorCount < 2 ? ["-p:ModelBuildMaxParallelism=2"] : [];

        var build = project.Build(parallelism);
        Assert.AreEqual(0, build.ExitCode, build.ToString());
        foreach (var verb in new[] { "convert", "check" })
        {
            var runs = Runs(build.Output, verb);
            TestContext.WriteLine($"{verb}: " + string.Join(", ", runs.Select(r => $"{r.Model} {r.Start:F2}-{r.End:F2} s")));
            CollectionAssert.AreEquivalent(Models, runs.Select(r => r.Model).ToList(), build.ToString());
            Assert.IsTrue(Overlap(runs), $"no two {verb} processes ran at the same time:{Environment.NewLine}{build}");
        }

        foreach (var model in Models)
        {
            Assert.IsTrue(File.Exists(project.OutputModelOf(model)), $"{project.OutputModelOf(model)} missing{Environment.NewLine}{build}");
        }

        // Debug, like the build: publishing reuses its conversions and gate results
        var publishDir = Path.Combine(BuildEnvironment.Root, "five-publish"); // outside the project: not globbed by a later build
        var publish = project.Run("publish", ["-c", "Debug", "--no-restore", "-o", publishDir, .. parallelism]);
        Assert.AreEqual(0, publish.ExitCode, publish.ToString());
        Assert.AreEqual(0, TestProject.Starts(publish, "convert") + TestProject.Starts(publish, "check"), "publish re-ran the converter:" + Environment.NewLine + publish);
        foreach (var model in Models)
        {
            var published = Path.Combine(publishDir, TestProject.MnnPath(model));
            Assert.IsTrue(File.Exists(published), $"{published} missing{Environment.NewLine}{publish}");
            CollectionAssert.AreEqual(File.ReadAllBytes(project.OutputModelOf(model)), File.ReadAllBytes(published), published);
        }

        var strays = Directory.EnumerateFiles(publishDir, "*.mnn", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(publishDir, f)).ToList();
        Assert.AreEqual(Models.Length, strays.Count, "unexpected .mnn files in publish/: " + string.Join(", ", strays));
    }

    /// <summary>The task's "VERB 'MODEL' ran from A s to B s" lines (seconds since the task started).</summary>
    private static List<(string Model, double Start, double End)> Runs(string output, string verb) =>
        RunLine().Matches(output).Where(m => m.Groups["verb"].Value == verb)
            .Select(m => (m.Groups["model"].Value,
                double.Parse(m.Groups["start"].Value, CultureInfo.InvariantCulture),
                double.Parse(m.Groups["end"].Value, CultureInfo.InvariantCulture)))
            .ToList();

    private static bool Overlap(List<(string Model, double Start, double End)> runs) =>
        runs.Any(a => runs.Any(b => a.Model != b.Model && a.Start < b.End && b.Start < a.End));

    [GeneratedRegex(@"ModelBuild: (?<verb>convert|check) '(?<model>[^']+)' ran from (?<start>[0-9.]+) s to (?<end>[0-9.]+) s")]
    private static partial Regex RunLine();
}
