using System.Diagnostics;

namespace ModelBuild.Tool.Cli;

/// <summary><c>--verbosity</c>: quiet = results and errors only; normal = plus warnings (and progress on a terminal); detailed = plus progress always.</summary>
public enum Verbosity
{
    Quiet,
    Normal,
    Detailed,
}

/// <summary>The two text streams a command writes to (the process console, or buffers in tests).</summary>
public sealed record CliConsole(TextWriter Out, TextWriter Error)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public Verbosity Verbosity { get; set; } = Verbosity.Normal;

    /// <summary>True when stderr is a terminal someone watches (not redirected to a file, pipe or build log).</summary>
    public bool Interactive { get; init; }

    /// <summary>Prints <c>CODE: message</c> on stderr, the one format every diagnostic uses.</summary>
    public void Diagnostic(string code, string message) => Error.WriteLine($"{code}: {message}");

    /// <summary>Prints <c>warning CODE: message</c> on stderr (not when quiet).</summary>
    public void Warning(string code, string message)
    {
        if (Verbosity != Verbosity.Quiet)
        {
            Error.WriteLine($"warning {code}: {message}");
        }
    }

    /// <summary>
    /// Progress lines (<c>[  1.2s] ISA matrix...</c>) on stderr for long work: always when detailed, on a terminal
    /// when normal, never when quiet; null when off. Stdout stays the result alone (so <c>--json</c> pipes cleanly).
    /// </summary>
    public Action<string>? Progress()
    {
        if (Verbosity == Verbosity.Quiet || (Verbosity == Verbosity.Normal && !Interactive))
        {
            return null;
        }

        var gate = new object();
        return phase =>
        {
            lock (gate)
            {
                Error.WriteLine(FormattableString.Invariant($"[{_clock.Elapsed.TotalSeconds,6:F1}s] {phase}..."));
            }
        };
    }
}
