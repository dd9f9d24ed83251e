using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace ModelBuild.Build.Tests.Infrastructure;

/// <summary>
/// A dotnet CLI process the test watches while it runs: its output as it arrives, Ctrl+C (SIGINT) delivered to it
/// alone, and a bounded wait for its end. Disposing kills whatever is still running so no test leaves a build behind.
/// </summary>
public sealed partial class BackgroundProcess : IDisposable
{
    private const int SigInt = 2; // same number on Linux and macOS

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly string _commandLine;

    private BackgroundProcess(ProcessStartInfo info)
    {
        _commandLine = $"{info.FileName} {string.Join(' ', info.ArgumentList)}";
        _process = new Process { StartInfo = info };
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static BackgroundProcess Start(ProcessStartInfo info) => new(info);

    public static BackgroundProcess StartDotnet(string workingDirectory, params string[] args) =>
        Start(Dotnet.StartInfo(Dotnet.HostPath, workingDirectory, args));

    /// <summary>Waits until the output contains <paramref name="text"/>; false when the process ended or the time ran out first.</summary>
    public bool WaitForOutput(string text, TimeSpan timeout) => WaitUntil(() => Output.Contains(text, StringComparison.Ordinal), timeout);

    /// <summary>Polls <paramref name="condition"/> while the process runs; false when it ended or the time ran out first.</summary>
    public bool WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (condition())
            {
                return true;
            }

            if (_process.HasExited)
            {
                return condition();
            }

            Thread.Sleep(50);
        }

        return false;
    }

    /// <summary>What Ctrl+C in a terminal sends to the build, delivered to this process only (not its children).</summary>
    public void Interrupt()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            throw new PlatformNotSupportedException("SIGINT is POSIX only");
        }

        if (Kill(_process.Id, SigInt) != 0)
        {
            throw new InvalidOperationException($"kill(SIGINT) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>Waits for the end (the wait for stdout/stderr to drain is part of it); false on timeout.</summary>
    public bool WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            return false;
        }

        _process.WaitForExit();
        return true;
    }

    public int ExitCode => _process.ExitCode;

    public ProcessResult Result => new(_commandLine, _process.HasExited ? _process.ExitCode : -1, Output);

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // ended in the meantime
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
