using ModelBuild.Runtime.Format;

namespace ModelBuild.Converter.Parity.Metrics;

/// <summary>
/// Default limits for a candidate whose weights were stored compressed: the storage adds its own rounding, so the
/// float defaults would fail every fp16/int8 file. Measured on the bench models in docs/weight-precision.md.
/// </summary>
public static class StorageLimits
{
    /// <summary>fp16 storage (worst bench model: 1.5e-2 / 0.99990).</summary>
    public const double Fp16MaxRelError = 0.05, Fp16MinCosine = 0.999;

    /// <summary>int8 and int8-symmetric storage (worst bench model: mobilenet_v2 symmetric, 0.146 / 0.9905).</summary>
    public const double Int8MaxRelError = 0.25, Int8MinCosine = 0.98;

    /// <summary>
    /// <paramref name="options"/>' limits with those marked as defaults replaced by <paramref name="storage"/>'s
    /// defaults; <paramref name="from"/> names those defaults ("fp16 weight-storage defaults") when any was used.
    /// </summary>
    internal static ParityThresholds Apply(ParityOptions options, WeightStorage storage, out string? from)
    {
        var t = options.Thresholds;
        var (maxRel, minCos, name) = storage switch
        {
            WeightStorage.Float16 => (Fp16MaxRelError, Fp16MinCosine, "fp16"),
            WeightStorage.Int8 => (Int8MaxRelError, Int8MinCosine, "int8"),
            _ => (t.MaxRelError, t.MinCosine, ""),
        };
        var applied = t with
        {
            MaxRelError = options.MaxRelErrorIsDefault ? maxRel : t.MaxRelError,
            MinCosine = options.MinCosineIsDefault ? minCos : t.MinCosine,
        };
        from = applied != t ? $"{name} weight-storage defaults" : null;
        return applied;
    }
}
