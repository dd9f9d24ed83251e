namespace ModelBuild.Converter.Graph.Passes;

/// <summary>
/// Rewrites a 3-D Conv (5-D input, constant weights) as 2-D convolutions, as upstream's converter does (it has no 3-D
/// convolution kernel on the CPU either): the input is zero-padded along depth, and for each depth tap k the depth
/// slices od·stride + k·dilation (a Gather) are folded into the batch ([N·OD, C, H, W]) and convolved with
/// W[:, :, k]; the tap results are summed (bias on the first) and unfolded back to [N, M, OD, OH, OW]. Needs the input
/// shape, as the unfolding does.
/// </summary>
public static class Conv3dLowering
{
    /// <summary>Lowers every such Conv; true when there was one.</summary>
    public static bool Run(ModelGraph graph) => GraphEdits.ReplaceNodes(
        graph,
        node => node.OpType == "Conv" && node.Domain is ("" or "ai.onnx") && graph.Values.GetValueOrDefault(node.Inputs[1]) is { IsConstant: true, Rank: 5 },
        node => Lower(graph, node));

    private static List<Node> Lower(ModelGraph g, Node n)
    {
        var w = g.Values[n.Inputs[1]].Constant!;
        var shape = g.Values.GetValueOrDefault(n.Inputs[0])?.StaticShape
            ?? throw new ModelBuildException(ErrorCodes.UnsupportedDynamicShape, $"{g.Describe(n)}: a 3-D convolution is written as 2-D ones over depth slices, which needs the input shape; fix it with --input-shape");
        if (shape.Length != 5 || w.Floats is null)
        {
            throw new ModelBuildException(ErrorCodes.OnnxInvalidGraph, $"{g.Describe(n)}: a 3-D convolution needs a 5-D input and float weights (input [{string.Join(",", shape)}])");
        }

        long m = w.Shape[0], cg = w.Shape[1], kd = w.Shape[2], kh = w.Shape[3], kw = w.Shape[4];
        long[] strides = n.GetInts("strides") ?? [1, 1, 1], dilations = n.GetInts("dilations") ?? [1, 1, 1];
        var (padsBegin, padsEnd) = Pads(g, n, shape, [kd, kh, kw], strides, dilations);
        long depth = shape[2] + padsBegin[0] + padsEnd[0];
        long outDepth = ((depth - ((kd - 1) * dilations[0]) - 1) / strides[0]) + 1;
        long outH = ((shape[3] + padsBegin[1] + padsEnd[1] - ((kh - 1) * dilations[1]) - 1) / strides[1]) + 1;
        long outW = ((shape[4] + padsBegin[2] + padsEnd[2] - ((kw - 1) * dilations[2]) - 1) / strides[2]) + 1;
        if (outDepth < 1 || outH < 1 || outW < 1)
        {
            throw new ModelBuildException(ErrorCodes.OnnxInvalidGraph, $"{g.Describe(n)}: the kernel does not fit the padded input [{string.Join(",", shape)}]");
        }

        var wr = new NodeWriter(g, n.Name + "/");
        var x = n.Inputs[0];
        if (padsBegin[0] > 0 || padsEnd[0] > 0)
        {
            long[] pads = [0, 0, padsBegin[0], 0, 0, 0, 0, padsEnd[0], 0, 0];
            x = g.Opset >= 11 ? wr.Add("Pad", [x, wr.Ints("depth_pads", pads)]) : wr.Add("Pad", [x], null, ("pads", pads));
        }

        var attrs = new List<(string, object)>
        {
            ("kernel_shape", new[] { kh, kw }),
            ("strides", new[] { strides[1], strides[2] }),
            ("dilations", new[] { dilations[1], dilations[2] }),
            ("pads", new[] { padsBegin[1], padsBegin[2], padsEnd[1], padsEnd[2] }),
            ("group", n.GetInt("group", 1)),
        };
        string? sum = null;
        for (var k = 0L; k < kd; k++)
        {
            var indices = Enumerable.Range(0, (int)outDepth).Select(od => (od * strides[0]) + (k * dilations[0])).ToArray();
            var slices = wr.Add("Gather", [x, wr.Ints($"depth_{k}", indices)], null, ("axis", 2L));
            var folded = Reshape(g, wr, wr.Add("Transpose", [slices], null, ("perm", new long[] { 0, 2, 1, 3, 4 })), [shape[0] * outDepth, shape[1], shape[3], shape[4]]);
            string[] inputs = k == 0 && n.HasInput(2) ? [folded, wr.Const($"w_{k}", Tap(w, k)), n.Inputs[2]] : [folded, wr.Const($"w_{k}", Tap(w, k))];
            var conv = wr.Add("Conv", inputs, null, [.. attrs]);
            sum = sum is null ? conv : wr.Add("Add", [sum, conv]);
        }

        var unfolded = Reshape(g, wr, sum!, [shape[0], outDepth, m, outH, outW]);
        wr.Add("Transpose", [unfolded], n.Outputs[0], ("perm", new long[] { 0, 2, 1, 3, 4 }));
        return wr.Nodes;

        TensorData Tap(TensorData weights, long k)
        {
            var plane = kh * kw;
            var data = new float[m * cg * plane];
            for (var o = 0L; o < m * cg; o++)
            {
                Array.Copy(weights.Floats!, ((o * kd) + k) * plane, data, o * plane, plane);
            }

            return new TensorData(DataType.Float, [m, cg, kh, kw], data);
        }
    }

    private static string Reshape(ModelGraph g, NodeWriter w, string x, long[] shape) =>
        g.Opset >= 5 ? w.Add("Reshape", [x, w.Ints("shape", shape)]) : w.Add("Reshape", [x], null, ("shape", shape));

    /// <summary>Begin and end pads per spatial axis: explicit, VALID, or SAME_UPPER/SAME_LOWER from the input shape.</summary>
    private static (long[] Begin, long[] End) Pads(ModelGraph g, Node n, long[] shape, long[] kernel, long[] strides, long[] dilations)
    {
        var autoPad = n.GetString("auto_pad", "NOTSET");
        if (autoPad is "NOTSET" or "VALID")
        {
            var pads = autoPad == "VALID" ? new long[6] : n.GetInts("pads") ?? new long[6];
            if (pads.Length != 6 || pads.Any(p => p < 0))
            {
                throw new ModelBuildException(ErrorCodes.OnnxInvalidGraph, $"{g.Describe(n)}: pads [{string.Join(",", pads)}] must be 6 values ≥ 0");
            }

            return (pads[..3], pads[3..]);
        }

        long[] begin = new long[3], end = new long[3];
        for (var i = 0; i < 3; i++)
        {
            var size = shape[i + 2];
            var output = (size + strides[i] - 1) / strides[i];
            var total = Math.Max(0, ((output - 1) * strides[i]) + ((kernel[i] - 1) * dilations[i]) + 1 - size);
            begin[i] = autoPad == "SAME_LOWER" ? total - (total / 2) : total / 2;
            end[i] = total - begin[i];
        }

        return (begin, end);
    }
}
