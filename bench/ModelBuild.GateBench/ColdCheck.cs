using System.Diagnostics;

namespace ModelBuild.GateBench;

/// <summary>
/// The gate as a user (or the MSBuild task) runs it: <c>dotnet-model-convert check MODEL --samples N</c> in a fresh
/// process, wall clock from start to exit: .NET start-up, JIT, parsing, conversion, both engines' set-up and runs.
/// </summary>
internal static class ColdCheck
{
    public static (double Ms, int ExitCode, string Timings) Run(string toolDll, string onnxPath, int samples)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { toolDll, "check", onnxPath, "--samples", samples.ToString(System.Globalization.CultureInfo.InvariantCulture), "--timings" })
        {
            info.ArgumentList.Add(a);
        }

        var start = Stopwatch.GetTimestamp();
        using var process = Process.Start(info) ?? throw new InvalidOperationException("cannot start dotnet");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        var ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        var output = stdout.Result;
        if (process.ExitCode != 0)
        {
            Console.Error.WriteLine(output + stderr.Result);
        }

        var table = output[Math.Max(0, output.IndexOf("phase", StringComparison.Ordinal))..];
        return (ms, process.ExitCode, table);
    }
}
