namespace ModelBuild.Converter.Graph.Passes;

/// <summary>
/// MaxPool of 8-bit integers (MaxPool-12+): MNN holds them as int32 and its pooling is float-only, so the pool runs
/// on a float copy and the result is cast back to int32 (MNN's storage of every integer type). Exact: 8-bit values
/// are whole floats, and the max picks one of them.
/// </summary>
public static class IntegerMaxPool
{
    /// <summary>Rewrites every such MaxPool; true when there was one.</summary>
    public static bool Run(ModelGraph graph) => GraphEdits.ReplaceNodes(
        graph,
        node => node.OpType == "MaxPool" && node.Domain is ("" or "ai.onnx") && !(node.Outputs.Count > 1 && node.Outputs[1].Length > 0)
            && graph.Values.GetValueOrDefault(node.Inputs[0])?.Type is DataType.UInt8 or DataType.Int8,
        node =>
        {
            var w = new NodeWriter(graph, node.Name + "/");
            var x = w.Add("Cast", [node.Inputs[0]], null, ("to", (long)DataType.Float));
            var pool = new Node { Name = node.Name, OpType = "MaxPool", Domain = node.Domain, Inputs = [x], Outputs = [w.Fresh("float")] };
            foreach (var (key, value) in node.Attributes)
            {
                pool.Attributes[key] = value;
            }

            graph.GetOrAddValue(pool.Outputs[0]);
            w.Nodes.Add(pool);
            w.Add("Cast", [pool.Outputs[0]], node.Outputs[0], ("to", (long)DataType.Int32));
            return w.Nodes;
        });
}
