namespace ModelBuild.Conformance.Tests.Infrastructure;

/// <summary>How one conformance case ended.</summary>
public enum CaseOutcome
{
    /// <summary>Every output matched the expected values.</summary>
    Passed,

    /// <summary>Ran, but an output differs (value, shape or count).</summary>
    Wrong,

    /// <summary>Refused with a ModelBuildException (unsupported op, type, ...): a clean, coded error.</summary>
    Rejected,

    /// <summary>Any other exception, or no answer within the time limit: a bug.</summary>
    Crashed,
}

/// <summary>The result of one case: its outcome and a one-line detail (error code and message, or the mismatch).</summary>
public sealed record CaseResult(string Name, string OpType, CaseOutcome Outcome, string Detail, double? Error = null)
{
    /// <summary>For Rejected: the MB code; otherwise empty.</summary>
    public string Code { get; init; } = "";
}
