namespace ModelBuild.Converter.Conversion;

/// <summary>How the converted file stores float weights and constants.</summary>
public enum WeightPrecision
{
    /// <summary>float32, exactly the ONNX values (default).</summary>
    Float32,

    /// <summary>
    /// fp16 storage as upstream MNNConvert <c>--fp16</c> writes it (about half the file size; values rounded to the
    /// nearest fp16 and clamped to ±65504). Both upstream MNN and our runtime compute in float32 from them.
    /// </summary>
    Float16,
}
