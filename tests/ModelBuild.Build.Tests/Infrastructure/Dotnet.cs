using System.Diagnostics;

namespace ModelBuild.Build.Tests.Infrastructure;

/// <summary>Output of one finished process.</summary>
public sealed record ProcessResult(string CommandLine, int ExitCode, string Output)
{
    public override string ToString() => $"$ {CommandLine}{Environment.NewLine}exit {ExitCode}{Environment.NewLine}{Output}";
}

/// <summary>Runs the dotnet CLI (or any program) as a child process with a clean, isolated MSBuild/NuGet environment.</summary>
public static class Dotnet
{
    /// <summary>The host running these tests, so child builds use the same SDK.</summary>
    public static string HostPath => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } p && File.Exists(p)
        ? p
        : Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";

    public static ProcessResult Run(string workingDirectory, params string[] args) => RunProgram(HostPath, workingDirectory, args);

    public static ProcessResult RunProgram(string program, string workingDirectory, params string[] args)
    {
        using var process = BackgroundProcess.Start(StartInfo(program, workingDirectory, args));
        process.WaitForExit(Timeout.InfiniteTimeSpan);
        return process.Result;
    }

    /// <summary>Start info of <paramref name="program"/> with redirected output and the isolated environment.</summary>
    public static ProcessStartInfo StartInfo(string program, string workingDirectory, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        info.Environment["MSBUILDDISABLENODEREUSE"] = "1"; // no MSBuild node outlives a test
        info.Environment["NUGET_PACKAGES"] = BuildEnvironment.PackagesFolder;
        // the test runner's own MSBuild/MTP variables must not leak into the child builds
        foreach (var name in new[] { "MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "MSBuildSDKsPath", "TESTINGPLATFORM_UI_LANGUAGE" })
        {
            info.Environment.Remove(name);
        }

        return info;
    }
}
