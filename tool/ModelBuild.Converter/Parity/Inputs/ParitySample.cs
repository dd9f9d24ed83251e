using ModelBuild.Converter.Graph;

namespace ModelBuild.Converter.Parity.Inputs;

/// <summary>One set of model inputs (by ONNX input name) and where it came from.</summary>
public sealed class ParitySample
{
    public required string Id { get; init; }

    /// <summary>File/folder path, or "generated (seed S)".</summary>
    public required string Origin { get; init; }

    public bool Generated { get; init; }

    public required IReadOnlyDictionary<string, TensorData> Inputs { get; init; }
}
