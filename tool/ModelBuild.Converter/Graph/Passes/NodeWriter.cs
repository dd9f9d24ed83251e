namespace ModelBuild.Converter.Graph.Passes;

/// <summary>
/// Writes the ONNX nodes a lowering pass replaces one node with: fresh value names under a prefix, constants as
/// graph constants, attributes from plain values. The nodes collect in <see cref="Nodes"/> for the caller to insert.
/// </summary>
internal sealed class NodeWriter(ModelGraph graph, string prefix)
{
    public List<Node> Nodes { get; } = [];

    /// <summary>Adds <paramref name="op"/> with one output (a fresh name, or <paramref name="output"/>) and returns it.</summary>
    public string Add(string op, string[] inputs, string? output = null, params (string Name, object Value)[] attrs)
    {
        output ??= GraphEdits.FreshName(graph, prefix + op);
        var node = new Node { Name = $"{prefix}{op}_{Nodes.Count}", OpType = op, Inputs = [.. inputs], Outputs = [output] };
        foreach (var (name, value) in attrs)
        {
            node.Attributes[name] = value switch
            {
                long i => new Attribute { Name = name, Kind = AttributeKind.Int, Int = i },
                long[] ints => new Attribute { Name = name, Kind = AttributeKind.Ints, Ints = ints },
                float f => new Attribute { Name = name, Kind = AttributeKind.Float, Float = f },
                string text => new Attribute { Name = name, Kind = AttributeKind.String, String = text },
                TensorData t => new Attribute { Name = name, Kind = AttributeKind.Tensor, Tensor = t },
                _ => throw new ArgumentException($"attribute '{name}' of type {value.GetType().Name}"),
            };
        }

        Nodes.Add(node);
        graph.GetOrAddValue(output);
        return output;
    }

    /// <summary>A value name not used yet (for outputs of nodes the caller builds itself).</summary>
    public string Fresh(string stem) => GraphEdits.FreshName(graph, prefix + stem);

    public string Const(string stem, TensorData data) => GraphEdits.AddConstant(graph, prefix + stem, data).Name;

    public string Ints(string stem, params long[] values) => Const(stem, TensorData.Vector(values));

    public string Scalar(string stem, float value) => Const(stem, TensorData.Scalar(value));

    public string ScalarInt(string stem, long value) => Const(stem, TensorData.Scalar(value));
}
