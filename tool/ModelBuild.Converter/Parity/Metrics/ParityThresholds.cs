using System.Globalization;

namespace ModelBuild.Converter.Parity.Metrics;

/// <summary>
/// Pass/fail limits for one output. Peak-relative error and cosine always decide; the element-wise rule
/// |y−r| ≤ atol + rtol·|r| is always reported but decides only when <see cref="Atol"/> or <see cref="Rtol"/> is set.
/// </summary>
public sealed record ParityThresholds
{
    public const double DefaultMaxRelError = 1e-3;
    public const double DefaultMinCosine = 0.9999;

    /// <summary>Element-wise tolerances used for reporting when none are set (the conformance rule).</summary>
    public const double ReportAtol = 1e-5;
    public const double ReportRtol = 1e-3;

    /// <summary>Limit of max|y−r| / max|r|.</summary>
    public double MaxRelError { get; init; } = DefaultMaxRelError;

    /// <summary>Lower limit of the cosine similarity of y and r.</summary>
    public double MinCosine { get; init; } = DefaultMinCosine;

    public double? Atol { get; init; }

    public double? Rtol { get; init; }

    /// <summary>True when the element-wise rule takes part in the decision.</summary>
    public bool ElementwiseDecides => Atol is not null || Rtol is not null;

    public double EffectiveAtol => Atol ?? (Rtol is null ? ReportAtol : 0);

    public double EffectiveRtol => Rtol ?? (Atol is null ? ReportRtol : 0);

    /// <summary>These limits with the set fields of <paramref name="o"/> replacing them.</summary>
    public ParityThresholds With(ThresholdOverride? o) => o is null
        ? this
        : this with
        {
            MaxRelError = o.MaxRelError ?? MaxRelError,
            MinCosine = o.MinCosine ?? MinCosine,
            Atol = o.Atol ?? Atol,
            Rtol = o.Rtol ?? Rtol,
        };
}

/// <summary>Per-output threshold changes; null fields keep the global value.</summary>
public sealed record ThresholdOverride
{
    public double? MaxRelError { get; init; }

    public double? MinCosine { get; init; }

    public double? Atol { get; init; }

    public double? Rtol { get; init; }

    /// <summary>Metric names accepted by <see cref="Parse"/> (the names of the CLI options; the older short names are accepted too).</summary>
    public static readonly string[] MetricNames = ["max-relative-error", "min-cosine-similarity", "atol", "rtol"];

    /// <summary>
    /// Parses "OUTPUT:METRIC=VALUE" (METRIC one of <see cref="MetricNames"/>) and merges it into
    /// <paramref name="table"/>. MB5001 on bad syntax.
    /// </summary>
    public static void Parse(string text, IDictionary<string, ThresholdOverride> table)
    {
        var eq = text.LastIndexOf('=');
        var colon = eq > 0 ? text.LastIndexOf(':', eq) : -1;
        if (eq <= 0 || colon <= 0 || colon + 1 >= eq)
        {
            throw new ModelBuildException(ErrorCodes.UsageError, $"invalid threshold '{text}': expected OUTPUT:METRIC=VALUE with METRIC one of {string.Join(", ", MetricNames)}");
        }

        var output = text[..colon].Trim();
        var metric = text[(colon + 1)..eq].Trim().ToLowerInvariant();
        var value = ParseNumber(text[(eq + 1)..], $"threshold '{text}'");
        table.TryGetValue(output, out var current);
        current ??= new ThresholdOverride();
        table[output] = metric switch
        {
            "max-relative-error" or "max-rel-error" or "maxrelerror" or "max-rel" => current with { MaxRelError = value },
            "min-cosine-similarity" or "min-cosine" or "mincosine" or "cosine" => current with { MinCosine = value },
            "atol" => current with { Atol = value },
            "rtol" => current with { Rtol = value },
            _ => throw new ModelBuildException(ErrorCodes.UsageError, $"invalid threshold '{text}': unknown metric '{metric}' (use {string.Join(", ", MetricNames)})"),
        };
    }

    /// <summary>A finite non-negative number in invariant culture; MB5001 otherwise.</summary>
    public static double ParseNumber(string text, string what)
    {
        if (!double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v) || v < 0)
        {
            throw new ModelBuildException(ErrorCodes.UsageError, $"invalid {what}: '{text}' is not a finite non-negative number");
        }

        return v;
    }
}
