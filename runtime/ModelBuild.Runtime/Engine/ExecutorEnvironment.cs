using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Runtime;

/// <summary>
/// What an executor of a control-flow op needs beyond its own op: the model's <c>Net.subgraphs</c> (every body,
/// nested ones included, as upstream flattens them) and the session's options, so a body runs as a child
/// <see cref="ExecutionGraph"/> at the same ISA level and thread count. Executors that need it take
/// <c>ctor(OpT op, ExecutorEnvironment env)</c>.
/// </summary>
internal sealed record ExecutorEnvironment(string ModelName, IReadOnlyList<SubGraphProtoT> Subgraphs, MnnSessionOptions Options, int Depth = 0)
{
    /// <summary>Bodies nested deeper than this are a malformed (e.g. self-referencing) file.</summary>
    public const int MaxDepth = 32;

    /// <summary>
    /// The body named <paramref name="name"/> as a model of its own (its subgraph list is the parent's) and the names of
    /// its input tensors in its <c>inputs</c> order; MB1103 when it is missing or names tensors it does not have.
    /// </summary>
    public (MnnModel Model, IReadOnlyList<string> Inputs) Body(string? name, string opName)
    {
        if (Depth >= MaxDepth)
        {
            throw new ModelBuildException(ErrorCodes.MnnInvalidGraph, $"{ModelName}: op '{opName}': subgraphs nest deeper than {MaxDepth} (a body that contains itself?)");
        }

        var sub = Subgraphs.FirstOrDefault(g => g.Name == name)
            ?? throw new ModelBuildException(ErrorCodes.MnnInvalidGraph, $"{ModelName}: op '{opName}' names subgraph '{name}', which the file does not have");
        var tensors = sub.Tensors ?? [];
        string Tensor(int i) => i >= 0 && i < tensors.Count
            ? tensors[i]
            : throw new ModelBuildException(ErrorCodes.MnnInvalidGraph, $"{ModelName}: subgraph '{name}' names tensor {i} of {tensors.Count}");
        var net = new NetT
        {
            Oplists = sub.Nodes ?? [],
            TensorName = tensors,
            OutputName = [.. (sub.Outputs ?? []).Select(Tensor)],
            Subgraphs = [.. Subgraphs],
        };
        return (MnnModel.FromNet(net, $"{ModelName} (subgraph '{name}')"), [.. (sub.Inputs ?? []).Select(Tensor)]);
    }

    /// <summary>The environment of a body's own ops (one level deeper).</summary>
    public ExecutorEnvironment Nested(string bodyName) => this with { ModelName = $"{ModelName} (subgraph '{bodyName}')", Depth = Depth + 1 };
}
