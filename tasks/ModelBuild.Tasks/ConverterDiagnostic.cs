using System.Text.RegularExpressions;

namespace ModelBuild.Tasks;

/// <summary>One stderr line of dotnet-model-convert: <c>MB####: message</c> or <c>warning MB####: message</c>.</summary>
internal sealed class ConverterDiagnostic
{
    private static readonly Regex Pattern = new(@"^\s*(?<warning>warning\s+)?(?<code>MB\d{4}):\s?(?<message>.*)$", RegexOptions.CultureInvariant);

    private ConverterDiagnostic(string code, string message, bool isWarning)
    {
        Code = code;
        Message = message;
        IsWarning = isWarning;
    }

    public string Code { get; }

    public string Message { get; }

    public bool IsWarning { get; }

    /// <summary>Null for lines that are not diagnostics (progress, stack traces, summaries).</summary>
    public static ConverterDiagnostic? TryParse(string line)
    {
        var m = Pattern.Match(line);
        return m.Success ? new ConverterDiagnostic(m.Groups["code"].Value, m.Groups["message"].Value.TrimEnd(), m.Groups["warning"].Success) : null;
    }
}
