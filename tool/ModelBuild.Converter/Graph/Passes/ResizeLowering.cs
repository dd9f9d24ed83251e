namespace ModelBuild.Converter.Graph.Passes;

/// <summary>
/// Rewrites the Resize modes MNN's Interp cannot express (antialias, exclude_outside, half_pixel_symmetric,
/// tf_crop_and_resize with its extrapolation value, nearest ceil / round_prefer_ceil, align_corners or
/// keep_aspect_ratio_policy with run-time operands, non-4-D inputs, any axes) as separable interpolation: every ONNX
/// Resize mode weighs each output position along an axis by a fixed function of its source coordinate, so the
/// result is X multiplied along each resized axis by a [out, in] weight matrix (MatMul, with Transpose for axes
/// other than the last two), which both our runtime and upstream MNN run. The matrices are built by ordinary ops
/// from the scales / sizes / roi (<see cref="ResizeWeights"/>), so those may arrive at run time; only the input's
/// extent along each resized axis must be known. Modes Interp handles exactly stay with Interp (it is faster).
/// </summary>
public static class ResizeLowering
{
    /// <summary>Lowers every such Resize; true when there was one.</summary>
    public static bool Run(ModelGraph graph) => GraphEdits.ReplaceNodes(
        graph,
        node => node.OpType == "Resize" && node.Domain is ("" or "ai.onnx") && graph.Opset >= 11 && NeedsMatrices(graph, node),
        node => Lower(graph, node));

    /// <summary>True for a Resize-11+ whose mode Interp cannot reproduce exactly.</summary>
    private static bool NeedsMatrices(ModelGraph g, Node n)
    {
        var x = g.Values.GetValueOrDefault(n.Inputs[0]);
        if (n.GetString("mode", "nearest") is not ("nearest" or "linear" or "cubic") || x?.Type is not (DataType.Float or DataType.Undefined))
        {
            return false; // the emitter reports these
        }

        var ctm = n.GetString("coordinate_transformation_mode", "half_pixel");
        if (n.GetInt("antialias", 0) != 0 || n.GetInt("exclude_outside", 0) != 0 || ctm is "half_pixel_symmetric" or "tf_crop_and_resize"
            || (n.GetString("mode", "nearest") == "nearest" && n.GetString("nearest_mode", "round_prefer_floor") is "ceil" or "round_prefer_ceil"))
        {
            return true;
        }

        var rank = x?.Rank;
        if (rank is { } r && r != 4)
        {
            return true;
        }

        if (n.GetInts("axes") is { } axes && rank is { } ra && !axes.Select(a => a < 0 ? a + ra : a).Order().SequenceEqual([2L, 3L]))
        {
            return true;
        }

        var shape = x?.StaticShape;
        var scales = Provided(g, n, 2) ? g.ConstantInput(n, 2) : null;
        var sizes = Provided(g, n, 3) ? g.ConstantInput(n, 3) : null;
        if (scales is { ElementCount: 4 } && (scales.GetDouble(0) != 1 || scales.GetDouble(1) != 1))
        {
            return true; // Interp resizes only the two spatial axes
        }

        if (ctm == "align_corners" && Provided(g, n, 2) && !Provided(g, n, 3))
        {
            // ONNX aligns to the unrounded input·scale, Interp to the output size: equal only where that is whole.
            return scales is null || shape is null || scales.ElementCount != 4
                || Enumerable.Range(2, 2).Any(i => Math.Abs((shape[i] * scales.GetDouble(i)) - Math.Round(shape[i] * scales.GetDouble(i))) > 1e-4);
        }

        if (n.GetString("keep_aspect_ratio_policy", "stretch") != "stretch" && Provided(g, n, 3))
        {
            return sizes is null || shape is null || !AspectSizesAreWhole(n, shape, sizes.ToLongArray());
        }

        return false;
    }

    /// <summary>Whether Interp's size-ratio mapping equals ONNX's single aspect-keeping scale (see ResizeEmitter).</summary>
    private static bool AspectSizesAreWhole(Node n, long[] shape, long[] given)
    {
        var axes = (n.GetInts("axes") ?? [.. Enumerable.Range(0, shape.Length).Select(i => (long)i)]).Select(a => a < 0 ? a + shape.Length : a).ToArray();
        if (given.Length != axes.Length || axes.Any(a => a < 0 || a >= shape.Length))
        {
            return true; // the emitter reports the mismatch
        }

        var ratios = axes.Select((a, i) => (double)given[i] / shape[a]).ToArray();
        var scale = n.GetString("keep_aspect_ratio_policy", "stretch") == "not_larger" ? ratios.Min() : ratios.Max();
        return axes.All(a => Math.Abs((scale * shape[a]) - Math.Round(scale * shape[a])) <= 1e-4 * Math.Max(1, scale * shape[a]));
    }

    /// <summary>An optional input that is present and not an empty constant.</summary>
    internal static bool Provided(ModelGraph g, Node n, int i) => n.HasInput(i) && g.ConstantInput(n, i) is not { ElementCount: 0 };

    private static List<Node> Lower(ModelGraph g, Node n)
    {
        var x = g.Values.GetValueOrDefault(n.Inputs[0]);
        var rank = x?.Rank ?? throw Dynamic(g, n, "its input's rank");
        var axes = (n.GetInts("axes") ?? [.. Enumerable.Range(0, rank).Select(i => (long)i)])
            .Select(a => a < 0 ? a + rank : a).ToArray();
        if (axes.Any(a => a < 0 || a >= rank) || axes.Distinct().Count() != axes.Length)
        {
            throw new ModelBuildException(ErrorCodes.OnnxInvalidGraph, $"{g.Describe(n)}: axes [{string.Join(",", n.GetInts("axes") ?? [])}] are not distinct axes of a rank-{rank} input");
        }

        var extents = axes.Select(a => x.Shape![a].Value ?? throw Dynamic(g, n, $"the input's extent along axis {a}")).ToArray();
        if (Provided(g, n, 2) == Provided(g, n, 3))
        {
            throw new ModelBuildException(ErrorCodes.OnnxInvalidGraph, $"{g.Describe(n)}: exactly one of scales and sizes must be given");
        }

        var w = new NodeWriter(g, n.Name + "/");
        var weights = new ResizeWeights(g, n, w, extents);
        var matrices = new List<(int Axis, string Matrix, string? Keep)>();
        for (var k = 0; k < axes.Length; k++)
        {
            if (weights.Build(k) is { } m)
            {
                matrices.Add(((int)axes[k], m.Matrix, m.Keep));
            }
        }

        var y = n.Inputs[0];
        foreach (var (axis, matrix, _) in matrices)
        {
            y = ApplyAlong(w, y, matrix, axis, rank);
        }

        var extrapolation = n.GetFloat("extrapolation_value", 0f);
        var keeps = matrices.Where(m => m.Keep is not null).ToList();
        if (keeps.Count > 0 && extrapolation != 0f)
        {
            // Rows of positions outside the roi are zero; those outputs get the extrapolation value instead.
            string? inside = null;
            foreach (var (axis, _, keep) in keeps)
            {
                var shape = Enumerable.Repeat(1L, rank).ToArray();
                shape[axis] = -1;
                var broadcast = w.Add("Reshape", [keep!, w.Ints("keep_shape", shape)]);
                inside = inside is null ? broadcast : w.Add("Mul", [inside, broadcast]);
            }

            var outside = w.Add("Sub", [w.Scalar("one", 1f), inside!]);
            y = w.Add("Add", [y, w.Add("Mul", [outside, w.Scalar("extrapolation", extrapolation)])]);
        }

        if (w.Nodes.Count == 0 || y == n.Inputs[0])
        {
            w.Add("Identity", [y], n.Outputs[0]);
        }
        else
        {
            var last = w.Nodes[^1];
            g.Values.Remove(last.Outputs[0]);
            last.Outputs[0] = n.Outputs[0];
        }

        return w.Nodes;
    }

    /// <summary>y multiplied along <paramref name="axis"/> by <paramref name="matrix"/> [out, in].</summary>
    private static string ApplyAlong(NodeWriter w, string y, string matrix, int axis, int rank)
    {
        if (axis == rank - 1)
        {
            return w.Add("MatMul", [y, w.Add("Transpose", [matrix], null, ("perm", new long[] { 1, 0 }))]);
        }

        if (axis == rank - 2)
        {
            return w.Add("MatMul", [matrix, y]);
        }

        // Swap the axis into the row position, multiply, swap back (the swap is its own inverse).
        var perm = Enumerable.Range(0, rank).Select(i => (long)i).ToArray();
        (perm[axis], perm[rank - 2]) = (perm[rank - 2], perm[axis]);
        var moved = w.Add("Transpose", [y], null, ("perm", perm));
        return w.Add("Transpose", [w.Add("MatMul", [matrix, moved])], null, ("perm", perm));
    }

    private static ModelBuildException Dynamic(ModelGraph g, Node n, string what) =>
        new(ErrorCodes.UnsupportedDynamicShape,
            $"{g.Describe(n)}: this Resize mode is written as interpolation matrices (MNN's Interp cannot express it), which needs {what} at conversion time; fix the input shape with --input-shape");
}
