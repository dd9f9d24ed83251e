using ModelBuild.Converter.Parity.Metrics;
using ModelBuild.Converter.Parity.Reference;

namespace ModelBuild.Converter.Parity;

public enum ParityVerdict
{
    Passed,
    PassedWithWarnings,
    Failed,
}

/// <summary>Everything one gate run found; serialized as the JSON report (see <see cref="SchemaVersion"/>).</summary>
public sealed class ParityResult
{
    /// <summary>Bumped on any incompatible change of the JSON report (2: relativeError, maxRelativeError, minCosineSimilarity).</summary>
    public const int CurrentSchemaVersion = 2;

    public int SchemaVersion { get; init; } = CurrentSchemaVersion;

    public required string OnnxPath { get; init; }

    /// <summary>The .mnn file, or "converted from X".</summary>
    public required string Candidate { get; init; }

    public string? CommandLine { get; init; }

    public int Seed { get; init; }

    public bool Strict { get; init; }

    /// <summary>The ISA level outputs are judged at (the first column of the ISA matrix).</summary>
    public string PrimaryIsa { get; set; } = "";

    public required ParityThresholds Thresholds { get; init; }

    /// <summary>
    /// Set when limits left at their defaults were replaced by the candidate file's weight-storage defaults
    /// ("int8 weight-storage defaults", docs/weight-precision.md); null when the limits are the given or float ones.
    /// </summary>
    public string? LimitsFrom { get; init; }

    /// <summary>Effective limits per output (global limits with per-output overrides applied).</summary>
    public Dictionary<string, ParityThresholds> OutputThresholds { get; init; } = new(StringComparer.Ordinal);

    public List<SampleResult> Samples { get; } = [];

    public List<IsaColumn> Isas { get; } = [];

    public LocalizationResult? Localization { get; set; }

    /// <summary>The "predicted on device" column (check --emulate); null when no emulation was asked for.</summary>
    public Emulation.EmulationResult? Emulation { get; set; }

    /// <summary>The report's path without extension (PATH.json, PATH.html) when one was written.</summary>
    public string? ReportPath { get; set; }

    /// <summary>
    /// What the first error line adds so that a build's first error says where to look without -v:n: the first
    /// diverging node (when localized) and the HTML report (when written). Empty when there is neither.
    /// </summary>
    public string FirstErrorContext()
    {
        var parts = new List<string>();
        if (Localization is { Found: true } l)
        {
            parts.Add($"first diverging node: {l.OpType} '{l.NodeName}' (value '{l.Value}')");
        }

        if (ReportPath is not null)
        {
            parts.Add($"report: {ReportPath}.html");
        }

        return parts.Count == 0 ? "" : "; " + string.Join("; ", parts);
    }

    /// <summary>Errors (MB2xxx, severity "error"), warnings (MB7xxx, "warning") and notes ("note": shown, verdict unaffected), in order found.</summary>
    public List<ParityMessage> Messages { get; } = [];

    /// <summary>True when every given sample was ill-conditioned and generated representative samples were judged instead.</summary>
    public bool AddedRepresentativeSamples { get; set; }

    public ParityVerdict Verdict { get; set; }

    /// <summary>Where the gate's time went (informational).</summary>
    public ParityTimings Timings { get; init; } = new();

    public bool Passed => Verdict != ParityVerdict.Failed;

    /// <summary>Process exit code: 0 passed, 1 parity failed.</summary>
    public int ExitCode => Passed ? 0 : 1;

    public string VerdictText => Verdict switch
    {
        ParityVerdict.Passed => "PASSED",
        ParityVerdict.PassedWithWarnings => "PASSED (with warnings)",
        _ => "FAILED",
    };

    public IEnumerable<ParityMessage> Errors => Messages.Where(m => m.Severity == "error");

    public IEnumerable<ParityMessage> Warnings => Messages.Where(m => m.Severity == "warning");

    internal void Error(string code, string text) => Messages.Add(new ParityMessage(code, "error", text));

    internal void Warning(string code, string text) => Messages.Add(new ParityMessage(code, "warning", text));

    /// <summary>A message that does not affect the verdict (e.g. conversion warnings).</summary>
    internal void Note(string code, string text) => Messages.Add(new ParityMessage(code, "note", text));
}

public sealed record ParityMessage(string Code, string Severity, string Text)
{
    public override string ToString() => Severity == "error" ? $"{Code}: {Text}" : $"warning {Code}: {Text}";
}

/// <summary>One sample: where it came from, whether it is ill-conditioned, and its per-output metrics.</summary>
public sealed class SampleResult
{
    public required string Id { get; init; }

    public required string Origin { get; init; }

    public bool Generated { get; init; }

    /// <summary>A normalization saw (almost) zero variance: excluded from pass/fail unless strict.</summary>
    public bool IllConditioned => Degenerate.Count > 0;

    public List<DegenerateFinding> Degenerate { get; init; } = [];

    /// <summary>Inputs whose every element is the same value.</summary>
    public List<string> ConstantInputs { get; init; } = [];

    /// <summary>True when this sample decides the verdict.</summary>
    public bool Judged { get; set; }

    /// <summary>Set when our runtime failed on this sample (MB3xxx/MB4xxx message).</summary>
    public string? CandidateError { get; set; }

    public List<OutputResult> Outputs { get; } = [];

    public bool Passed => CandidateError is null && Outputs.All(o => o.Passed);
}

/// <summary>Metrics of one output of one sample at one ISA level.</summary>
public sealed record OutputResult(string Output, string Isa, TensorMetrics Metrics, bool Passed, string? Failure);

/// <summary>One column of the cross-ISA matrix.</summary>
public sealed class IsaColumn
{
    public required string Name { get; init; }

    /// <summary>"ran", "skipped" (not available here), or "failed" (could not run).</summary>
    public required string Status { get; init; }

    public string? Note { get; init; }

    /// <summary>Worst peak-relative error against the reference over judged samples and outputs.</summary>
    public double MaxRelVsReference { get; set; }

    /// <summary>Worst peak-relative difference against the primary ISA column.</summary>
    public double MaxRelVsPrimary { get; set; }

    public double MaxAbsVsPrimary { get; set; }

    public bool BitIdenticalToPrimary { get; set; } = true;

    public bool Passed { get; set; } = true;
}

/// <summary>Where the candidate first departs from the reference.</summary>
public sealed class LocalizationResult
{
    public required string Output { get; init; }

    public required string SampleId { get; init; }

    public bool Found { get; set; }

    /// <summary>The ONNX value that first diverges (topological order).</summary>
    public string? Value { get; set; }

    public string? NodeName { get; set; }

    public string? OpType { get; set; }

    public Dictionary<string, string> Attributes { get; set; } = new(StringComparer.Ordinal);

    public TensorMetrics? Metrics { get; set; }

    /// <summary>Which limits the diverging value breaks.</summary>
    public string? Failure { get; set; }

    /// <summary>Metrics of the node's compared inputs (all within limits when <see cref="Found"/>).</summary>
    public Dictionary<string, TensorMetrics> InputMetrics { get; } = new(StringComparer.Ordinal);

    /// <summary>Nodes between the agreeing inputs and the diverging value that have no tensor of their own (fused).</summary>
    public List<string> FusedNodes { get; } = [];

    public int ComparableValues { get; set; }

    public int ReferenceRuns { get; set; }

    public string? Note { get; set; }

    public string Describe() => Found
        ? $"first divergence at {OpType} node '{NodeName}' (value '{Value}'{(FusedNodes.Count > 0 ? $", computed together with {string.Join(", ", FusedNodes)}" : "")}): {Failure}; attributes: {(Attributes.Count == 0 ? "none" : string.Join(", ", Attributes.Select(kv => $"{kv.Key}={kv.Value}")))}"
        : $"divergence not localized: {Note}";
}
