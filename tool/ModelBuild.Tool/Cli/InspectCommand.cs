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
/// dims), op counts by type and, for ONNX, the producer and opset imports. Output shapes a model does not declare
/// are planned for its declared input shapes (<see cref="OutputShapes"/>).
/// </summary>
internal static class InspectCommand
{
    public static Command Create(CliConsole console)
    {
        var model = new Argument<string>("MODEL") { Description = "An .onnx or .mnn model." };
        var json = CommonOptions.Json();
        var command = new Command("inspect", "Show a model's inputs, outputs and operators.") { model, json };
        command.SetAction(parse => Execute(console, parse.GetValue(model)!, parse.GetValue(json)));
        return command;
    }

    internal static int Execute(CliConsole console, string path, bool json = false)
    {
        ModelDescription d;
        if (ModelFormats.FromPath(path) == ModelFormat.Onnx)
        {
            CommonOptions.RequireFile(path, ErrorCodes.OnnxFileNotFound, "ONNX model");
            d = DescribeOnnx(path);
        }
        else
        {
            CommonOptions.RequireFile(path, ErrorCodes.MnnFileNotFound, "MNN model");
            d = DescribeMnn(path);
        }

        if (json)
        {
            JsonOutput.Write(console.Out, w => d.WriteJson(w));
        }
        else
        {
            d.WriteText(console.Out);
        }

        return ExitCodes.Success;
    }

    private static ModelDescription DescribeOnnx(string path)
    {
        var model = OnnxModelLoader.Load(path);
        var graph = model.Graph ?? throw new ModelBuildException(ErrorCodes.OnnxInvalidGraph, $"ONNX model '{path}' has no graph");
        var initializers = graph.Initializer.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var inputs = graph.Input.Where(i => !initializers.Contains(i.Name)).Select(Describe).ToArray();
        var (outputs, note) = OutputShapes.ForOnnx(path, inputs, [.. graph.Output.Select(Describe)]);
        return new ModelDescription
        {
            Path = path,
            Format = "onnx",
            FormatLine = $"ONNX (ir_version {model.IrVersion})",
            IrVersion = model.IrVersion,
            Producer = string.IsNullOrEmpty(model.ProducerName) ? null : $"{model.ProducerName} {model.ProducerVersion}".TrimEnd(),
            Opsets = [.. model.OpsetImport.Select(i => (i.Domain.Length == 0 ? "ai.onnx" : i.Domain, i.Version))],
            Inputs = inputs,
            Outputs = outputs,
            OutputShapeNote = note,
            Initializers = graph.Initializer.Count,
            WeightValues = graph.Initializer.Sum(t => t.Dims.Aggregate(1L, (a, d) => a * Math.Max(d, 0))),
            Ops = [.. graph.Node.Select(n => n.Domain is "" or "ai.onnx" ? n.OpType : $"{n.Domain}.{n.OpType}")],
        };
    }

    private static ModelDescription DescribeMnn(string path)
    {
        // one read: the bytes walked below are the ones the model load validated
        var bytes = UserFiles.ReadAllBytes(path, ErrorCodes.MnnFileNotFound, "MNN model");
        var model = MnnModel.FromBytes(bytes, path);
        var net = Net.GetRootAsNet(new ByteBuffer(bytes));
        var ops = new List<string>(net.OplistsLength);
        for (var i = 0; i < net.OplistsLength; i++)
        {
            ops.Add(net.Oplists(i)?.Type.ToString() ?? "?");
        }

        var (outputs, note) = OutputShapes.ForMnn(model);
        return new ModelDescription
        {
            Path = path,
            Format = "mnn",
            FormatLine = $"MNN (bizCode '{net.BizCode ?? ""}', {net.TensorNameLength} tensors)",
            BizCode = net.BizCode ?? "",
            Tensors = net.TensorNameLength,
            Inputs = [.. model.Inputs.Select(OutputShapes.Describe)],
            Outputs = outputs,
            OutputShapeNote = note,
            Ops = ops,
        };
    }

    private static ValueDescription Describe(ValueInfoProto v)
    {
        var tensor = v.Type?.TensorType;
        if (tensor is null)
        {
            return new(v.Name, v.Type is null ? "?" : "non-tensor", null);
        }

        var type = TypeName((IrDataType)tensor.ElemType);
        if (tensor.Shape is null)
        {
            return new(v.Name, type, null);
        }

        var dims = tensor.Shape.Dim.Select(d => d.ValueCase switch
        {
            TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue => new Dim(d.DimValue, null),
            TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam => new Dim(null, d.DimParam),
            _ => new Dim(null, null),
        });
        return new(v.Name, type, [.. dims]);
    }

    internal static string TypeName(IrDataType type) => ModelBuild.Converter.Graph.DataTypeNames.Of(type);
}
