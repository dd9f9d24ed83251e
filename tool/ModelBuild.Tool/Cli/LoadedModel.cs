using ModelBuild.Converter.Conversion;
using ModelBuild.Runtime;
using IrDataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Tool.Cli;

/// <summary>
/// A model ready to run: an .mnn file as is, or an .onnx file converted in memory first. For ONNX sources the
/// declared ONNX output types are kept so output files can be written in them (e.g. int64 rather than int32).
/// </summary>
internal sealed class LoadedModel
{
    private LoadedModel(MnnModel model, IReadOnlyDictionary<string, IrDataType> onnxTypes, IReadOnlyList<(string Code, string Message)> warnings)
    {
        Model = model;
        OnnxTypes = onnxTypes;
        Warnings = warnings;
    }

    public MnnModel Model { get; }

    /// <summary>ONNX element type by tensor name (empty for .mnn sources).</summary>
    public IReadOnlyDictionary<string, IrDataType> OnnxTypes { get; }

    public IReadOnlyList<(string Code, string Message)> Warnings { get; }

    public static LoadedModel Load(string path, Dictionary<string, long[]> inputShapes)
    {
        if (ModelFormats.FromPath(path) == ModelFormat.Mnn)
        {
            CommonOptions.RequireFile(path, ErrorCodes.MnnFileNotFound, "MNN model");
            if (inputShapes.Count > 0)
            {
                throw new ModelBuildException(ErrorCodes.UsageError, "--input-shape applies to ONNX models only; an .mnn model takes its shapes from the input files");
            }

            return new LoadedModel(MnnModel.Load(path), new Dictionary<string, IrDataType>(), []);
        }

        CommonOptions.RequireFile(path, ErrorCodes.OnnxFileNotFound, "ONNX model");
        var result = ModelConverter.Convert(path, new ConversionOptions { InputShapes = inputShapes });
        var types = new Dictionary<string, IrDataType>(StringComparer.Ordinal);
        foreach (var name in result.Graph.Inputs.Concat(result.Graph.Outputs))
        {
            if (result.Graph.Values.TryGetValue(name, out var v) && v.Type != IrDataType.Undefined)
            {
                types[name] = v.Type;
            }
        }

        var warnings = result.Warnings.Select(w => (w.Code, w.Message)).ToArray();
        return new LoadedModel(MnnModel.FromBytes(result.Bytes, path), types, warnings);
    }
}
