using ModelBuild.Converter.Graph;
using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Converter.Export;

/// <summary>
/// Turns the converter IR into an MNN <see cref="NetT"/> the way upstream MNNConvert encodes ONNX models: one
/// <c>Input</c> op per graph input, the ops each ONNX node maps to (see Export/Ops), Const ops for constant
/// inputs, ConvertTensor ops around NC4HW4 ops, ONNX value names kept as tensor names.
/// </summary>
internal static class MnnExporter
{
    /// <summary>Float attributes whose ONNX default changes results; using the default is worth a warning.</summary>
    private static readonly string[] s_numericDefaults = ["alpha", "beta", "gamma", "bias", "lambd", "cubic_coeff_a"];

    public static NetT Export(ModelGraph graph, ExportContext ctx)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(ctx);

        foreach (var name in graph.Inputs)
        {
            EmitInput(ctx, graph.GetValue(name));
        }

        var used = graph.Nodes.SelectMany(n => n.Inputs).Concat(graph.Outputs).ToHashSet(StringComparer.Ordinal);
        foreach (var node in graph.Nodes)
        {
            EmitNode(ctx, node, used);
        }

        var outputs = graph.Outputs.Select(ctx.ValueTensor).ToList();
        TensorFormatPlanner.Apply(ctx, outputs);

        return new NetT
        {
            BizCode = "MNN",
            Oplists = ctx.Ops,
            TensorName = ctx.TensorNames,
            OutputName = [.. graph.Outputs.Select(o => ctx.TensorNames[ctx.ValueTensor(o)])],
            SourceType = NetSource.ONNX,
            PreferForwardType = ForwardType.CPU,
            Usage = Usage.INFERENCE,
            TensorNumber = 0,
            ExtraInfo = new ExtraInfoT { Version = "3.6.1" },
            Subgraphs = ctx.Subgraphs.Count > 0 ? ctx.Subgraphs : null,
        };
    }

    /// <summary>ONNX value name → MNN tensor name after export (identity except where the format pass renamed).</summary>
    public static IReadOnlyDictionary<string, string> NameTable(ExportContext ctx)
    {
        var table = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (value, index) in ctx.ValueTensors)
        {
            table[value] = ctx.TensorNames[index];
        }

        return table;
    }

    private static void EmitInput(ExportContext ctx, Value value)
    {
        var index = ctx.DeclareValue(value.Name);
        var input = new InputT
        {
            Dims = value.Shape is null ? [] : [.. value.Shape.Select(d => d.Value is { } v and <= int.MaxValue ? (int)v : -1)],
            Dtype = ExportContext.MnnTypeOf(value.Type),
            Dformat = MNN_DATA_FORMAT.NCHW,
        };
        if (value.Type is Graph.DataType.String or Graph.DataType.Complex64 or Graph.DataType.Complex128)
        {
            throw new ModelBuildException(ErrorCodes.UnsupportedDataType, $"graph input '{value.Name}' has element type {value.Type}, which MNN cannot hold ({ctx.Graph.SourcePath})");
        }

        ctx.AddOp(OpType.Input, value.Name, OpParameterUnion.FromInput(input), [], [index]);
    }

    private static void EmitNode(ExportContext ctx, Node node, HashSet<string> used)
    {
        ctx.Current = node;
        if (node.Domain is not ("" or "ai.onnx"))
        {
            throw new ModelBuildException(ErrorCodes.UnsupportedOperator,
                $"unsupported operator {node.Domain}.{node.OpType} (opset {ctx.Opset}) {ctx.Where(node)}: only the default ONNX domain is supported");
        }

        var emit = OpEmitterRegistry.Find(node.OpType, ctx.Opset) ?? throw ctx.UnsupportedOp(node);
        var usedBefore = node.DefaultsUsed.ToHashSet(StringComparer.Ordinal);
        try
        {
            emit(ctx, node);
        }
        catch (Exception e) when (e is OverflowException or IndexOutOfRangeException or ArgumentException or InvalidCastException or NullReferenceException)
        {
            // Malformed attributes or shapes (absurd sizes, wrong ranks) must surface as a user error, not a crash.
            throw new ModelBuildException(ErrorCodes.OnnxInvalidAttribute,
                $"invalid operator {node.OpType} (opset {ctx.Opset}) {ctx.Where(node)}: {e.Message}", e);
        }

        foreach (var name in s_numericDefaults)
        {
            if (node.DefaultsUsed.Contains(name) && !usedBefore.Contains(name))
            {
                ctx.Warnings.Add(new ConversionWarning(ErrorCodes.OnnxDefaultAttributeUsed,
                    $"{ctx.Graph.Describe(node)} has no '{name}' attribute; using the ONNX default"));
            }
        }

        // Every declared output must exist so later nodes and graph outputs can find it.
        foreach (var output in node.Outputs)
        {
            if (output.Length > 0 && !ctx.TryGetTensor(output, out _) && used.Contains(output))
            {
                throw ctx.UnsupportedAttribute(node, $"output '{output}' is used but this converter does not produce it");
            }
        }
    }
}
