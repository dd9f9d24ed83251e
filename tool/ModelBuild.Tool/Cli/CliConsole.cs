namespace ModelBuild.Tool.Cli;

/// <summary>The two text streams a command writes to (the process console, or buffers in tests).</summary>
public sealed record CliConsole(TextWriter Out, TextWriter Error)
{
    /// <summary>Prints <c>CODE: message</c> on stderr, the one format every diagnostic uses.</summary>
    public void Diagnostic(string code, string message) => Error.WriteLine($"{code}: {message}");

    /// <summary>Prints <c>warning CODE: message</c> on stderr.</summary>
    public void Warning(string code, string message) => Error.WriteLine($"warning {code}: {message}");
}
