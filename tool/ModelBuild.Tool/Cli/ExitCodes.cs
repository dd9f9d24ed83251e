namespace ModelBuild.Tool.Cli;

/// <summary>
/// Process exit codes, one contract for every command (README "Exit codes"). A code says what kind of failure it
/// was whatever the command: the same MB#### error exits the same way from convert, run, inspect and check.
/// </summary>
public static class ExitCodes
{
    /// <summary>Done (check: every output within its limits; warnings may have been printed).</summary>
    public const int Success = 0;

    /// <summary>A parity verdict: check ran to the end and an output is over a limit, or run --compare found a mismatch (MB2xxx on stderr).</summary>
    public const int ParityFailed = 1;

    /// <summary>Bad command line or option value (MB5001): nothing was read or written.</summary>
    public const int Usage = 2;

    /// <summary>Any other exception: a bug in ModelBuild (MB9999).</summary>
    public const int Internal = 3;

    /// <summary>
    /// Any other coded error (<c>MB####: message</c> on stderr): a missing, unreadable or invalid model or input,
    /// an unsupported operator, a failure while running, an output that cannot be written.
    /// </summary>
    public const int Error = 4;

    /// <summary>The exit code of a command stopped by <paramref name="e"/>.</summary>
    public static int For(ModelBuildException e) => e.Code switch
    {
        ErrorCodes.UsageError => Usage,
        ErrorCodes.InternalError => Internal,
        _ => Error,
    };
}
