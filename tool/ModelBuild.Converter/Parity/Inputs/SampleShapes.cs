using ModelBuild.Converter.Graph;
using ModelBuild.Converter.Onnx;

namespace ModelBuild.Converter.Parity.Inputs;

/// <summary>
/// Shapes for inputs whose declared shape has symbolic dims, taken from the first test_data_set the user gave
/// (its input_K.pb files, matched by tensor name, else by K): the samples fix the shapes, so the user need not repeat
/// them with --input-shape. Shapes given with --input-shape win; a file that cannot be read is left to the sample
/// loader, which reports it precisely.
/// </summary>
internal static class SampleShapes
{
    public static IReadOnlyDictionary<string, long[]> With(IReadOnlyDictionary<string, long[]> given, IEnumerable<string> paths, ModelGraph graph)
    {
        var result = new Dictionary<string, long[]>(given, StringComparer.Ordinal);
        var set = paths.Where(Directory.Exists).Select(FirstSet).FirstOrDefault(s => s is not null);
        if (set is null)
        {
            return result;
        }

        foreach (var pb in Directory.GetFiles(set, "input_*.pb").Order(StringComparer.Ordinal))
        {
            if (!int.TryParse(Path.GetFileNameWithoutExtension(pb)["input_".Length..], out var k))
            {
                continue;
            }

            Onnx.Proto.TensorProto header;
            try
            {
                header = TensorProtoCodec.ReadFile(pb);
            }
            catch (ModelBuildException)
            {
                continue;
            }

            var name = graph.Inputs.Contains(header.Name) ? header.Name : k < graph.Inputs.Count ? graph.Inputs[k] : null;
            if (name is null || result.ContainsKey(name) || graph.GetValue(name).Shape is { } declared && (declared.All(d => d.IsKnown) || declared.Length != header.Dims.Count) || header.Dims.Any(d => d < 1))
            {
                continue;
            }

            result[name] = [.. header.Dims];
        }

        return result;
    }

    private static string? FirstSet(string dir) =>
        Directory.GetFiles(dir, "input_*.pb").Length > 0
            ? dir
            : Directory.GetDirectories(dir).Order(StringComparer.Ordinal).FirstOrDefault(d => Directory.GetFiles(d, "input_*.pb").Length > 0);
}
