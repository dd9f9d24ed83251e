namespace ModelBuild.Tool.Cli;

/// <summary>Process exit codes of the CLI.</summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>A ModelBuildException (bad file, unsupported op, ...), printed as <c>MB####: message</c>.</summary>
    public const int Error = 1;

    /// <summary>Bad command line (MB5001).</summary>
    public const int Usage = 2;

    /// <summary>Any other exception: a bug in ModelBuild (MB9999).</summary>
    public const int Internal = 3;
}
