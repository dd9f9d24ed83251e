using System.CommandLine;
using Google.FlatBuffers;
using ModelBuild.Converter.Onnx;
using ModelBuild.Converter.Onnx.Proto;
using ModelBuild.Runtime;
using ModelBuild.Runtime.Format.Schema;
using IrDataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Tool.Cli;

/// <summary>
/// <c>inspect MODEL.onnx|MODEL.mnn</c>: prints inputs and outputs (names, element types, shapes with symbolic
/// dims), op counts by type and, for ONNX, the producer and opset imports.
/// </summary>
internal static class InspectCommand
{
    public static Command Create(CliConsole console)
    {
        var model = new Argument<string>("MODEL") { Description = "An .onnx or .mnn model." };
        var command = new Command("inspect", "Show a model's inputs, outputs and operators.") { model };
        command.SetAction(parse => Execute(console, parse.GetValue(model)!));
        return command;
    }

    internal static int Execute(CliConsole console, string path)
    {
        if (ModelFormats.FromPath(path) == ModelFormat.Onnx)
        {
            CommonOptions.RequireFile(path, ErrorCodes.OnnxFileNotFound, "ONNX model");
            InspectOnnx(console.Out, path);
        }
        else
        {
            CommonOptions.RequireFile(path, ErrorCodes.MnnFileNotFound, "MNN model");
            InspectMnn(console.Out, path);
        }

        return ExitCodes.Success;
    }

    private static void InspectOnnx(TextWriter o, string path)
    {
        var model = OnnxModelLoader.Load(path);
        var graph = model.Graph ?? throw new ModelBuildException(ErrorCodes.OnnxInvalidGraph, $"ONNX model '{path}' has no graph");
        var opsets = string.Join(", ", model.OpsetImport.Select(i => $"{(i.Domain.Length == 0 ? "ai.onnx" : i.Domain)} {i.Version}"));
        var producer = string.IsNullOrEmpty(model.ProducerName) ? "(none)" : $"{model.ProducerName} {model.ProducerVersion}".TrimEnd();
        o.WriteLine($"model:    {path}");
        o.WriteLine($"format:   ONNX (ir_version {model.IrVersion})");
        o.WriteLine($"producer: {producer}");
        o.WriteLine($"opsets:   {(opsets.Length == 0 ? "(none)" : opsets)}");

        var initializers = graph.Initializer.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        WriteSection(o, "inputs", graph.Input.Where(i => !initializers.Contains(i.Name)).Select(Describe).ToList());
        WriteSection(o, "outputs", graph.Output.Select(Describe).ToList());
        var weights = graph.Initializer.Sum(t => t.Dims.Aggregate(1L, (a, d) => a * Math.Max(d, 0)));
        o.WriteLine($"initializers: {graph.Initializer.Count} ({weights:N0} values)");
        WriteOpCounts(o, graph.Node.Select(n => n.Domain is "" or "ai.onnx" ? n.OpType : $"{n.Domain}.{n.OpType}").ToList());
    }

    private static void InspectMnn(TextWriter o, string path)
    {
        // one read: the bytes walked below are the ones the model load validated
        var bytes = UserFiles.ReadAllBytes(path, ErrorCodes.MnnFileNotFound, "MNN model");
        var model = MnnModel.FromBytes(bytes, path);
        var net = Net.GetRootAsNet(new ByteBuffer(bytes));
        o.WriteLine($"model:    {path}");
        o.WriteLine($"format:   MNN (bizCode '{net.BizCode ?? ""}', {net.TensorNameLength} tensors)");
        WriteSection(o, "inputs", model.Inputs.Select(Describe).ToList());
        WriteSection(o, "outputs", model.Outputs.Select(Describe).ToList());
        var ops = new List<string>(net.OplistsLength);
        for (var i = 0; i < net.OplistsLength; i++)
        {
            ops.Add(net.Oplists(i)?.Type.ToString() ?? "?");
        }

        WriteOpCounts(o, ops);
    }

    private static (string Name, string Type, string Shape) Describe(ValueInfoProto v)
    {
        var tensor = v.Type?.TensorType;
        if (tensor is null)
        {
            return (v.Name, v.Type is null ? "?" : "non-tensor", "?");
        }

        var type = TypeName((IrDataType)tensor.ElemType);
        if (tensor.Shape is null)
        {
            return (v.Name, type, "?");
        }

        var dims = tensor.Shape.Dim.Select(d => d.ValueCase switch
        {
            TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue => d.DimValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
            TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam => d.DimParam,
            _ => "?",
        });
        return (v.Name, type, $"[{string.Join(",", dims)}]");
    }

    private static (string Name, string Type, string Shape) Describe(TensorInfo t)
    {
        var type = t.ElementType == TensorElementType.Float32 ? "float32" : "int32";
        var shape = t.RankKnown ? $"[{string.Join(",", t.Shape.Select(d => d < 0 ? "?" : d.ToString(System.Globalization.CultureInfo.InvariantCulture)))}]" : "?";
        return (t.Name, type, shape);
    }

    internal static string TypeName(IrDataType type) => ModelBuild.Converter.Graph.DataTypeNames.Of(type);

    private static void WriteSection(TextWriter o, string title, List<(string Name, string Type, string Shape)> rows)
    {
        o.WriteLine($"{title}: {rows.Count}");
        var nameWidth = rows.Count == 0 ? 0 : rows.Max(r => r.Name.Length);
        var typeWidth = rows.Count == 0 ? 0 : rows.Max(r => r.Type.Length);
        foreach (var (name, type, shape) in rows)
        {
            o.WriteLine($"  {name.PadRight(nameWidth)}  {type.PadRight(typeWidth)}  {shape}");
        }
    }

    private static void WriteOpCounts(TextWriter o, List<string> ops)
    {
        var counts = ops.GroupBy(x => x, StringComparer.Ordinal)
            .Select(g => (Op: g.Key, Count: g.Count()))
            .OrderByDescending(x => x.Count).ThenBy(x => x.Op, StringComparer.Ordinal)
            .ToList();
        o.WriteLine($"ops: {ops.Count} nodes, {counts.Count} types");
        var width = counts.Count == 0 ? 0 : counts.Max(c => c.Op.Length);
        foreach (var (op, count) in counts)
        {
            o.WriteLine($"  {op.PadRight(width)}  {count}");
        }
    }
}
