using System.Diagnostics;
using System.Reflection;

namespace ModelBuild.Tasks;

/// <summary>What one converter run printed and how it ended.</summary>
internal sealed class ConverterRun
{
    public int ExitCode { get; set; }

    public bool Canceled { get; set; }

    /// <summary>Set when the process could not be started at all.</summary>
    public string? StartError { get; set; }

    /// <summary>When the run started and ended, from the start of the task (for the parallelism message).</summary>
    public TimeSpan Started { get; set; }

    public TimeSpan Ended { get; set; }

    public List<string> StdOut { get; } = [];

    public List<string> StdErr { get; } = [];
}

/// <summary>
/// Runs <c>dotnet dotnet-model-convert.dll ARGS</c> out of process: native ONNX Runtime code never loads into MSBuild,
/// and nothing is locked by a reused MSBuild node. <see cref="Kill"/> ends it (MSBuild's Cancel, Ctrl+C).
/// </summary>
internal sealed class ConverterProcess
{
    // Process.Kill(bool entireProcessTree) exists on .NET Core 3.0+ (dotnet build) but not in netstandard2.0 nor on
    // .NET Framework MSBuild (Visual Studio), where only the host process itself can be killed.
    private static readonly MethodInfo? KillTree = typeof(Process).GetMethod("Kill", [typeof(bool)]);

    private readonly object _gate = new();
    private Process? _process;
    private bool _killed;

    public ConverterProcess(string dotnetHost, string converterPath, IReadOnlyList<string> arguments, string workingDirectory)
    {
        DotnetHost = dotnetHost;
        ConverterPath = converterPath;
        Arguments = arguments;
        WorkingDirectory = workingDirectory;
    }

    public string DotnetHost { get; }

    public string ConverterPath { get; }

    public IReadOnlyList<string> Arguments { get; }

    public string WorkingDirectory { get; }

    public string CommandLineText => CommandLine.Join(new[] { DotnetHost, ConverterPath }.Concat(Arguments));

    public ConverterRun Run()
    {
        var run = new ConverterRun();
        var info = new ProcessStartInfo(DotnetHost, CommandLine.Join(new[] { ConverterPath }.Concat(Arguments)))
        {
            UseShellExecute = false,
            CreateNoWindow = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            WorkingDirectory = WorkingDirectory,
        };
        // plain, stable output for parsing: no terminal colours, no first-run banners, English messages
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["NO_COLOR"] = "1";

        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (run.StdOut)
                {
                    run.StdOut.Add(e.Data);
                }
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (run.StdErr)
                {
                    run.StdErr.Add(e.Data);
                }
            }
        };

        lock (_gate)
        {
            if (_killed)
            {
                run.Canceled = true;
                return run;
            }

            try
            {
                process.Start();
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
            {
                run.StartError = e.Message;
                return run;
            }

            _process = process;
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.WaitForExit(); // the parameterless overload also waits for the redirected streams to drain
        lock (_gate)
        {
            _process = null;
            run.Canceled = _killed;
        }

        run.ExitCode = process.ExitCode;
        return run;
    }

    /// <summary>Ends the process if it is running and keeps it from starting later.</summary>
    public void Kill()
    {
        lock (_gate)
        {
            _killed = true;
            try
            {
                if (_process is { HasExited: false })
                {
                    // `dotnet app.dll` runs the app inside the host process; the tree also takes anything it started
                    if (KillTree is not null)
                    {
                        KillTree.Invoke(_process, [true]);
                    }
                    else
                    {
                        _process.Kill();
                    }
                }
            }
            catch (Exception e) when (e is InvalidOperationException or TargetInvocationException or System.ComponentModel.Win32Exception)
            {
                // exited between the check and the kill (or is exiting and can no longer be signalled)
            }
        }
    }
}
