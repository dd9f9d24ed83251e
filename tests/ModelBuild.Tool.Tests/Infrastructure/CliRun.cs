using System.Diagnostics;
using ModelBuild.Tool.Cli;

namespace ModelBuild.Tool.Tests.Infrastructure;

/// <summary>The result of one CLI invocation.</summary>
public sealed record CliResult(int ExitCode, string Out, string Error)
{
    /// <summary>The first stderr line that is not a warning: the error itself (empty when there is none).</summary>
    public string ErrorLine => Error.Split('\n').Select(l => l.TrimEnd('\r')).FirstOrDefault(l => l.Length > 0 && !l.StartsWith("warning ", StringComparison.Ordinal)) ?? "";

    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Out}\n--- stderr ---\n{Error}";
}

/// <summary>Runs the CLI in-process (fast) or as a real child process (exit codes as the shell sees them).</summary>
public static class CliRun
{
    public static CliResult InProcess(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        var code = CliApp.Run(args, o, e);
        return new CliResult(code, o.ToString(), e.ToString());
    }

    public static CliResult Process(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "dotnet-model-convert.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = System.Diagnostics.Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"dotnet-model-convert {string.Join(" ", args)} did not finish within 5 minutes");
        }

        return new CliResult(p.ExitCode, stdout.Result, stderr.Result);
    }
}
