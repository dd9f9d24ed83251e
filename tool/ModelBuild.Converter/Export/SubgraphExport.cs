using ModelBuild.Converter.Graph;
using ModelBuild.Converter.Graph.Passes;
using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Converter.Export;

/// <summary>
/// Writes an If/Loop body as an MNN <c>SubGraphProto</c> the way upstream's ONNX front end builds one: its own tensor
/// table and ops, one Input op per value it receives (formal inputs first, then the enclosing-scope values it reads,
/// under the names it uses for them), Const ops for its constants; <c>inputs</c>/<c>outputs</c> index that table.
/// </summary>
internal static class SubgraphExport
{
    /// <summary>An exported body: its name in Net.subgraphs and the tensor names of its inputs and outputs.</summary>
    public sealed record Body(string Name, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs);

    /// <summary>
    /// Prepares <paramref name="body"/> (a subgraph attribute of <paramref name="node"/>) and adds it to
    /// <c>ctx.Subgraphs</c>. Enclosing-scope values take their type and shape (constants: their data) from the
    /// enclosing graph; the body then runs through the same passes as a model.
    /// <paramref name="outerOutputsAt"/> (Loop bodies): the enclosing-scope values the body receives are also listed
    /// among its outputs from that position on, because upstream's While feeds body output k+1 back into body input
    /// k+2 for every input after the condition, outer values included.
    /// </summary>
    public static Body Add(ExportContext ctx, Node node, string attribute, ModelGraph body, int? outerOutputsAt = null)
    {
        var formal = body.Inputs.Count;
        for (var k = 0; k < node.ImplicitInputNames.Count; k++)
        {
            var inside = node.ImplicitInputNames[k];
            if (!body.OuterReferences.Contains(inside) || body.Inputs.Contains(inside))
            {
                continue;
            }

            var outer = ctx.ValueOf(node.Inputs[node.ExplicitInputCount + k]);
            var v = body.GetOrAddValue(inside);
            if (outer?.Constant is { } data)
            {
                Onnx.OnnxImporter.SetConstant(v, data);
            }
            else
            {
                v.Type = outer?.Type ?? Graph.DataType.Undefined;
                v.Shape = outer?.Shape;
                body.Inputs.Add(inside);
            }
        }

        body.OuterReferences.Clear();
        PassPipeline.Run(body);
        var sub = new ExportContext(body, ctx.Subgraphs) { MatMulAsConvolution = ctx.MatMulAsConvolution };
        var net = MnnExporter.Export(body, sub);
        var name = UniqueName(ctx, $"{node.Name}/{attribute}");
        var inputs = body.Inputs.Select(i => net.TensorName[sub.ValueTensor(i)]).ToList();
        var outputs = body.Outputs.Select(sub.ValueTensor).ToList();
        if (outerOutputsAt is { } at)
        {
            outputs.InsertRange(at, body.Inputs.Skip(formal).Select(sub.ValueTensor));
        }

        ctx.Warnings.AddRange(sub.Warnings);
        ctx.Subgraphs.Add(new SubGraphProtoT
        {
            Name = name,
            Inputs = [.. body.Inputs.Select(sub.ValueTensor)],
            Outputs = outputs,
            Tensors = net.TensorName,
            Nodes = net.Oplists,
        });
        return new Body(name, inputs, [.. outputs.Select(t => net.TensorName[t])]);
    }

    private static string UniqueName(ExportContext ctx, string stem)
    {
        var name = stem;
        for (var i = 1; ctx.Subgraphs.Any(g => g.Name == name); i++)
        {
            name = $"{stem}_{i}";
        }

        return name;
    }
}
