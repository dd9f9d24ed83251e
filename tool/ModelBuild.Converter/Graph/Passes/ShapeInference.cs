namespace ModelBuild.Converter.Graph.Passes;

/// <summary>
/// Fills element type and shape of every node output the rules know (see <see cref="ShapeRules"/>).
/// Inferred facts are merged with declared value_info: a known dim beats a symbol, a symbol beats an
/// anonymous unknown. Unknown sizes stay unknown.
/// </summary>
public static class ShapeInference
{
    public static void Run(ModelGraph graph)
    {
        foreach (var node in graph.Nodes)
        {
            InferNode(graph, node);
        }
    }

    /// <summary>Infers one node's outputs from its (already inferred) inputs.</summary>
    public static void InferNode(ModelGraph graph, Node node)
    {
        if (node.Domain is not ("" or "ai.onnx"))
        {
            return;
        }

        IReadOnlyList<OutputInfo>? results;
        try
        {
            results = ShapeRules.Infer(graph, node);
        }
        catch (ModelBuildException)
        {
            throw;
        }
        catch (Exception e) when (e is OverflowException or ArgumentException or IndexOutOfRangeException or InvalidOperationException or DivideByZeroException)
        {
            throw new ModelBuildException(ErrorCodes.OnnxShapeInference, $"{graph.Describe(node)}: shape inference failed: {e.Message}", e);
        }

        if (results is null)
        {
            return;
        }

        for (var i = 0; i < results.Count && i < node.Outputs.Count; i++)
        {
            if (node.Outputs[i].Length == 0)
            {
                continue;
            }

            var v = graph.GetOrAddValue(node.Outputs[i]);
            if (v.IsConstant)
            {
                continue;
            }

            var r = results[i];
            if (r.Type != DataType.Undefined)
            {
                v.Type = r.Type;
            }

            if (r.Shape is not null)
            {
                v.Shape = v.Shape is { } declared && declared.Length == r.Shape.Length
                    ? r.Shape.Select((d, k) => DimMath.Merge(d, declared[k])).ToArray()
                    : r.Shape;
            }
        }
    }
}

/// <summary>Inferred type and shape of one node output (Shape null = rank unknown).</summary>
public readonly record struct OutputInfo(DataType Type, Dim[]? Shape);
