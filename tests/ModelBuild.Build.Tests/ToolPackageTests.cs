using ModelBuild.Build.Tests.Infrastructure;

namespace ModelBuild.Build.Tests;

/// <summary>The ModelBuild.Tool package installs as a .NET tool and runs.</summary>
[TestClass]
public sealed class ToolPackageTests
{
    [TestMethod]
    [TestCategory("Integration")]
    public void ToolPackage_InstallsToToolPath_AndPrintsHelp()
    {
        var toolPath = Path.Combine(BuildEnvironment.Root, "tools");
        var install = Dotnet.Run(BuildEnvironment.Root, "tool", "install", "--tool-path", toolPath, "--add-source", BuildEnvironment.Feed,
            "--configfile", BuildEnvironment.NuGetConfig, "ModelBuild.Tool", "--version", "0.1.0");
        Assert.AreEqual(0, install.ExitCode, install.ToString());

        var exe = Path.Combine(toolPath, OperatingSystem.IsWindows() ? "dotnet-model-convert.exe" : "dotnet-model-convert");
        Assert.IsTrue(File.Exists(exe), install.ToString());
        var help = Dotnet.RunProgram(exe, BuildEnvironment.Root, "--help");
        Assert.AreEqual(0, help.ExitCode, help.ToString());
        StringAssert.Contains(help.Output, "convert", help.ToString());
        StringAssert.Contains(help.Output, "check", help.ToString());
    }
}
