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

    /// <summary>
    /// int8 weight-quantized convolutions as upstream MNNConvert <c>--weightQuantBits 8</c> writes them (about a quarter
    /// of the file): asymmetric per-channel (min, scale), MNNConvert 3.6.1's default. Upstream MNN and our runtime
    /// dequantize them to float32 at load.
    /// </summary>
    Int8,

    /// <summary>As <see cref="Int8"/>, symmetric (one absmax/127 scale per channel), as <c>--weightQuantBits 8
    /// --weightQuantAsymmetric=0</c> writes it: slightly smaller, loads in MNN versions before asymmetric storage.</summary>
    Int8Symmetric,
}
