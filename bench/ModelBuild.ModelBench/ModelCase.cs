using ModelBuild.Converter.Conversion;
using ModelBuild.Converter.Graph;
using ModelBuild.Converter.Onnx;
using ModelBuild.Runtime;
using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.ModelBench;

/// <summary>
/// One benchmarked model: the ONNX file, its test_data_set_0 inputs, and the in-memory conversion to MNN
/// (converted once, so conversion time never enters a measurement).
/// </summary>
internal sealed class ModelCase
{
    private ModelCase(string name, string onnxPath, IReadOnlyList<(string Name, TensorData Data)> inputs, ConversionResult conversion)
    {
        Name = name;
        OnnxPath = onnxPath;
        Inputs = inputs;
        Conversion = conversion;
        Model = MnnModel.FromBytes(conversion.Bytes);
        RuntimeInputs = inputs.ToDictionary(i => i.Name, i => TensorBridge.ToRuntime(i.Data, i.Name), StringComparer.Ordinal);
    }

    public string Name { get; }

    public string OnnxPath { get; }

    /// <summary>The ONNX inputs as read from input_K.pb (ONNX names and types; ORT is fed these).</summary>
    public IReadOnlyList<(string Name, TensorData Data)> Inputs { get; }

    public ConversionResult Conversion { get; }

    public NetT Net => Conversion.Net;

    public MnnModel Model { get; }

    /// <summary>The same inputs as runtime tensors (the session copies them, so they can be reused).</summary>
    public IReadOnlyDictionary<string, Tensor> RuntimeInputs { get; }

    /// <summary>Loads <paramref name="onnxPath"/>; inputs come from <paramref name="dataDir"/>/input_K.pb in K order.</summary>
    public static ModelCase Load(string name, string onnxPath, string dataDir)
    {
        var files = Directory.GetFiles(dataDir, "input_*.pb")
            .OrderBy(f => int.Parse(Path.GetFileNameWithoutExtension(f)["input_".Length..], System.Globalization.CultureInfo.InvariantCulture))
            .ToList();
        if (files.Count == 0)
        {
            throw new InvalidOperationException($"{dataDir}: no input_K.pb files");
        }

        var inputs = files.Select(TensorProtoCodec.ReadTensorFile).ToList();
        var conversion = ModelConverter.Convert(onnxPath, new ConversionOptions());
        return new ModelCase(name, onnxPath, inputs, conversion);
    }
}
