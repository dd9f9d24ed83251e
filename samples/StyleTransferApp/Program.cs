using System.Globalization;
using ModelBuild.Runtime;

// Loads the .mnn that <OnnxModel> produced at build time (copied next to the app), runs it once on a seeded,
// non-constant image-like input and prints the output's shape and statistics.
var path = Path.Combine(AppContext.BaseDirectory, "mosaic-mini.mnn");
if (!File.Exists(path))
{
    Console.Error.WriteLine($"{path} is missing: build the app (the OnnxModel item converts samples/models/mosaic-mini.onnx)");
    return 1;
}

var model = MnnModel.Load(path);
using var session = new MnnSession(model);
var info = model.Inputs[0];
var shape = info.Shape.Select(d => d > 0 ? d : 1).ToArray(); // symbolic dims → 1
var input = SeededImage.Create(shape, seed: 42);

var outputs = session.Run(new Dictionary<string, Tensor> { [info.Name] = input });
Console.WriteLine($"model:  {path} ({new FileInfo(path).Length:N0} bytes, {model.Inputs.Count} input(s), {model.Outputs.Count} output(s))");
Console.WriteLine($"input:  {info.Name} [{string.Join("x", shape)}], seed 42");
foreach (var (name, tensor) in outputs)
{
    var values = tensor.Floats;
    double min = double.MaxValue, max = double.MinValue, sum = 0;
    foreach (var v in values)
    {
        min = Math.Min(min, v);
        max = Math.Max(max, v);
        sum += v;
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"output: {name} [{string.Join("x", tensor.Shape)}] min {min:G6} max {max:G6} mean {sum / values.Length:G6}"));
}

return 0;
