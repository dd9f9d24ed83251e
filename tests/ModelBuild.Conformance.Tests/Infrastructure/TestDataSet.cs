using System.Globalization;
using System.Text.RegularExpressions;
using ModelBuild.Converter.Conversion;
using ModelBuild.Converter.Graph;
using ModelBuild.Converter.Onnx;
using ModelBuild.Runtime;

namespace ModelBuild.Conformance.Tests.Infrastructure;

/// <summary>One expected output paired with what our runtime produced.</summary>
public sealed record OutputPair(string Name, Tensor Got, TensorData Expected);

/// <summary>
/// Reads ONNX test_data_set_N folders (input_K.pb / output_K.pb TensorProto files) and runs them through a session.
/// Inputs go to the model input of the tensor's name when it has one, else the input at position K; outputs
/// are paired the same way.
/// </summary>
public static partial class TestDataSet
{
    [GeneratedRegex(@"^test_data_set_(\d+)$")]
    private static partial Regex SetPattern();

    [GeneratedRegex(@"^(input|output)_(\d+)\.pb$")]
    private static partial Regex FilePattern();

    /// <summary>The test_data_set_N folders of a case, ordered by N.</summary>
    public static IReadOnlyList<string> Folders(string caseDir) =>
        Directory.EnumerateDirectories(caseDir)
            .Select(d => (Dir: d, M: SetPattern().Match(Path.GetFileName(d))))
            .Where(x => x.M.Success)
            .OrderBy(x => int.Parse(x.M.Groups[1].Value, CultureInfo.InvariantCulture))
            .Select(x => x.Dir)
            .ToList();

    /// <summary>The PREFIX_K.pb tensors of a folder ordered by K: (K, tensor name, data).</summary>
    public static IReadOnlyList<(int Index, string Name, TensorData Data)> Read(string dir, string prefix) =>
        Directory.EnumerateFiles(dir)
            .Select(f => (File: f, M: FilePattern().Match(Path.GetFileName(f))))
            .Where(x => x.M.Success && x.M.Groups[1].Value == prefix)
            .Select(x => (Index: int.Parse(x.M.Groups[2].Value, CultureInfo.InvariantCulture), x.File))
            .OrderBy(x => x.Index)
            .Select(x =>
            {
                var (name, data) = TensorProtoCodec.ReadTensorFile(x.File);
                return (x.Index, name, data);
            })
            .ToList();

    /// <summary>Maps input files to model inputs (by name, else position) and converts them to runtime tensors.</summary>
    public static Dictionary<string, Tensor> Inputs(string dir, IReadOnlyList<TensorInfo> modelInputs)
    {
        var names = modelInputs.Select(i => i.Name).ToList();
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (k, name, data) in Read(dir, "input"))
        {
            var target = names.Contains(name) ? name : k < names.Count ? names[k] : null;
            if (target is null)
            {
                // An input the converted model does not take (e.g. an optional input folded away): ignore it.
                continue;
            }

            result[target] = TensorBridge.ToRuntime(data, target);
        }

        return result;
    }

    /// <summary>Runs one data set and pairs every expected output with the matching runtime output.</summary>
    /// <remarks><paramref name="expected"/> replaces the stored outputs (see DisputedExpectations).</remarks>
    public static (IReadOnlyList<OutputPair> Pairs, string? CountMismatch) Run(MnnSession session, string dir, IReadOnlyList<(int Index, string Name, TensorData Data)>? expected = null)
    {
        var inputs = Inputs(dir, session.Model.Inputs);
        var outputs = session.Run(inputs);
        expected ??= Read(dir, "output");
        var pairs = new List<OutputPair>();
        foreach (var (k, name, data) in expected)
        {
            Tensor? got = null;
            if (name.Length > 0 && outputs.TryGetValue(name, out var byName))
            {
                got = byName;
            }
            else if (k < session.OutputNames.Count)
            {
                got = outputs[session.OutputNames[k]];
            }

            if (got is null)
            {
                return (pairs, $"expected output {k} ('{name}') but the model has {session.OutputNames.Count} output(s)");
            }

            pairs.Add(new OutputPair(name.Length > 0 ? name : session.OutputNames[k], got, data));
        }

        return (pairs, null);
    }

    public static bool ShapeMatches(Tensor got, TensorData expected) =>
        got.Shape.Count == expected.Shape.Length && got.Shape.Select(d => (long)d).SequenceEqual(expected.Shape);
}
