namespace ModelBuild.Converter.Graph;

/// <summary>
/// An ONNX operator instance. Input names may be "" for omitted optional inputs.
/// Attribute getters return the ONNX default when absent; <see cref="DefaultsUsed"/> records which
/// defaults were taken so the converter can warn (e.g. a missing epsilon).
/// </summary>
public sealed class Node
{
    public required string Name { get; set; }

    public required string OpType { get; init; }

    public string Domain { get; init; } = "";

    public List<string> Inputs { get; init; } = [];

    public List<string> Outputs { get; init; } = [];

    public Dictionary<string, Attribute> Attributes { get; init; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Values of the enclosing scope that this node's subgraphs read, by the names used inside them. They are also
    /// appended to <see cref="Inputs"/> (after the op's own inputs, in this order) so every pass sees the dependency
    /// and renames it; <c>Inputs[^ImplicitInputNames.Count..][i]</c> is the current name of <c>ImplicitInputNames[i]</c>.
    /// </summary>
    public List<string> ImplicitInputNames { get; } = [];

    /// <summary>Number of the op's own inputs (Inputs without the implicit subgraph inputs).</summary>
    public int ExplicitInputCount => Inputs.Count - ImplicitInputNames.Count;

    /// <summary>Names of attributes whose ONNX default was used by a getter.</summary>
    public HashSet<string> DefaultsUsed { get; } = new(StringComparer.Ordinal);

    public bool HasInput(int i) => i < Inputs.Count && Inputs[i].Length > 0;

    public bool Has(string name) => Attributes.ContainsKey(name);

    public float GetFloat(string name, float defaultValue)
    {
        if (Attributes.TryGetValue(name, out var a))
        {
            return a.Kind == AttributeKind.Int ? a.Int : a.Float;
        }

        DefaultsUsed.Add(name);
        return defaultValue;
    }

    public long GetInt(string name, long defaultValue)
    {
        if (Attributes.TryGetValue(name, out var a))
        {
            return a.Kind == AttributeKind.Float ? (long)a.Float : a.Int;
        }

        DefaultsUsed.Add(name);
        return defaultValue;
    }

    public string GetString(string name, string defaultValue)
    {
        if (Attributes.TryGetValue(name, out var a) && a.String is not null)
        {
            return a.String;
        }

        DefaultsUsed.Add(name);
        return defaultValue;
    }

    public long[]? GetInts(string name) => Attributes.TryGetValue(name, out var a) ? a.Ints ?? (a.Kind == AttributeKind.Int ? [a.Int] : null) : null;

    public float[]? GetFloats(string name) => Attributes.TryGetValue(name, out var a) ? a.Floats : null;

    public TensorData? GetTensor(string name) => Attributes.TryGetValue(name, out var a) ? a.Tensor : null;

    public override string ToString() => $"{OpType} '{Name}'";
}
