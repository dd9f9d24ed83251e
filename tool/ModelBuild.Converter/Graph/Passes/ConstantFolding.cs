namespace ModelBuild.Converter.Graph.Passes;

/// <summary>
/// Replaces nodes whose result is computable now (all inputs constant, or Shape/Size of a static shape) by
/// constant values. Runs shape inference node by node in the same sweep so that chains such as
/// Shape→Gather→Unsqueeze→Concat→Reshape collapse in one pass.
/// </summary>
public static class ConstantFolding
{
    public static void Run(ModelGraph graph)
    {
        var kept = new List<Node>(graph.Nodes.Count);
        foreach (var node in graph.Nodes)
        {
            // The evaluator follows the op versions the emitters implement: a version they reject is not folded either.
            if (node.Domain is "" or "ai.onnx" && node.Outputs.Count == 1 && node.Outputs[0].Length > 0 && !graph.Inputs.Contains(node.Outputs[0])
                && Export.OpEmitterRegistry.Find(node.OpType, graph.Opset) is not null)
            {
                var result = ConstantEvaluator.Evaluate(graph, node);
                if (result is not null)
                {
                    Onnx.OnnxImporter.SetConstant(graph.GetOrAddValue(node.Outputs[0]), result);
                    continue;
                }
            }

            ShapeInference.InferNode(graph, node);
            kept.Add(node);
        }

        graph.Nodes.Clear();
        graph.Nodes.AddRange(kept);
    }
}
