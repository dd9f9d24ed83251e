namespace ModelBuild.Converter.Graph.Passes;

/// <summary>
/// A ConvTranspose whose output_shape asks for more output than the transposed convolution makes
/// needs negative pads, which MNN's Deconvolution has not: ONNX then places the computed output inside a larger one
/// whose extra positions get only the bias. Rewritten from the static input shape as ConvTranspose with the
/// non-negative part of the pads and no bias, a zero Pad by the negative part, and the bias added after. Pads follow
/// ONNX's formulas with floor division (a total of −1 grows at the end). SAME auto_pad that would need negative pads
/// stays MB3002: the spec's output in·stride and ONNX Runtime's (the unpadded size) disagree there.
/// </summary>
public static class ConvTransposeGrowth
{
    /// <summary>Rewrites every such ConvTranspose; true when there was one.</summary>
    public static bool Run(ModelGraph graph) => GraphEdits.ReplaceNodes(
        graph,
        node => node.OpType == "ConvTranspose" && node.Domain is ("" or "ai.onnx") && node.Has("output_shape")
            && Pads(graph, node) is { } p && p.Any(v => v < 0),
        node => Lower(graph, node, Pads(graph, node)!));

    /// <summary>ONNX-order pads [begin..., end...] from output_shape, or null when shapes are not known.</summary>
    private static long[]? Pads(ModelGraph g, Node n)
    {
        var shape = g.Values.GetValueOrDefault(n.Inputs[0])?.StaticShape;
        var weight = g.Values.GetValueOrDefault(n.Inputs[1])?.StaticShape;
        if (shape is null || weight is null || shape.Length < 3 || weight.Length != shape.Length)
        {
            return null;
        }

        var spatial = shape.Length - 2;
        var strides = n.GetInts("strides") ?? Enumerable.Repeat(1L, spatial).ToArray();
        var dilations = n.GetInts("dilations") ?? Enumerable.Repeat(1L, spatial).ToArray();
        var outPads = n.GetInts("output_padding") ?? new long[spatial];
        var outputShape = n.GetInts("output_shape")!;
        if (strides.Length != spatial || dilations.Length != spatial || outPads.Length != spatial || outputShape.Length < spatial)
        {
            return null; // the emitter reports the malformed attribute
        }

        var upper = n.GetString("auto_pad", "NOTSET") == "SAME_UPPER";
        var pads = new long[2 * spatial];
        for (var i = 0; i < spatial; i++)
        {
            var natural = (strides[i] * (shape[i + 2] - 1)) + outPads[i] + ((weight[i + 2] - 1) * dilations[i]) + 1;
            var target = outputShape[outputShape.Length - spatial + i];
            var total = natural - target;
            var half = (long)Math.Floor(total / 2.0);
            pads[i] = upper ? half : total - half;
            pads[i + spatial] = total - pads[i];
        }

        return pads;
    }

    private static List<Node> Lower(ModelGraph g, Node n, long[] pads)
    {
        var spatial = pads.Length / 2;
        var w = new NodeWriter(g, n.Name + "/");
        var conv = new Node { Name = n.Name, OpType = "ConvTranspose", Domain = n.Domain, Inputs = [n.Inputs[0], n.Inputs[1]], Outputs = [w.Fresh("natural")] };
        foreach (var (key, value) in n.Attributes.Where(a => a.Key is not ("output_shape" or "auto_pad" or "pads")))
        {
            conv.Attributes[key] = value;
        }

        conv.Attributes["pads"] = new Attribute { Name = "pads", Kind = AttributeKind.Ints, Ints = pads.Select(p => Math.Max(0, p)).ToArray() };
        g.GetOrAddValue(conv.Outputs[0]);
        w.Nodes.Add(conv);

        var growth = new long[2 * (spatial + 2)];
        for (var i = 0; i < spatial; i++)
        {
            growth[i + 2] = Math.Max(0, -pads[i]);
            growth[spatial + 2 + i + 2] = Math.Max(0, -pads[i + spatial]);
        }

        var y = g.Opset >= 11 ? w.Add("Pad", [conv.Outputs[0], w.Ints("growth", growth)]) : w.Add("Pad", [conv.Outputs[0]], null, ("pads", growth));
        if (n.HasInput(2))
        {
            var channels = g.Values.GetValueOrDefault(n.Inputs[1])!.StaticShape![1] * n.GetInt("group", 1);
            var shape = Enumerable.Repeat(1L, spatial + 2).ToArray();
            shape[1] = channels;
            y = w.Add("Add", [y, w.Add("Reshape", [n.Inputs[2], w.Ints("bias_shape", shape)])]);
        }

        var last = w.Nodes[^1];
        g.Values.Remove(last.Outputs[0]);
        last.Outputs[0] = n.Outputs[0];
        return w.Nodes;
    }
}
