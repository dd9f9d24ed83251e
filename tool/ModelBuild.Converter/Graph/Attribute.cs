namespace ModelBuild.Converter.Graph;

/// <summary>A node attribute, already decoded from ONNX. Exactly one payload is set, per <see cref="Kind"/>.</summary>
public sealed class Attribute
{
    public required string Name { get; init; }

    public required AttributeKind Kind { get; init; }

    public float Float { get; init; }

    public long Int { get; init; }

    public string? String { get; init; }

    public TensorData? Tensor { get; init; }

    public float[]? Floats { get; init; }

    public long[]? Ints { get; init; }

    public string[]? Strings { get; init; }

    /// <summary>True for subgraph attributes (If/Loop/Scan bodies, GRAPH or GRAPHS).</summary>
    public bool HasGraph { get; init; }

    /// <summary>The imported body of a GRAPH attribute (null for GRAPHS, which no supported op uses).</summary>
    public ModelGraph? Graph { get; init; }
}

public enum AttributeKind
{
    Float,
    Int,
    String,
    Tensor,
    Graph,
    Floats,
    Ints,
    Strings,
    Other,
}
