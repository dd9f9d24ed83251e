namespace ModelBuild.Converter.Graph.Passes;

/// <summary>
/// Conv/ConvTranspose followed only by Relu, or by Clip(0, 6), gets a string attribute
/// <c>mb_activation</c> = "Relu" / "Relu6" and the activation node is dropped (its output name is kept).
/// </summary>
public static class ActivationFusion
{
    public const string AttributeName = "mb_activation";

    public static void Run(ModelGraph graph)
    {
        foreach (var conv in graph.Nodes.ToList())
        {
            if (conv.OpType is not ("Conv" or "ConvTranspose") || conv.Domain is not ("" or "ai.onnx") || conv.Has(AttributeName) || conv.Outputs.Count != 1)
            {
                continue;
            }

            var y = conv.Outputs[0];
            if (graph.Outputs.Contains(y) || GraphEdits.UseCount(graph, y) != 1)
            {
                continue;
            }

            var act = graph.Consumers(y).Single();
            var kind = act.OpType switch
            {
                "Relu" => "Relu",
                "Clip" when IsRelu6(graph, act) => "Relu6",
                _ => null,
            };
            if (kind is null || act.Inputs[0] != y || act.Outputs.Count != 1)
            {
                continue;
            }

            conv.Attributes[AttributeName] = new Attribute { Name = AttributeName, Kind = AttributeKind.String, String = kind };
            graph.Nodes.Remove(act);
            GraphEdits.RenameOutput(graph, conv, y, act.Outputs[0]);
        }
    }

    private static bool IsRelu6(ModelGraph g, Node clip)
    {
        float? min, max;
        if (g.Opset < 11)
        {
            min = clip.Has("min") ? clip.GetFloat("min", float.MinValue) : null;
            max = clip.Has("max") ? clip.GetFloat("max", float.MaxValue) : null;
        }
        else
        {
            min = g.ConstantInput(clip, 1) is { ElementCount: 1 } a ? (float)a.GetDouble(0) : null;
            max = g.ConstantInput(clip, 2) is { ElementCount: 1 } b ? (float)b.GetDouble(0) : null;
        }

        return min == 0f && max == 6f;
    }
}
