namespace ModelBuild.Converter.Parity.Metrics;

/// <summary>Result of comparing one candidate tensor y with its reference r.</summary>
public sealed record TensorMetrics
{
    /// <summary>Shapes and element kinds (float vs integer) agree; when false no numeric metric is computed.</summary>
    public bool ShapeMatch { get; init; } = true;

    /// <summary>Why the comparison could not be made (shape/type), or null.</summary>
    public string? Mismatch { get; init; }

    public long ElementCount { get; init; }

    /// <summary>Positions where exactly one side is NaN/Inf or the infinities differ; any makes the output fail.</summary>
    public long NonFiniteMismatches { get; init; }

    public double MaxAbsError { get; init; }

    /// <summary>max|y−r| / max|r| (0 when both are 0, +∞ when only the reference peak is 0).</summary>
    public double PeakRelError { get; init; }

    public double ReferencePeak { get; init; }

    /// <summary>‖y−r‖ / ‖r‖.</summary>
    public double RelL2 { get; init; }

    public double Cosine { get; init; } = 1;

    /// <summary>Elements breaking |y−r| ≤ atol + rtol·|r| (with the effective tolerances).</summary>
    public long ElementwiseViolations { get; init; }

    public double ElementwiseViolationFraction => ElementCount == 0 ? 0 : (double)ElementwiseViolations / ElementCount;

    public double Atol { get; init; }

    public double Rtol { get; init; }

    /// <summary>The (up to) 5 largest |y−r|, worst first.</summary>
    public IReadOnlyList<WorstElement> Worst { get; init; } = [];

    /// <summary>
    /// Counts of |y−r| per bucket: [0] exact, [1] below 1e-9, then one bucket per decade 1e-9..1e-8 ... 1e-1..1,
    /// last ≥ 1. See <see cref="HistogramLabels"/>.
    /// </summary>
    public long[] Histogram { get; init; } = new long[HistogramLabels.Length];

    public static readonly string[] HistogramLabels =
        ["0", "<1e-9", "1e-9", "1e-8", "1e-7", "1e-6", "1e-5", "1e-4", "1e-3", "1e-2", "1e-1", "≥1"];

    /// <summary>True when the limits accept this comparison.</summary>
    public bool Passes(ParityThresholds t) =>
        ShapeMatch && NonFiniteMismatches == 0 && PeakRelError <= t.MaxRelError && Cosine >= t.MinCosine
        && (!t.ElementwiseDecides || ElementwiseViolations == 0);

    /// <summary>Which limits were broken, for messages ("relative error 4.9 > 0.001, ...").</summary>
    public string DescribeFailure(ParityThresholds t)
    {
        if (!ShapeMatch)
        {
            return Mismatch ?? "shape mismatch";
        }

        var parts = new List<string>();
        if (NonFiniteMismatches > 0)
        {
            parts.Add($"{NonFiniteMismatches} NaN/Inf mismatches");
        }

        if (PeakRelError > t.MaxRelError)
        {
            parts.Add($"relative error {Fmt(PeakRelError)} > {Fmt(t.MaxRelError)}");
        }

        if (Cosine < t.MinCosine)
        {
            parts.Add($"cosine similarity {Cosine:0.000000} < {t.MinCosine}");
        }

        if (t.ElementwiseDecides && ElementwiseViolations > 0)
        {
            parts.Add($"{ElementwiseViolations} elements break |y-r| <= {Fmt(Atol)} + {Fmt(Rtol)}*|r|");
        }

        return parts.Count == 0 ? "within limits" : string.Join(", ", parts);
    }

    internal static string Fmt(double v) => v.ToString("G3", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>One element with a large error: flat index, its multi-index, the reference and candidate values.</summary>
public sealed record WorstElement(long Index, long[] Position, double Reference, double Candidate)
{
    public double AbsError => Math.Abs(Candidate - Reference);
}
