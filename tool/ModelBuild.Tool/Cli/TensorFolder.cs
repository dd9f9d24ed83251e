using System.Globalization;
using System.Text.RegularExpressions;
using ModelBuild.Converter.Conversion;
using ModelBuild.Converter.Graph;
using ModelBuild.Converter.Onnx;
using ModelBuild.Runtime;

namespace ModelBuild.Tool.Cli;

/// <summary>
/// Reads and writes folders in the ONNX test_data_set layout: <c>input_K.pb</c> / <c>output_K.pb</c>, each one
/// serialized TensorProto. An input file goes to the model input with the tensor's name when there is one, else
/// to the model input at position K. A single .pb file instead of a folder counts as <c>input_0.pb</c>.
/// </summary>
internal static partial class TensorFolder
{
    [GeneratedRegex(@"^(input|output)_(\d+)\.pb$", RegexOptions.CultureInvariant)]
    private static partial Regex FileNamePattern();

    /// <summary>
    /// The input files of <c>--inputs</c>: a folder's <c>input_K.pb</c> files, or one regular file taken as
    /// <c>input_0.pb</c>. MB1201 when the path is missing or neither (a FIFO, a device...).
    /// </summary>
    public static IReadOnlyList<(int Index, string Path)> ListInputs(string path)
    {
        var kind = UserFiles.Probe(path);
        return kind switch
        {
            UserFileKind.Directory => ListFolder(path, "input"),
            UserFileKind.Regular or UserFileKind.Unknown => [(0, path)],
            UserFileKind.Missing => throw new ModelBuildException(ErrorCodes.TensorFileNotFound,
                $"--inputs '{path}' does not exist; give a folder of input_K.pb files (ONNX test_data_set layout) or one .pb tensor file"),
            _ => throw new ModelBuildException(ErrorCodes.TensorFileNotFound,
                $"--inputs '{path}' is {UserFiles.Describe(kind)}; give a folder of input_K.pb files (ONNX test_data_set layout) or one regular .pb tensor file"),
        };
    }

    /// <summary>The expected <c>output_K.pb</c> files of an existing folder, ordered by K.</summary>
    public static IReadOnlyList<(int Index, string Path)> ListOutputs(string folder) => ListFolder(folder, "output");

    /// <summary>The <c>PREFIX_K.pb</c> files of an existing folder, ordered by K.</summary>
    private static List<(int Index, string Path)> ListFolder(string folder, string prefix)
    {
        var files = new List<(int, string)>();
        foreach (var path in Directory.EnumerateFiles(folder))
        {
            var m = FileNamePattern().Match(Path.GetFileName(path));
            if (m.Success && m.Groups[1].Value == prefix
                && int.TryParse(m.Groups[2].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var k))
            {
                files.Add((k, path));
            }
        }

        files.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return files;
    }

    /// <summary>
    /// Reads every <c>input_K.pb</c> (or the one file <paramref name="folder"/> names) and assigns it to a model
    /// input (by tensor name, else by position K). MB4003 for a file that matches no input or an input given twice,
    /// MB4002 for an input no file provides, MB4005 for a file of the wrong element type (<see cref="InputTypeRules"/>:
    /// the ONNX type when <paramref name="onnxTypes"/> knows the input, else the .mnn input's type).
    /// </summary>
    public static Dictionary<string, Tensor> ReadInputs(string folder, IReadOnlyList<TensorInfo> modelInputs, IReadOnlyDictionary<string, DataType> onnxTypes)
    {
        var names = modelInputs.Select(i => i.Name).ToArray();
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (k, path) in ListInputs(folder))
        {
            var (tensorName, data) = TensorProtoCodec.ReadTensorFile(path);
            string target;
            if (tensorName.Length > 0 && names.Contains(tensorName, StringComparer.Ordinal))
            {
                target = tensorName;
            }
            else if (k < names.Length)
            {
                target = names[k];
            }
            else
            {
                throw new ModelBuildException(ErrorCodes.RuntimeUnknownInput, $"{path}: tensor '{tensorName}' matches no model input by name, and the model has only {names.Length} input(s) [{string.Join(", ", names)}]");
            }

            if (result.ContainsKey(target))
            {
                throw new ModelBuildException(ErrorCodes.RuntimeUnknownInput, $"{path}: model input '{target}' is given by more than one file in '{folder}'");
            }

            if (onnxTypes.TryGetValue(target, out var onnxType))
            {
                InputTypeRules.RequireOnnxType(data.Type, onnxType, target, path);
            }
            else
            {
                InputTypeRules.RequireRuntimeType(data.Type, modelInputs.First(i => i.Name == target).ElementType, target, path);
            }

            result[target] = TensorBridge.ToRuntime(data, target);
        }

        var missing = names.Where(n => !result.ContainsKey(n)).ToArray();
        if (missing.Length > 0)
        {
            throw new ModelBuildException(ErrorCodes.RuntimeMissingInput, $"'{folder}' has no input_K.pb file for model input(s) {string.Join(", ", missing.Select(n => $"'{n}'"))}");
        }

        return result;
    }

    /// <summary>Writes <c>output_K.pb</c> for each output (atomically), named after the model output.</summary>
    public static IReadOnlyList<string> WriteOutputs(string folder, IReadOnlyList<(string Name, Tensor Value, DataType? Type)> outputs)
    {
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelBuildException(ErrorCodes.OutputWriteFailed, $"cannot create output folder '{folder}': {e.Message}", e);
        }

        var written = new List<string>();
        for (var k = 0; k < outputs.Count; k++)
        {
            var (name, value, type) = outputs[k];
            var path = Path.Combine(folder, $"output_{k}.pb");
            TensorProtoCodec.WriteFile(TensorBridge.ToIr(value, type, name), name, path);
            written.Add(path);
        }

        return written;
    }
}
