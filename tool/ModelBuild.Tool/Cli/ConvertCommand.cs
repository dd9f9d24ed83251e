using System.CommandLine;
using ModelBuild.Converter.Conversion;

namespace ModelBuild.Tool.Cli;

/// <summary><c>convert MODEL.onnx [-o OUT.mnn] [--input-shape NAME=DIMS]... [--weight-precision fp32|fp16]</c>: writes an upstream-compatible .mnn file.</summary>
internal static class ConvertCommand
{
    public static Command Create(CliConsole console)
    {
        var model = new Argument<string>("MODEL.onnx") { Description = "The ONNX model to convert." };
        var output = new Option<string?>("--output", "-o")
        {
            Description = "Where to write the .mnn file (default: MODEL.mnn beside the input).",
            HelpName = "OUT.mnn",
        };
        var shapes = CommonOptions.InputShape();
        var precision = new Option<string>("--weight-precision")
        {
            Description = "Storage of float weights and constants: fp32 (default) or fp16 (as MNNConvert --fp16 writes it: about half the size; upstream MNN and this runtime compute in float32 from it).",
            HelpName = "fp32|fp16",
            DefaultValueFactory = _ => "fp32",
        };
        precision.AcceptOnlyFromAmong("fp32", "fp16");

        var command = new Command("convert", "Convert an ONNX model to MNN (.mnn).") { model, output, shapes, precision };
        command.SetAction(parse => Execute(
            console,
            parse.GetValue(model)!,
            parse.GetValue(output),
            CommonOptions.ParseInputShapes(parse.GetValue(shapes)),
            parse.GetValue(precision) == "fp16" ? WeightPrecision.Float16 : WeightPrecision.Float32));
        return command;
    }

    internal static int Execute(CliConsole console, string modelPath, string? outputPath, Dictionary<string, long[]> inputShapes, WeightPrecision precision = WeightPrecision.Float32)
    {
        CommonOptions.RequireFile(modelPath, ErrorCodes.OnnxFileNotFound, "ONNX model");
        var target = string.IsNullOrEmpty(outputPath) ? Path.ChangeExtension(modelPath, ".mnn") : outputPath;
        if (Directory.Exists(target))
        {
            throw new ModelBuildException(ErrorCodes.OutputWriteFailed, $"output '{target}' is a folder; give a file name with -o");
        }

        var result = ModelConverter.ConvertToFile(modelPath, target, new ConversionOptions { InputShapes = inputShapes, WeightPrecision = precision });
        foreach (var warning in result.Warnings)
        {
            console.Warning(warning.Code, warning.Message);
        }

        console.Out.WriteLine($"wrote {target} ({result.Bytes.Length:N0} bytes, {result.Net.Oplists.Count} ops)");
        return ExitCodes.Success;
    }
}
