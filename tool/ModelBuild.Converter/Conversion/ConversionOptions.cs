namespace ModelBuild.Converter.Conversion;

/// <summary>Options of one ONNX → MNN conversion.</summary>
public sealed class ConversionOptions
{
    /// <summary>Fixed shapes for graph inputs (name → dims), overriding symbolic dims in the model.</summary>
    public Dictionary<string, long[]> InputShapes { get; init; } = new(StringComparer.Ordinal);
}
