using System.Diagnostics;
using ModelBuild.Build.Tests.Infrastructure;

namespace ModelBuild.Build.Tests;

/// <summary>Ctrl+C during the parity gate: the build ends promptly, the converter dies with it, no half-written file stays.</summary>
[TestClass]
public sealed class CancellationTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [TestCategory("Integration")]
    public void CtrlC_WhileTheGateRuns_EndsTheBuild_KillsTheConverter_LeavesNoPartialFiles()
    {
        if (!ProcessTable.Supported)
        {
            Assert.Inconclusive("needs /proc to see the converter and SIGINT to interrupt the build (Linux)");
        }

        if (SigIntIgnored())
        {
            // A shell without job control starts background jobs with SIGINT ignored, and every child inherits that:
            // no Ctrl+C can reach the build here, so there is nothing to test.
            Assert.Inconclusive("SIGINT is ignored in this process (started in the background without job control); run the tests in the foreground");
        }

        // 400 generated samples keep the (scalar) gate busy for several seconds: time to interrupt it mid-run
        var project = new TestProject("cancel", "<ModelBuildParitySamples>400</ModelBuildParitySamples>");
        var restore = project.Run("restore");
        Assert.AreEqual(0, restore.ExitCode, restore.ToString());

        using var build = BackgroundProcess.StartDotnet(project.Directory, ["build", "--no-restore", .. TestProject.CommonArgs]);
        var gateRunning = build.WaitUntil(() => ProcessTable.Converters(project.Directory, "check").Count > 0, TimeSpan.FromMinutes(3));
        Assert.IsTrue(gateRunning, "the gate never started:" + Environment.NewLine + build.Output);
        Thread.Sleep(1000); // well into its work (sessions open, samples running)
        Assert.AreNotEqual(0, ProcessTable.Converters(project.Directory, "check").Count,
            "the gate finished before it could be interrupted (give it more samples):" + Environment.NewLine + build.Output);

        var clock = Stopwatch.StartNew();
        build.Interrupt();
        var ended = build.WaitForExit(TimeSpan.FromSeconds(30)); // a hang guard, not a timing requirement
        TestContext.WriteLine($"the build ended {clock.Elapsed.TotalSeconds:F2} s after SIGINT");
        Assert.IsTrue(ended, "the build did not end within 30 s of Ctrl+C:" + Environment.NewLine + build.Output);

        var result = build.Result;
        Assert.AreNotEqual(0, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Output, $"ModelBuild: check of '{TestProject.DefaultModel}' canceled", result.ToString());
        var survivors = ProcessTable.Converters(project.Directory);
        Assert.AreEqual(0, survivors.Count, "converter processes outlived the canceled build: " + string.Join("; ", survivors.Select(s => s.CommandLine)));

        // the conversion had finished (its .mnn in obj/ is whole and is kept); the gate left nothing behind
        var leftovers = project.FilesInObjAndBin("*.tmp").Concat(project.FilesInObjAndBin("*.parity.json")).Concat(project.FilesInObjAndBin("*.parity.html"))
            .Concat(project.FilesInObjAndBin("*.check.passed")).Concat(project.FilesInObjAndBin("*.mnn").Where(f => f.StartsWith("bin", StringComparison.Ordinal)))
            .ToList();
        Assert.AreEqual(0, leftovers.Count, "left after the canceled build: " + string.Join(", ", leftovers));

        // the next build finishes the job: no reconversion, the gate runs again (now with few samples) and passes
        var next = project.Build("--no-restore", "-p:ModelBuildParitySamples=2");
        Assert.AreEqual(0, next.ExitCode, next.ToString());
        Assert.AreEqual(0, TestProject.Starts(next, "convert"), next.ToString());
        Assert.AreEqual(1, TestProject.Starts(next, "check"), next.ToString());
        Assert.IsTrue(File.Exists(project.OutputModel), next.ToString());
    }

    /// <summary>Whether SIGINT (signal 2) is in this process's ignored-signal mask (/proc/self/status SigIgn).</summary>
    private static bool SigIntIgnored()
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null && (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & (1UL << 1)) != 0;
    }
}
