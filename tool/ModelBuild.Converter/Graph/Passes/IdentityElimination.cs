namespace ModelBuild.Converter.Graph.Passes;

/// <summary>
/// Removes Identity and inference-mode Dropout (not one whose opset &lt; 7 is_test is 0) (only when Dropout's mask output is unused). When the removed
/// node's output is a graph output, the producer's output is renamed instead, so output names survive.
/// </summary>
public static class IdentityElimination
{
    public static void Run(ModelGraph graph)
    {
        foreach (var node in graph.Nodes.ToList())
        {
            if (node.Domain is not ("" or "ai.onnx") || node.OpType is not ("Identity" or "Dropout") || !node.HasInput(0) || node.Outputs.Count == 0)
            {
                continue;
            }

            if (node.Outputs.Skip(1).Any(m => m.Length > 0 && GraphEdits.UseCount(graph, m) > 0))
            {
                continue; // the Dropout mask is consumed
            }

            if (TrainingMode.Requested(graph, node))
            {
                continue; // a training-mode Dropout is not an identity; the exporter rejects it
            }

            var input = node.Inputs[0];
            var output = node.Outputs[0];
            if (output.Length == 0)
            {
                graph.Nodes.Remove(node);
                continue;
            }

            if (!graph.Outputs.Contains(output))
            {
                graph.Nodes.Remove(node);
                GraphEdits.ReplaceUses(graph, output, input);
                graph.Values.Remove(output);
                continue;
            }

            // The output is a graph output: rename the producer's output, if it is a plain intermediate.
            var producer = GraphEdits.Producer(graph, input);
            if (producer is null || graph.Outputs.Contains(input) || graph.Inputs.Contains(input))
            {
                continue;
            }

            graph.Nodes.Remove(node);
            graph.Values.Remove(output, out var declared);
            GraphEdits.RenameOutput(graph, producer, input, output);
            if (declared is not null && graph.Values.TryGetValue(output, out var v))
            {
                v.Type = v.Type == DataType.Undefined ? declared.Type : v.Type;
                v.Shape ??= declared.Shape;
            }
        }
    }
}
