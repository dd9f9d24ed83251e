using System.Diagnostics;

namespace ModelBuild.Tasks;

/// <summary>What one converter run printed and how it ended.</summary>
internal sealed class ConverterRun
{
    public int ExitCode { get; set; }

    public bool Canceled { get; set; }

    /// <summary>Set when the process could not be started at all.</summary>
    public string? StartError { get; set; }

    public List<string> StdOut { get; } = [];

    public List<string> StdErr { get; } = [];
}

/// <summary>
/// Runs <c>dotnet dotnet-model-convert.dll ARGS</c> out of process: native ONNX Runtime code never loads into MSBuild,
/// and nothing is locked by a reused MSBuild node. <see cref="Kill"/> ends it (MSBuild's Cancel, Ctrl+C).
/// </summary>
internal sealed class ConverterProcess
{
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
                    // `dotnet app.dll` runs the app inside the host process: killing it ends the converter
                    _process.Kill();
                }
            }
            catch (InvalidOperationException)
            {
                // exited between the check and the kill
            }
        }
    }
}
