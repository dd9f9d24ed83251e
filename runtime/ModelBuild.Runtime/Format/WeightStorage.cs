namespace ModelBuild.Runtime.Format;

/// <summary>
/// How a loaded file stored its float weights; they are float32 in memory either way. The parity gate picks its
/// default limits by it (compressed storage adds its own rounding: docs/weight-precision.md).
/// </summary>
internal enum WeightStorage
{
    Float32,

    /// <summary>fp16 convolution weights (IDSTQuan type 3) or DT_HALF constants.</summary>
    Float16,

    /// <summary>Quantized convolution weights (IDSTQuan types 1, 2, 4); wins over fp16 when a file has both.</summary>
    Int8,
}
