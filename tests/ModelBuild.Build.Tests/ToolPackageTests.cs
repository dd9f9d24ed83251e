using ModelBuild.Build.Tests.Infrastructure;

namespace ModelBuild.Build.Tests;

/// <summary>The ModelBuild.Tool package installs as a .NET tool and its commands work on the sample model.</summary>
[TestClass]
public sealed class ToolPackageTests
{
    private static readonly Lazy<(string Exe, ProcessResult Install)> Installed = new(Install);

    private static string SampleInputs => Path.Combine(BuildEnvironment.RepoRoot, "samples", "models", "mosaic-mini", "test_data_set_0");

    [TestMethod]
    [TestCategory("Integration")]
    public void ToolPackage_InstallsToToolPath_AndPrintsHelp()
    {
        var help = Dotnet.RunProgram(Tool(), BuildEnvironment.Root, "--help");
        Assert.AreEqual(0, help.ExitCode, help.ToString());
        foreach (var command in new[] { "convert", "run", "inspect", "check" })
        {
            StringAssert.Contains(help.Output, command, help.ToString());
        }
    }

    [TestMethod]
    [TestCategory("Integration")]
    public void InstalledTool_ConvertsInspectsRunsAndChecksTheSampleModel()
    {
        var exe = Tool();
        var work = Path.Combine(BuildEnvironment.Root, "tool-commands");
        Directory.CreateDirectory(work);
        var mnn = Path.Combine(work, "mosaic-mini.mnn");

        var convert = Dotnet.RunProgram(exe, work, "convert", BuildEnvironment.SampleModel, "-o", mnn);
        Assert.AreEqual(0, convert.ExitCode, convert.ToString());
        Assert.IsTrue(File.Exists(mnn) && new FileInfo(mnn).Length > 1000, convert.ToString());

        var inspect = Dotnet.RunProgram(exe, work, "inspect", mnn);
        Assert.AreEqual(0, inspect.ExitCode, inspect.ToString());
        StringAssert.Contains(inspect.Output, "MNN", inspect.ToString());
        StringAssert.Contains(inspect.Output, "[1,3,64,64]", "the sample's input shape:" + Environment.NewLine + inspect);

        var outputs = Path.Combine(work, "outputs");
        var run = Dotnet.RunProgram(exe, work, "run", mnn, "--inputs", SampleInputs, "--outputs", outputs);
        Assert.AreEqual(0, run.ExitCode, run.ToString());
        var output = Path.Combine(outputs, "output_0.pb");
        Assert.IsTrue(File.Exists(output), run.ToString());
        // a float32 [1,3,64,64] tensor holds 3*64*64*4 bytes of data
        Assert.IsTrue(new FileInfo(output).Length >= 3 * 64 * 64 * 4, $"{output} is too small for [1,3,64,64]{Environment.NewLine}{run}");

        // the recorded sample's expected output and ONNX Runtime both agree with the installed tool's runtime
        var check = Dotnet.RunProgram(exe, work, "check", BuildEnvironment.SampleModel, "--mnn", mnn, "--inputs", SampleInputs, "--isa", "scalar");
        Assert.AreEqual(0, check.ExitCode, check.ToString());
        StringAssert.Contains(check.Output, "PASSED", check.ToString());

        // and the gate fails (exit 1, coded error) when the limit cannot be met
        var strict = Dotnet.RunProgram(exe, work, "check", BuildEnvironment.SampleModel, "--mnn", mnn, "--inputs", SampleInputs, "--isa", "scalar", "--max-rel-error", "0");
        Assert.AreEqual(1, strict.ExitCode, strict.ToString());
        StringAssert.Contains(strict.Output, "MB2001", strict.ToString());
    }

    /// <summary>
    /// The cross-ISA matrix from an installed tool, in a folder outside any repository: the arm64 column needs a
    /// linux-arm64 build of the CLI, which the installed tool makes from its own assemblies on first use.
    /// </summary>
    [TestMethod]
    [TestCategory("Integration")]
    public void InstalledTool_ChecksEveryIsaLevelAndArm64OutsideTheRepository()
    {
        if (!File.Exists("/usr/bin/qemu-aarch64-static") || !File.Exists("/usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1"))
        {
            Assert.Inconclusive("qemu-aarch64-static and the arm64 C library (apt-get install qemu-user-static libc6-arm64-cross libstdc++6-arm64-cross) are needed for the arm64 column");
        }

        var work = Path.Combine(BuildEnvironment.Root, "tool-isa");
        Directory.CreateDirectory(work);
        var model = Path.Combine(work, "model.onnx");
        File.Copy(BuildEnvironment.SampleModel, model, overwrite: true);
        var info = Dotnet.StartInfo(Tool(), work, ["check", model, "--inputs", SampleInputs, "--isa", "all,arm64"]);
        info.Environment["MODELBUILD_CACHE"] = Path.Combine(BuildEnvironment.Root, "cache"); // under the test's nuget.config
        using var process = BackgroundProcess.Start(info);
        process.WaitForExit(Timeout.InfiniteTimeSpan);
        var check = process.Result;
        Assert.AreEqual(0, check.ExitCode, check.ToString());
        StringAssert.Contains(check.Output, "arm64=ok", check.ToString());
        foreach (var level in new[] { "scalar=ok", "128=ok", "256=ok" })
        {
            StringAssert.Contains(check.Output, level, check.ToString());
        }

        Assert.IsTrue(Directory.EnumerateFiles(Path.Combine(BuildEnvironment.Root, "cache", "arm64"), "dotnet-model-convert-arm64", SearchOption.AllDirectories).Any(),
            "the launcher is cached for the next check");
    }

    private static string Tool()
    {
        var (exe, install) = Installed.Value;
        Assert.IsTrue(File.Exists(exe), install.ToString());
        return exe;
    }

    private static (string, ProcessResult) Install()
    {
        var toolPath = Path.Combine(BuildEnvironment.Root, "tools");
        var install = Dotnet.Run(BuildEnvironment.Root, "tool", "install", "--tool-path", toolPath, "--add-source", BuildEnvironment.Feed,
            "--configfile", BuildEnvironment.NuGetConfig, "ModelBuild.Tool", "--version", "0.1.0");
        Assert.AreEqual(0, install.ExitCode, install.ToString());
        return (Path.Combine(toolPath, OperatingSystem.IsWindows() ? "dotnet-model-convert.exe" : "dotnet-model-convert"), install);
    }
}
