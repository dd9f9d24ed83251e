using ModelBuild.Converter.Graph;
using ModelBuild.Converter.Onnx;

namespace ModelBuild.Converter.Parity.Inputs;

/// <summary>
/// Loads user samples: a test_data_set folder (input_K.pb, one sample), a folder of test_data_set_* folders,
/// a folder of single files, or single .pb / .npy / PNG / JPEG files (one sample each; single-input models only).
/// Tensors must match the input's shape chosen for the check (MB4001 otherwise) and its ONNX element type exactly
/// (MB4005 otherwise, the same rule as <c>run</c>: <see cref="Conversion.InputTypeRules"/>); images are converted.
/// </summary>
public static class UserSampleLoader
{
    public static List<ParitySample> Load(IEnumerable<string> paths, IReadOnlyList<InputSignature> inputs, ImagePreprocessing image)
    {
        var samples = new List<ParitySample>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                LoadDirectory(path, inputs, image, samples);
            }
            else if (UserFiles.IsRegularFile(path))
            {
                samples.Add(SingleFile(path, inputs, image));
            }
            else
            {
                var kind = UserFiles.Probe(path);
                throw new ModelBuildException(ErrorCodes.TensorFileNotFound, kind == UserFileKind.Missing
                    ? $"--inputs '{path}' is neither a file nor a folder"
                    : $"--inputs '{path}' is {UserFiles.Describe(kind)}, neither a regular file nor a folder");
            }
        }

        return samples;
    }

    private static void LoadDirectory(string dir, IReadOnlyList<InputSignature> inputs, ImagePreprocessing image, List<ParitySample> samples)
    {
        var pbs = Directory.GetFiles(dir, "input_*.pb");
        if (pbs.Length > 0)
        {
            samples.Add(TestDataSet(dir, pbs, inputs));
            return;
        }

        var sets = Directory.GetDirectories(dir).Where(d => Directory.GetFiles(d, "input_*.pb").Length > 0).Order(StringComparer.Ordinal).ToArray();
        if (sets.Length > 0)
        {
            foreach (var set in sets)
            {
                samples.Add(TestDataSet(set, Directory.GetFiles(set, "input_*.pb"), inputs));
            }

            return;
        }

        var files = Directory.GetFiles(dir).Where(f => ImageSampleReader.IsImage(f) || f.EndsWith(".npy", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".pb", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal).ToArray();
        if (files.Length == 0)
        {
            throw new ModelBuildException(ErrorCodes.TensorFileNotFound, $"--inputs folder '{dir}' holds no input_K.pb, test_data_set_*, .npy, .pb or image files");
        }

        foreach (var f in files)
        {
            samples.Add(SingleFile(f, inputs, image));
        }
    }

    private static ParitySample TestDataSet(string dir, string[] pbs, IReadOnlyList<InputSignature> inputs)
    {
        var byIndex = new SortedDictionary<int, string>();
        foreach (var pb in pbs)
        {
            var stem = Path.GetFileNameWithoutExtension(pb)["input_".Length..];
            if (!int.TryParse(stem, out var k) || k < 0)
            {
                throw new ModelBuildException(ErrorCodes.TensorFileMalformed, $"'{pb}' is not named input_K.pb with a number K");
            }

            byIndex[k] = pb;
        }

        var tensors = new Dictionary<string, TensorData>(StringComparer.Ordinal);
        foreach (var (k, pb) in byIndex)
        {
            var (name, data) = TensorProtoCodec.ReadTensorFile(pb);
            var input = inputs.FirstOrDefault(i => i.Name == name) ?? (k < inputs.Count ? inputs[k] : null);
            if (input is null)
            {
                throw new ModelBuildException(ErrorCodes.RuntimeUnknownInput, $"'{pb}' (tensor '{name}') matches no model input: the model has {inputs.Count} inputs ({string.Join(", ", inputs.Select(i => i.Name))})");
            }

            tensors[input.Name] = Check(data, input, pb);
        }

        foreach (var input in inputs)
        {
            if (!tensors.ContainsKey(input.Name))
            {
                throw new ModelBuildException(ErrorCodes.RuntimeMissingInput, $"test data folder '{dir}' has no tensor for input '{input.Name}'");
            }
        }

        return new ParitySample { Id = Path.GetFileName(Path.TrimEndingDirectorySeparator(dir)), Origin = dir, Inputs = tensors };
    }

    private static ParitySample SingleFile(string path, IReadOnlyList<InputSignature> inputs, ImagePreprocessing image)
    {
        if (inputs.Count != 1)
        {
            throw new ModelBuildException(ErrorCodes.UsageError,
                $"'{path}' is a single tensor but the model has {inputs.Count} inputs ({string.Join(", ", inputs.Select(i => i.Name))}); give a test_data_set folder with input_K.pb files");
        }

        var input = inputs[0];
        TensorData data;
        if (ImageSampleReader.IsImage(path))
        {
            data = ImageSampleReader.Read(path, input, image);
        }
        else if (path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
        {
            data = Check(NpyReader.ReadFile(path), input, path);
        }
        else if (path.EndsWith(".pb", StringComparison.OrdinalIgnoreCase))
        {
            data = Check(TensorProtoCodec.ReadTensorFile(path).Data, input, path);
        }
        else
        {
            throw new ModelBuildException(ErrorCodes.TensorFileUnsupportedType, $"'{path}': unknown sample file type (use .pb, .npy, .png, .jpg)");
        }

        return new ParitySample { Id = Path.GetFileNameWithoutExtension(path), Origin = path, Inputs = new Dictionary<string, TensorData> { [input.Name] = data } };
    }

    /// <summary>Shape must equal the check's shape, element type the input's ONNX type.</summary>
    private static TensorData Check(TensorData data, InputSignature input, string path)
    {
        Conversion.InputTypeRules.RequireOnnxType(data.Type, input.Type, input.Name, path);
        if (!data.Shape.SequenceEqual(input.Shape))
        {
            throw new ModelBuildException(ErrorCodes.RuntimeShapeMismatch,
                $"'{path}' has shape [{string.Join(",", data.Shape)}] but input '{input.Name}' is checked with [{string.Join(",", input.Shape)}] (set it with --input-shape)");
        }

        return data;
    }
}
