namespace ModelBuild.Converter.Conversion;

/// <summary>Options of one ONNX → MNN conversion.</summary>
public sealed class ConversionOptions
{
    /// <summary>Fixed shapes for graph inputs (name → dims), overriding symbolic dims in the model.</summary>
    public Dictionary<string, long[]> InputShapes { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Storage of float weights and constants in the written file (default float32).</summary>
    public WeightPrecision WeightPrecision { get; init; } = WeightPrecision.Float32;
}
