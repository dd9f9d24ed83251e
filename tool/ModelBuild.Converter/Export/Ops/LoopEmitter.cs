using ModelBuild.Converter.Graph;
using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Converter.Export.Ops;

/// <summary>
/// ONNX Loop → MNN While with only <c>body_graph</c> set, the form upstream's LoopOnnx writes and its WhileModule runs
/// ("ONNX mode"): op inputs [M, cond, v_initial..., enclosing-scope values]; body inputs [i, cond, v..., those values];
/// body outputs [cond, v_next..., those values again, scan elements...]; op outputs [v_final..., one unused tensor per
/// enclosing-scope value, scans stacked on a new axis 0]. An absent M becomes int32 max (upstream: 2^30), an absent
/// cond 1; a constant M beyond int32 (PyTorch writes INT64_MAX for while-loops) is clamped, since MNN reads it as int32.
/// </summary>
internal static class LoopEmitter
{
    public static void Register(OpEmitterTable t) => t.Add("Loop", 1, Loop);

    private static void Loop(ExportContext ctx, Node n)
    {
        var body = n.Attributes.TryGetValue("body", out var a) && a.Graph is { } g ? g : throw ctx.Invalid(n, "'body' is missing");
        int carried = n.ExplicitInputCount - 2;
        int scans = n.Outputs.Count - carried;
        if (carried < 0 || scans < 0 || body.Inputs.Count != carried + 2 || body.Outputs.Count != carried + scans + 1)
        {
            throw ctx.Invalid(n, $"it has {n.ExplicitInputCount} inputs and {n.Outputs.Count} outputs, its body {body.Inputs.Count} inputs and {body.Outputs.Count} outputs (expected 2 + N inputs, N + K outputs, body 2 + N inputs and 1 + N + K outputs)");
        }

        SeedFormalInputs(ctx, n, body);
        var exported = SubgraphExport.Add(ctx, n, "body", body, outerOutputsAt: 1 + carried);
        var inputs = new List<int> { TripCount(ctx, n), n.HasInput(1) ? ctx.In(n, 1) : ctx.ConstInts(n.Name + "/cond_one", [1]) };
        for (var i = 0; i < carried; i++)
        {
            inputs.Add(ctx.In(n, 2 + i));
        }

        var outputs = new List<int>();
        for (var i = 0; i < carried; i++)
        {
            outputs.Add(Output(ctx, n, i));
        }

        // Enclosing-scope values, in the body's input order (SubgraphExport appends them after the formal inputs).
        foreach (var inside in exported.Inputs.Skip(carried + 2))
        {
            var k = n.ImplicitInputNames.IndexOf(inside);
            if (k < 0)
            {
                throw ctx.Invalid(n, $"its body reads '{inside}', which the node does not pass in");
            }

            inputs.Add(ctx.In(n, n.ExplicitInputCount + k));
            outputs.Add(ctx.Temp($"{n.Name}/outer_{inside}"));
        }

        for (var i = carried; i < n.Outputs.Count; i++)
        {
            outputs.Add(Output(ctx, n, i));
        }

        var param = new WhileParamT { BodyGraph = exported.Name };
        ctx.AddOp(OpType.While, n.Name, OpParameterUnion.FromWhileParam(param), [.. inputs], [.. outputs]);
    }

    private static int Output(ExportContext ctx, Node n, int i) => n.Outputs[i].Length > 0 ? ctx.Out(n, i) : ctx.Temp($"{n.Name}/out{i}");

    private static int TripCount(ExportContext ctx, Node n)
    {
        if (!n.HasInput(0))
        {
            return ctx.ConstInts(n.Name + "/max_trip_count", [int.MaxValue]);
        }

        if (ctx.ConstantOf(n, 0) is { } m)
        {
            if (m.ElementCount != 1)
            {
                throw ctx.Invalid(n, $"the trip count M has {m.ElementCount} elements, expected 1");
            }

            return ctx.ConstInts(n.Name + "/trip_count", ConstantBlobs.ClampToInt32([(long)Math.Max(m.GetDouble(0), 0)]));
        }

        return ctx.In(n, 0);
    }

    /// <summary>
    /// Body inputs declared without type or shape take the iteration number's and condition's types, and the loop
    /// values' types and ranks from the node's inputs. Only the rank: a loop-carried value may change size from one
    /// iteration to the next, so its first-iteration dims must not be folded into the body.
    /// </summary>
    private static void SeedFormalInputs(ExportContext ctx, Node n, ModelGraph body)
    {
        Seed(body.GetOrAddValue(body.Inputs[0]), Graph.DataType.Int64, []);
        Seed(body.GetOrAddValue(body.Inputs[1]), Graph.DataType.Bool, []);
        for (var i = 2; i < body.Inputs.Count; i++)
        {
            var outer = ctx.ValueOf(n.Inputs[i]);
            Seed(body.GetOrAddValue(body.Inputs[i]), outer?.Type ?? Graph.DataType.Undefined,
                outer?.Rank is { } rank ? [.. Enumerable.Range(0, rank).Select(_ => Dim.Unknown())] : null);
        }
    }

    private static void Seed(Value v, Graph.DataType type, Dim[]? shape)
    {
        if (v.Type == Graph.DataType.Undefined)
        {
            v.Type = type;
        }

        v.Shape ??= shape;
    }
}
