using ModelBuild.Converter.Onnx;

namespace ModelBuild.Converter.Graph.Passes;

/// <summary>
/// Rewrites Scan (opset 9+) as a Loop, because MNN has no Scan: upstream's While runs ONNX Loops, so the lowered form
/// runs in upstream MNN and in ours. The Loop runs once per element of the scan axis (trip count = the first scan
/// input's length there; no condition). Its body is the Scan body behind one Gather per scan input that takes element
/// i (or length − 1 − i for a reversed input) along that input's axis; the scan inputs reach it as enclosing-scope
/// values. Loop stacks scan outputs on axis 0 in iteration order, so a reversed output is flipped (Slice, step −1)
/// and an output on another axis transposed into place. Scan-8 with a batch of 1 goes through the same lowering.
/// </summary>
public static class ScanLowering
{
    public static void Run(ModelGraph graph) => GraphEdits.ReplaceNodes(
        graph,
        node => node.OpType == "Scan" && node.Domain is ("" or "ai.onnx") && OperatorVersions.Resolve("Scan", graph.Opset) is { Semantics: >= 8 },
        node => OperatorVersions.Resolve("Scan", graph.Opset) is { Semantics: 8 } ? LowerScan8(graph, node) : Lower(graph, node));

    /// <summary>
    /// Scan-8: every state and scan input carries a leading batch axis (scan inputs: time on axis 1) and the body sees
    /// one batch element. With a batch of 1 that axis is squeezed off, the Scan-9 form (time on axis 0, the same
    /// directions) lowered as above, and the outputs unsqueezed again. A larger batch or sequence_lens is MB3002.
    /// </summary>
    private static List<Node> LowerScan8(ModelGraph graph, Node scan)
    {
        if (scan.HasInput(0))
        {
            throw new ModelBuildException(ErrorCodes.UnsupportedAttribute, $"{graph.Describe(scan)}: Scan-8 sequence_lens is not supported; remove it when every sequence has the full length");
        }

        var w = new NodeWriter(graph, scan.Name + "/");
        var inner = new Node { Name = scan.Name, OpType = "Scan", Inputs = [], Outputs = [] };
        foreach (var (key, value) in scan.Attributes)
        {
            inner.Attributes[key == "directions" ? "scan_input_directions" : key] = key == "directions"
                ? new Attribute { Name = "scan_input_directions", Kind = AttributeKind.Ints, Ints = value.Ints }
                : value;
        }

        for (var i = 1; i < scan.ExplicitInputCount; i++)
        {
            if (graph.Values.GetValueOrDefault(scan.Inputs[i])?.Shape is not [{ Value: 1 }, ..])
            {
                throw new ModelBuildException(ErrorCodes.UnsupportedAttribute,
                    $"{graph.Describe(scan)}: Scan-8 input '{scan.Inputs[i]}' needs a batch axis of size 1 (only one batch element can be scanned); fix it with --input-shape");
            }

            inner.Inputs.Add(w.Add("Squeeze", [scan.Inputs[i]], null, ("axes", new long[] { 0 })));
        }

        for (var k = 0; k < scan.ImplicitInputNames.Count; k++)
        {
            inner.Inputs.Add(scan.Inputs[scan.ExplicitInputCount + k]);
        }

        inner.ImplicitInputNames.AddRange(scan.ImplicitInputNames);
        foreach (var output in scan.Outputs)
        {
            inner.Outputs.Add(output.Length == 0 ? "" : graph.GetOrAddValue(GraphEdits.FreshName(graph, output + "/unbatched")).Name);
        }

        w.Nodes.AddRange(Lower(graph, inner));
        for (var j = 0; j < scan.Outputs.Count; j++)
        {
            if (scan.Outputs[j].Length > 0)
            {
                w.Add("Unsqueeze", [inner.Outputs[j]], scan.Outputs[j], ("axes", new long[] { 0 }));
            }
        }

        return w.Nodes;
    }

    private static List<Node> Lower(ModelGraph graph, Node scan)
    {
        var body = scan.Attributes.TryGetValue("body", out var a) && a.Graph is { } g
            ? g
            : throw Invalid(graph, scan, "'body' is missing");
        int m = (int)scan.GetInt("num_scan_inputs", -1);
        int n = scan.ExplicitInputCount - m;
        int k = scan.Outputs.Count - n;
        if (m < 1 || n < 0 || k < 0 || body.Inputs.Count != n + m || body.Outputs.Count != n + k)
        {
            throw Invalid(graph, scan, $"num_scan_inputs = {m} with {scan.ExplicitInputCount} inputs and {scan.Outputs.Count} outputs, its body {body.Inputs.Count} inputs and {body.Outputs.Count} outputs (expected N + M inputs, N + K outputs, the same for the body)");
        }

        var inAxes = Attr(graph, scan, "scan_input_axes", m);
        var inReverse = Attr(graph, scan, "scan_input_directions", m);
        var outAxes = Attr(graph, scan, "scan_output_axes", k);
        var outReverse = Attr(graph, scan, "scan_output_directions", k);
        var p = scan.Name + "/";
        var w = new NodeWriter(graph, p);

        // Trip count: the first scan input's length along its scan axis.
        var x0 = scan.Inputs[n];
        var length = w.Add("Gather", [w.Add("Shape", [x0]), w.ScalarInt("axis", AxisOf(graph, scan, x0, inAxes[0], 0))], null, ("axis", 0L));
        string? last = inReverse.Any(d => d != 0) ? w.Add("Sub", [length, w.ScalarInt("one", 1)]) : null;

        // The Loop body: [i, cond, states...] → [cond, states..., scan elements...].
        var iteration = p + "i";
        var cond = p + "cond";
        var loopBody = new ModelGraph { Name = body.Name, SourcePath = body.SourcePath, Opset = body.Opset };
        foreach (var (name, v) in body.Values)
        {
            loopBody.Values[name] = v;
        }

        loopBody.GetOrAddValue(iteration).Type = DataType.Int64;
        loopBody.GetValue(iteration).Shape = [];
        loopBody.GetOrAddValue(cond).Type = DataType.Bool;
        loopBody.GetValue(cond).Shape = [];
        loopBody.Inputs.AddRange([iteration, cond, .. body.Inputs.Take(n)]);
        var implicitNames = new List<string>();
        var implicitValues = new List<string>();
        for (var j = 0; j < m; j++)
        {
            var inside = p + $"scan_input{j}";
            implicitNames.Add(inside);
            implicitValues.Add(scan.Inputs[n + j]);
            var index = iteration;
            if (inReverse[j] != 0)
            {
                index = p + $"index{j}";
                loopBody.Nodes.Add(new Node { Name = index, OpType = "Sub", Inputs = [p + "last", iteration], Outputs = [index] });
            }

            var axis = AxisOf(graph, scan, scan.Inputs[n + j], inAxes[j], j);
            loopBody.Nodes.Add(new Node
            {
                Name = p + $"element{j}",
                OpType = "Gather",
                Inputs = [inside, index],
                Outputs = [body.Inputs[n + j]],
                Attributes = { ["axis"] = new Attribute { Name = "axis", Kind = AttributeKind.Int, Int = axis } },
            });
        }

        if (last is not null)
        {
            implicitNames.Add(p + "last");
            implicitValues.Add(last);
        }

        for (var j = 0; j < scan.ImplicitInputNames.Count; j++)
        {
            implicitNames.Add(scan.ImplicitInputNames[j]);
            implicitValues.Add(scan.Inputs[scan.ExplicitInputCount + j]);
        }

        loopBody.OuterReferences.AddRange(implicitNames);
        loopBody.Nodes.AddRange(body.Nodes);
        loopBody.Outputs.AddRange([cond, .. body.Outputs]);

        // The Loop; scan outputs that need flipping or moving are written to temporaries first.
        var loop = new Node
        {
            Name = scan.Name,
            OpType = "Loop",
            Inputs = [length, "", .. scan.Inputs.Take(n), .. implicitValues],
            Outputs = [.. scan.Outputs.Take(n)],
            Attributes = { ["body"] = new Attribute { Name = "body", Kind = AttributeKind.Graph, HasGraph = true, Graph = loopBody } },
        };
        loop.ImplicitInputNames.AddRange(implicitNames);
        w.Nodes.Add(loop);
        for (var j = 0; j < k; j++)
        {
            var final = scan.Outputs[n + j];
            var elementRank = body.Values.GetValueOrDefault(body.Outputs[n + j])?.Rank;
            long axis = outAxes[j];
            if (axis != 0)
            {
                if (elementRank is not { } r)
                {
                    throw new ModelBuildException(ErrorCodes.UnsupportedAttribute,
                        $"{graph.Describe(scan)}: scan_output_axes[{j}] = {axis} needs the rank of body output '{body.Outputs[n + j]}', which is not declared; declare its shape in the body");
                }

                axis = axis < 0 ? axis + r + 1 : axis;
                if (axis < 0 || axis > r)
                {
                    throw Invalid(graph, scan, $"scan_output_axes[{j}] = {outAxes[j]} is outside [-{r + 1}, {r}]");
                }
            }

            if (final.Length == 0 || (axis == 0 && outReverse[j] == 0))
            {
                loop.Outputs.Add(final);
                continue;
            }

            var stacked = w.Fresh($"stacked{j}");
            loop.Outputs.Add(stacked);
            graph.GetOrAddValue(stacked);
            if (outReverse[j] != 0)
            {
                stacked = w.Add("Slice", [stacked, w.Ints("flip_start", -1), w.Ints("flip_end", long.MinValue), w.Ints("flip_axis", 0), w.Ints("flip_step", -1)],
                    axis == 0 ? final : null);
            }

            if (axis != 0)
            {
                // The iteration axis moves from 0 to `axis`; the element's axes keep their order around it.
                var perm = Enumerable.Range(1, (int)axis).Select(d => (long)d).Append(0).Concat(Enumerable.Range((int)axis + 1, elementRank!.Value - (int)axis).Select(d => (long)d)).ToArray();
                w.Add("Transpose", [stacked], final, ("perm", perm));
            }
        }

        return w.Nodes;
    }

    private static long AxisOf(ModelGraph graph, Node scan, string input, long axis, int j)
    {
        if (axis >= 0)
        {
            return axis;
        }

        return graph.Values.GetValueOrDefault(input)?.Rank is { } r
            ? axis + r
            : throw new ModelBuildException(ErrorCodes.UnsupportedAttribute,
                $"{graph.Describe(scan)}: scan_input_axes[{j}] = {axis} needs the rank of '{input}', which is unknown; fix the input shape with --input-shape");
    }

    private static long[] Attr(ModelGraph graph, Node scan, string name, int count)
    {
        var values = scan.GetInts(name) ?? new long[count];
        return values.Length == count ? values : throw Invalid(graph, scan, $"'{name}' has {values.Length} entries, expected {count}");
    }

    private static ModelBuildException Invalid(ModelGraph graph, Node scan, string what) =>
        new(ErrorCodes.OnnxInvalidGraph, $"{graph.Describe(scan)}: {what}");
}
