using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using ModelBuild.Converter.Graph;
using ModelBuild.Converter.Onnx;
using ModelBuild.SampleModels;

// Regenerates samples/models/mosaic-mini.onnx and its test_data_set_0 (input from a seeded smooth image,
// expected output computed by ONNX Runtime). Usage: dotnet run --project samples/ModelBuild.SampleModels [-- OUT_DIR]
var outDir = args.Length > 0 ? args[0] : Path.Combine(FindRepoRoot(), "samples", "models");
Directory.CreateDirectory(outDir);

var model = MosaicMini.Build();
var modelBytes = model.ToByteArray();
var modelPath = Path.Combine(outDir, "mosaic-mini.onnx");
File.WriteAllBytes(modelPath, modelBytes);

var dataDir = Path.Combine(outDir, "mosaic-mini", "test_data_set_0");
Directory.CreateDirectory(dataDir);
long[] shape = [1, 3, MosaicMini.Size, MosaicMini.Size];
var image = SmoothImage.Generate(3, MosaicMini.Size, MosaicMini.Size);
TensorProtoCodec.WriteFile(new TensorData(DataType.Float, shape, image), "input", Path.Combine(dataDir, "input_0.pb"));

// Reference output from ONNX Runtime, so the sample can be checked, not only run.
using (var session = new InferenceSession(modelBytes))
using (var input = OrtValue.CreateTensorValueFromMemory(image, shape))
using (var runOptions = new RunOptions())
using (var results = session.Run(runOptions, ["input"], [input], ["output"]))
{
    var output = results[0];
    var outShape = output.GetTensorTypeAndShape().Shape;
    var values = output.GetTensorDataAsSpan<float>().ToArray();
    TensorProtoCodec.WriteFile(new TensorData(DataType.Float, outShape, values), "output", Path.Combine(dataDir, "output_0.pb"));
    Console.WriteLine($"reference output [{string.Join(",", outShape)}] min={values.Min():G6} max={values.Max():G6}");
}

Console.WriteLine($"wrote {modelPath} ({modelBytes.Length:N0} bytes) and {dataDir}");
return 0;

static string FindRepoRoot()
{
    for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "ModelBuild.sln")))
        {
            return dir.FullName;
        }
    }

    throw new InvalidOperationException("run from inside the repository (ModelBuild.sln not found above the current folder), or pass an output folder");
}
