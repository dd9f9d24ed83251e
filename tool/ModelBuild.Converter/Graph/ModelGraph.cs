namespace ModelBuild.Converter.Graph;

/// <summary>
/// The single in-memory graph used between ONNX import and MNN export. Nodes are kept in topological
/// order; <see cref="Values"/> holds every named tensor (inputs, initializers, intermediates, outputs).
/// Graph outputs keep their ONNX names through every pass.
/// </summary>
public sealed class ModelGraph
{
    public string Name { get; set; } = "";

    /// <summary>Path of the source model, used in error messages.</summary>
    public string SourcePath { get; set; } = "";

    /// <summary>Opset version of the default ONNX domain.</summary>
    public int Opset { get; set; }

    public List<Node> Nodes { get; } = [];

    public Dictionary<string, Value> Values { get; } = new(StringComparer.Ordinal);

    /// <summary>Names of real (non-initializer) graph inputs, in model order.</summary>
    public List<string> Inputs { get; } = [];

    /// <summary>Names of graph outputs, in model order.</summary>
    public List<string> Outputs { get; } = [];

    /// <summary>
    /// For a subgraph (If/Loop body): values it reads from enclosing scopes, including those its own nested
    /// subgraphs read, in first-use order. Empty for the main graph.
    /// </summary>
    public List<string> OuterReferences { get; } = [];

    /// <summary>Warnings gathered by import and passes (e.g. ONNX defaults used), shown by the CLI.</summary>
    public List<ConversionWarning> Warnings { get; } = [];

    public Value GetValue(string name) =>
        Values.TryGetValue(name, out var v)
            ? v
            : throw new ModelBuildException(ErrorCodes.OnnxInvalidGraph, $"{SourcePath}: value '{name}' is used but never produced");

    public Value GetOrAddValue(string name)
    {
        if (!Values.TryGetValue(name, out var v))
        {
            v = new Value(name);
            Values[name] = v;
        }

        return v;
    }

    /// <summary>The constant data of a node input, or null when it is computed at run time or omitted.</summary>
    public TensorData? ConstantInput(Node node, int index) =>
        node.HasInput(index) && Values.TryGetValue(node.Inputs[index], out var v) ? v.Constant : null;

    /// <summary>Nodes that consume the value, in graph order.</summary>
    public IEnumerable<Node> Consumers(string valueName) => Nodes.Where(n => n.Inputs.Contains(valueName));

    public string Describe(Node node) => $"node '{node.Name}' ({node.OpType}, opset {Opset}) in {SourcePath}";
}

public sealed record ConversionWarning(string Code, string Message);
