namespace ModelBuild.Conformance.Tests.Upstream;

/// <summary>How one of our converted files fared in upstream MNN's ModuleBasic.out.</summary>
public enum UpstreamOutcome
{
    /// <summary>Upstream loaded and ran the file and every output matched the expected values.</summary>
    Passed,

    /// <summary>Upstream ran the file but an output differs (value, shape or count).</summary>
    Wrong,

    /// <summary>Upstream refused to load the file, failed in forward, crashed or did not finish in time.</summary>
    Failed,

    /// <summary>The case's data cannot be given to ModuleBasic (its text format reads finite numbers as float only).</summary>
    NotExpressible,

    /// <summary>
    /// Our converter now refuses a case baseline-passing.txt lists: not run here (the backend suite reports that
    /// regression), but a regression when the case is in upstream-passing.txt.
    /// </summary>
    NotConverted,
}

/// <summary>One case's result against upstream MNN: its outcome and a one-line detail.</summary>
public sealed record UpstreamResult(string Name, string OpType, UpstreamOutcome Outcome, string Detail);
