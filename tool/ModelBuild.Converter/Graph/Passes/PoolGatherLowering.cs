namespace ModelBuild.Converter.Graph.Passes;

/// <summary>
/// Rewrites the MaxPool / AveragePool forms MNN's pooling cannot run exactly, from the static input shape: dilations
/// ≠ 1 (1-D to 3-D; MNN's Pooling has no dilation and upstream's converter drops it), and 3-D pools that Pooling3D
/// cannot express (ceil_mode, uneven or SAME pads, count_include_pad with padding) or that upstream's Pooling3D
/// computes wrongly (batch &gt; 1). The input is padded (lowest float for max, zero for average), then, one spatial axis at
/// a time, each tap is a Gather of the positions o·stride + tap·dilation and the taps are combined by Max, or summed
/// (after all axes) divided by the constant number of counted elements per output (the window clipped to the padded
/// extent with count_include_pad, else the input elements only). Output sizes, auto_pad and ceil_mode follow ONNX
/// (a ceil-mode window must start inside the input or the begin padding).
/// </summary>
public static class PoolGatherLowering
{
    /// <summary>Lowers every such pool; true when there was one.</summary>
    public static bool Run(ModelGraph graph) => GraphEdits.ReplaceNodes(
        graph,
        node => node.OpType is "MaxPool" or "AveragePool" && node.Domain is ("" or "ai.onnx") && !(node.Outputs.Count > 1 && node.Outputs[1].Length > 0)
            && graph.Values.GetValueOrDefault(node.Inputs[0]) is { Type: DataType.Float } x && (Dilated(node) || BeyondPooling3D(node, x)),
        node => Lower(graph, node));

    private static bool Dilated(Node n) => n.GetInts("dilations") is { } d && d.Any(v => v != 1);

    /// <summary>A 3-D pool with a static shape that MNN's Pooling3D cannot express, or whose batch upstream's Pooling3D gets wrong.</summary>
    private static bool BeyondPooling3D(Node n, Value x)
    {
        if (x.StaticShape is not { Length: 5 } shape)
        {
            return false; // the emitter reports what Pooling3D cannot do
        }

        var pads = n.GetInts("pads") ?? new long[6];
        return shape[0] > 1 || n.GetInt("ceil_mode", 0) != 0 || n.GetString("auto_pad", "NOTSET") is "SAME_UPPER" or "SAME_LOWER"
            || (pads.Length == 6 && (pads[0] != pads[3] || pads[1] != pads[4] || pads[2] != pads[5]))
            || (n.OpType == "AveragePool" && n.GetInt("count_include_pad", 0) != 0 && pads.Any(p => p != 0));
    }

    private static List<Node> Lower(ModelGraph g, Node n)
    {
        var shape = g.Values[n.Inputs[0]].StaticShape
            ?? throw new ModelBuildException(ErrorCodes.UnsupportedDynamicShape, $"{g.Describe(n)}: this pool is written as gathers of the padded input (MNN's pooling cannot express it), which needs the input shape; fix it with --input-shape");
        var spatial = shape.Length - 2;
        var kernel = n.GetInts("kernel_shape") ?? throw Invalid(g, n, "kernel_shape is required");
        var strides = n.GetInts("strides") ?? Enumerable.Repeat(1L, spatial).ToArray();
        var dilations = n.GetInts("dilations") ?? Enumerable.Repeat(1L, spatial).ToArray();
        var pads = n.GetInts("pads") ?? new long[2 * spatial];
        if (spatial is < 1 or > 3 || kernel.Length != spatial || strides.Length != spatial || dilations.Length != spatial || pads.Length != 2 * spatial
            || kernel.Any(k => k < 1) || strides.Any(s => s < 1) || dilations.Any(d => d < 1) || pads.Any(p => p < 0))
        {
            throw Invalid(g, n, $"kernel_shape, strides, dilations or pads do not fit a rank-{shape.Length} input");
        }

        var autoPad = n.GetString("auto_pad", "NOTSET");
        var ceil = n.GetInt("ceil_mode", 0) != 0;
        long[] begin = new long[spatial], end = new long[spatial], outputs = new long[spatial];
        for (var i = 0; i < spatial; i++)
        {
            var size = shape[i + 2];
            var extent = ((kernel[i] - 1) * dilations[i]) + 1;
            switch (autoPad)
            {
                case "SAME_UPPER" or "SAME_LOWER":
                    outputs[i] = ((size - 1) / strides[i]) + 1;
                    var total = Math.Max(0, ((outputs[i] - 1) * strides[i]) + extent - size);
                    begin[i] = autoPad == "SAME_UPPER" ? total / 2 : total - (total / 2);
                    end[i] = total - begin[i];
                    break;
                case "VALID":
                    outputs[i] = ((size - extent) / strides[i]) + 1;
                    break;
                case "NOTSET":
                    (begin[i], end[i]) = (pads[i], pads[i + spatial]);
                    var span = size + begin[i] + end[i] - extent;
                    outputs[i] = (ceil ? (span + strides[i] - 1) / strides[i] : span / strides[i]) + 1;
                    if (ceil && (outputs[i] - 1) * strides[i] >= size + begin[i])
                    {
                        outputs[i]--;
                    }

                    break;
                default:
                    throw new ModelBuildException(ErrorCodes.UnsupportedAttribute, $"unsupported attribute value for operator {n.OpType} (opset {g.Opset}) at node '{n.Name}' in {g.SourcePath}: auto_pad='{autoPad}'");
            }

            if (outputs[i] < 1)
            {
                throw Invalid(g, n, $"the window ({extent} wide) does not fit the padded input along axis {i + 2}");
            }
        }

        var max = n.OpType == "MaxPool";
        var w = new NodeWriter(g, n.Name + "/");
        // Pad so every tap of every window is inside (ceil mode may reach past the end padding).
        long[] padBegin = new long[shape.Length], padEnd = new long[shape.Length];
        for (var i = 0; i < spatial; i++)
        {
            padBegin[i + 2] = begin[i];
            padEnd[i + 2] = Math.Max(0, ((outputs[i] - 1) * strides[i]) + ((kernel[i] - 1) * dilations[i]) + 1 - shape[i + 2] - begin[i]);
        }

        var x = n.Inputs[0];
        if (padBegin.Any(p => p > 0) || padEnd.Any(p => p > 0))
        {
            var value = max ? float.MinValue : 0f;
            long[] all = [.. padBegin, .. padEnd];
            x = g.Opset >= 11
                ? w.Add("Pad", [x, w.Ints("pads", all), w.Scalar("pad_value", value)])
                : w.Add("Pad", [x], null, ("pads", all), ("value", value));
        }

        // A box window's max or sum is the same taken one axis at a time: per axis, each tap is a Gather of the
        // positions o·stride + tap·dilation (any opset), and the taps are combined by Max or Add.
        var combined = x;
        for (var i = 0; i < spatial; i++)
        {
            string? along = null;
            for (var t = 0L; t < kernel[i]; t++)
            {
                var positions = Enumerable.Range(0, (int)outputs[i]).Select(o => (o * strides[i]) + (t * dilations[i])).ToArray();
                var tap = w.Add("Gather", [combined, w.Ints($"axis{i + 2}_tap{t}", positions)], null, ("axis", (long)(i + 2)));
                along = along is null ? tap : w.Add(max ? "Max" : "Add", [along, tap]);
            }

            combined = along!;
        }

        if (!max)
        {
            var counts = Counts(shape, kernel, strides, dilations, begin, end, outputs, n.GetInt("count_include_pad", 0) != 0);
            combined = w.Add("Div", [combined, w.Const("counts", counts)]);
        }

        var last = w.Nodes[^1];
        g.Values.Remove(last.Outputs[0]);
        last.Outputs[0] = n.Outputs[0];
        return w.Nodes;
    }

    /// <summary>
    /// Elements counted per output: per axis, the taps inside [0, size) of the input (or inside the padded extent
    /// [−begin, size + end) with count_include_pad); the product over the axes, as a [1, 1, out...] constant.
    /// </summary>
    private static TensorData Counts(long[] shape, long[] kernel, long[] strides, long[] dilations, long[] begin, long[] end, long[] outputs, bool includePad)
    {
        var spatial = kernel.Length;
        var perAxis = new long[spatial][];
        for (var i = 0; i < spatial; i++)
        {
            var (lo, hi) = includePad ? (-begin[i], shape[i + 2] + end[i]) : (0, shape[i + 2]);
            perAxis[i] = new long[outputs[i]];
            for (var o = 0L; o < outputs[i]; o++)
            {
                for (var k = 0L; k < kernel[i]; k++)
                {
                    var p = (o * strides[i]) - begin[i] + (k * dilations[i]);
                    perAxis[i][o] += p >= lo && p < hi ? 1 : 0;
                }
            }
        }

        var total = outputs.Aggregate(1L, (a, b) => a * b);
        var values = new float[total];
        for (var flat = 0L; flat < total; flat++)
        {
            var rest = flat;
            var count = 1L;
            for (var i = spatial - 1; i >= 0; i--)
            {
                count *= perAxis[i][rest % outputs[i]];
                rest /= outputs[i];
            }

            values[flat] = count;
        }

        return new TensorData(DataType.Float, [1, 1, .. outputs], values);
    }

    private static ModelBuildException Invalid(ModelGraph g, Node n, string why) =>
        new(ErrorCodes.OnnxInvalidGraph, $"{g.Describe(n)}: {why}");
}
