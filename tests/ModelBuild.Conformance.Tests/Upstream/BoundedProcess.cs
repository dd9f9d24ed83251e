using System.Diagnostics;

namespace ModelBuild.Conformance.Tests.Upstream;

/// <summary>Runs an upstream tool with its output captured and a time limit (the whole process tree is killed past it).</summary>
public static class BoundedProcess
{
    /// <summary>The exit code (null when it did not finish in time) and stdout + "\n" + stderr.</summary>
    public static (int? ExitCode, string Log) Run(ProcessStartInfo start, TimeSpan timeout)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return (null, "");
        }

        return (process.ExitCode, stdout.Result + "\n" + stderr.Result);
    }
}
