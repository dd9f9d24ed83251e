using ModelBuild.Converter.Parity.Metrics;
using ModelBuild.Runtime;

namespace ModelBuild.Converter.Parity.Emulation;

/// <summary>
/// The device precisions the gate can emulate (<c>check --emulate</c>, <c>ParityEmulate</c>): "fp16" = upstream MNN
/// with <c>precision = low</c> on ARMv8.2 (its ARM82 backend), run by our runtime with
/// <see cref="SessionPrecision.EmulatedFp16"/>.
/// </summary>
public static class DeviceEmulation
{
    public const string Fp16 = "fp16";

    /// <summary>Default limits of the "predicted on device" column: a phone in fp16 is expected to drift by 1e-2 (MNN's own arm64 build: 1.7e-2..5.4e-2 on the bench models).</summary>
    public const double DefaultMaxRelError = 0.1;

    public const double DefaultMinCosine = 0.99;

    public static ParityThresholds DefaultThresholds => new() { MaxRelError = DefaultMaxRelError, MinCosine = DefaultMinCosine };

    /// <summary>"fp16" (any case) → <see cref="Fp16"/>; "none"/"off"/empty → null; anything else MB5001.</summary>
    public static string? Parse(string? text)
    {
        var t = text?.Trim().ToLowerInvariant();
        return t switch
        {
            null or "" or "none" or "off" or "fp32" => null,
            "fp16" or "half" => Fp16,
            _ => throw new ModelBuildException(ErrorCodes.UsageError, $"--emulate '{text}': the emulated device precision must be fp16 (or none)"),
        };
    }

    /// <summary>The session precision of an emulation mode.</summary>
    public static SessionPrecision PrecisionOf(string mode) => mode == Fp16
        ? SessionPrecision.EmulatedFp16
        : throw new ModelBuildException(ErrorCodes.UsageError, $"unknown emulation mode '{mode}'");

    public static string Describe(string mode) => mode == Fp16
        ? "upstream MNN precision=low on ARMv8.2 (fp16 storage and fp16 conv/MatMul accumulation), emulated"
        : mode;
}

/// <summary>
/// The "predicted on device" column: the candidate run again with the device's numerics emulated, compared with the
/// same reference, with limits of its own. Exceeding them warns (MB7010) unless <see cref="Fails"/> (MB2010).
/// </summary>
public sealed class EmulationResult
{
    public required string Mode { get; init; }

    public required string Description { get; init; }

    public required ParityThresholds Thresholds { get; init; }

    /// <summary>True when exceeding the limits fails the gate; false (default) when it only warns.</summary>
    public bool Fails { get; init; }

    /// <summary>Per judged sample and output: the emulated run against the reference.</summary>
    public List<EmulatedOutput> Outputs { get; } = [];

    /// <summary>Worst peak-relative error of the emulated run against the reference.</summary>
    public double MaxRelVsReference => Outputs.Where(o => o.Metrics.ShapeMatch).Select(o => o.Metrics.PeakRelError).DefaultIfEmpty(0).Max();

    public double MinCosine => Outputs.Where(o => o.Metrics.ShapeMatch).Select(o => o.Metrics.Cosine).DefaultIfEmpty(1).Min();

    public bool WithinLimits => Error is null && Outputs.All(o => o.Passed);

    /// <summary>Set when the emulated run itself failed.</summary>
    public string? Error { get; set; }

    /// <summary>The first node whose emulated error exceeds the emulation limits (when localized).</summary>
    public LocalizationResult? Localization { get; set; }
}

/// <summary>One output of one sample in the emulated run.</summary>
public sealed record EmulatedOutput(string SampleId, string Output, TensorMetrics Metrics, bool Passed, string? Failure);
