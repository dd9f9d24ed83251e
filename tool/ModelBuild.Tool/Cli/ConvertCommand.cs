using System.CommandLine;
using ModelBuild.Converter.Conversion;

namespace ModelBuild.Tool.Cli;

/// <summary><c>convert MODEL.onnx [-o OUT.mnn] [--input-shape NAME=DIMS]... [--weight-precision fp32|fp16|int8|int8-symmetric]</c>: writes an upstream-compatible .mnn file.</summary>
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
            Description = "Storage of float weights and constants: fp32 (default), fp16 (as MNNConvert --fp16 writes it: about half the size), "
                + "int8 (convolution weights quantized per channel, as MNNConvert --weightQuantBits 8 writes them: about a quarter of the size) "
                + "or int8-symmetric (as --weightQuantBits 8 --weightQuantAsymmetric=0). Upstream MNN and this runtime compute in float32 from them.",
            HelpName = "fp32|fp16|int8|int8-symmetric",
            DefaultValueFactory = _ => "fp32",
        };
        precision.AcceptOnlyFromAmong(PrecisionNames.Keys.ToArray());

        var command = new Command("convert", "Convert an ONNX model to MNN (.mnn).") { model, output, shapes, precision };
        command.SetAction(parse => Execute(
            console,
            parse.GetValue(model)!,
            parse.GetValue(output),
            CommonOptions.ParseInputShapes(parse.GetValue(shapes)),
            PrecisionNames[parse.GetValue(precision)!]));
        return command;
    }

    /// <summary>--weight-precision values (the MSBuild WeightPrecision metadata takes the same names).</summary>
    internal static readonly IReadOnlyDictionary<string, WeightPrecision> PrecisionNames = new Dictionary<string, WeightPrecision>(StringComparer.Ordinal)
    {
        ["fp32"] = WeightPrecision.Float32,
        ["fp16"] = WeightPrecision.Float16,
        ["int8"] = WeightPrecision.Int8,
        ["int8-symmetric"] = WeightPrecision.Int8Symmetric,
    };

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
        if (precision != WeightPrecision.Float32)
        {
            console.Out.WriteLine(SavingLine(result));
        }

        return ExitCodes.Success;
    }

    /// <summary>
    /// "weights int8: F -> S bytes (P%), file N bytes": the float32 bytes of the compressed weights and what they
    /// take in the file (MSBuild logs this line as a message of its own).
    /// </summary>
    internal static string SavingLine(ConversionResult result)
    {
        var name = PrecisionNames.First(p => p.Value == result.WeightPrecision).Key;
        var share = result.FloatWeightBytes == 0 ? 0 : 100.0 * result.StoredWeightBytes / result.FloatWeightBytes;
        return FormattableString.Invariant(
            $"weights {name}: {result.FloatWeightBytes:N0} -> {result.StoredWeightBytes:N0} bytes ({share:0.0}%), file {result.Bytes.Length:N0} bytes");
    }
}
