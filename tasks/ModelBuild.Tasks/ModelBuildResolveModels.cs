using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace ModelBuild.Tasks;

/// <summary>
/// Computes, for every OnnxModel item, where its .mnn goes (obj/…/modelbuild/&lt;relative dir&gt;/name.mnn and the same
/// relative path under bin/), its stamp files and their contents, and the extra files conversion and the parity check
/// read. Runs no process and writes nothing; the targets use its outputs as Inputs/Outputs and to add None /
/// EmbeddedResource items.
/// </summary>
public sealed class ModelBuildResolveModels : Microsoft.Build.Utilities.Task
{
    [Required]
    public ITaskItem[] Models { get; set; } = [];

    /// <summary>The project folder: relative item paths and ParityInputs resolve against it.</summary>
    [Required]
    public string ProjectDirectory { get; set; } = "";

    /// <summary>Folder of the generated files, e.g. obj/Debug/net10.0/modelbuild/.</summary>
    [Required]
    public string IntermediateDirectory { get; set; } = "";

    [Required]
    public string ConverterPath { get; set; } = "";

    /// <summary>The items with resolved metadata (see <see cref="ModelMetadata"/>), one per model.</summary>
    [Output]
    public ITaskItem[] ResolvedModels { get; private set; } = [];

    /// <summary>The .mnn files, with Link, CopyToOutputDirectory, CopyToPublishDirectory, EmbedAsResource and LogicalName.</summary>
    [Output]
    public ITaskItem[] OutputFiles { get; private set; } = [];

    /// <summary>External data files of all models (extra Inputs of the convert target).</summary>
    [Output]
    public ITaskItem[] ConvertInputs { get; private set; } = [];

    /// <summary>Sample files of all models (extra Inputs of the check target).</summary>
    [Output]
    public ITaskItem[] CheckInputs { get; private set; } = [];

    public override bool Execute()
    {
        var projectDir = EnsureTrailingSeparator(Path.GetFullPath(ProjectDirectory));
        var intermediate = EnsureTrailingSeparator(Path.GetFullPath(Path.Combine(projectDir, IntermediateDirectory)));
        var converter = ModelDependencies.ConverterIdentity(Path.GetFullPath(Path.Combine(projectDir, ConverterPath)));
        var resolved = new List<ITaskItem>();
        var outputs = new List<ITaskItem>();
        var convertInputs = new SortedSet<string>(StringComparer.Ordinal);
        var checkInputs = new SortedSet<string>(StringComparer.Ordinal);
        var owners = new Dictionary<string, string>(PathComparer);

        foreach (var model in Models)
        {
            var item = Resolve(model, projectDir, intermediate, converter);
            if (item is null)
            {
                continue;
            }

            var output = item.GetMetadata(ModelMetadata.OutputFile);
            if (owners.TryGetValue(output, out var other))
            {
                Log.LogError(null, BuildErrorCodes.DuplicateOutput, null, model.ItemSpec, 0, 0, 0, 0,
                    "OnnxModel '{0}' and '{1}' would both write '{2}'; give one of them OutputName or Link metadata", other, model.ItemSpec, item.GetMetadata(ModelMetadata.TargetPath));
                continue;
            }

            owners.Add(output, model.ItemSpec);
            resolved.Add(item);
            outputs.Add(OutputItem(item));
            convertInputs.UnionWith(ModelDependencies.SplitList(item.GetMetadata(ModelMetadata.ExternalDataFiles)));
            if (item.GetMetadata(ModelMetadata.ParityGate) != GateModes.Off)
            {
                checkInputs.UnionWith(ModelDependencies.SampleFiles(ModelDependencies.SplitList(item.GetMetadata(ModelMetadata.ParityInputPaths))));
            }
        }

        ResolvedModels = [.. resolved];
        OutputFiles = [.. outputs];
        ConvertInputs = [.. convertInputs.Select(f => new TaskItem(f))];
        CheckInputs = [.. checkInputs.Select(f => new TaskItem(f))];
        return !Log.HasLoggedErrors;
    }

    private static StringComparer PathComparer =>
        Path.DirectorySeparatorChar == '\\' ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;

    private TaskItem? Resolve(ITaskItem model, string projectDir, string intermediate, string converter)
    {
        var onnx = Path.GetFullPath(Path.Combine(projectDir, model.ItemSpec));
        var gate = GateModes.Normalize(model.GetMetadata(ModelMetadata.ParityGate));
        if (gate is null)
        {
            Invalid(model, $"ParityGate '{model.GetMetadata(ModelMetadata.ParityGate)}' is not one of Error, Warning, Off");
            return null;
        }

        if (GateModes.Normalize(model.GetMetadata(ModelMetadata.ParityEmulateGate)) is not (GateModes.Error or GateModes.Warning))
        {
            Invalid(model, $"ParityEmulateGate '{model.GetMetadata(ModelMetadata.ParityEmulateGate)}' is not one of Warning, Error");
            return null;
        }

        var precision = model.GetMetadata(ModelMetadata.WeightPrecision).Trim().ToLowerInvariant() switch
        {
            "" or "fp32" => "fp32",
            "fp16" => "fp16",
            "int8" => "int8",
            "int8-symmetric" => "int8-symmetric",
            _ => null,
        };
        if (precision is null)
        {
            Invalid(model, $"WeightPrecision '{model.GetMetadata(ModelMetadata.WeightPrecision)}' is not one of fp32, fp16, int8, int8-symmetric");
            return null;
        }

        var targetPath = TargetPath(model, onnx, projectDir);
        if (targetPath is null)
        {
            return null;
        }

        var item = new TaskItem(model);
        var output = Path.GetFullPath(Path.Combine(intermediate, targetPath));
        var report = model.GetMetadata(ModelMetadata.ParityReport);
        report = report.Length == 0 ? Path.ChangeExtension(output, ".parity") : Path.GetFullPath(Path.Combine(projectDir, report));
        var sampleDirs = ModelDependencies.SplitList(model.GetMetadata(ModelMetadata.ParityInputs)).Select(p => Path.GetFullPath(Path.Combine(projectDir, p))).ToList();
        var external = ModelDependencies.ExternalData(onnx, model.GetMetadata(ModelMetadata.ExternalData), projectDir);

        item.SetMetadata(ModelMetadata.OnnxFile, onnx);
        item.SetMetadata(ModelMetadata.OutputFile, output);
        item.SetMetadata(ModelMetadata.TargetPath, targetPath);
        item.SetMetadata(ModelMetadata.ParityGate, gate);
        item.SetMetadata(ModelMetadata.WeightPrecision, precision);
        item.SetMetadata(ModelMetadata.ParityReport, report);
        item.SetMetadata(ModelMetadata.ParityInputPaths, string.Join(";", sampleDirs));
        item.SetMetadata(ModelMetadata.ExternalDataFiles, string.Join(";", external));
        item.SetMetadata(ModelMetadata.ConvertStamp, output + ".convert.stamp");
        item.SetMetadata(ModelMetadata.CheckStamp, output + ".check.stamp");
        item.SetMetadata(ModelMetadata.CheckMarker, output + ".check.passed");
        item.SetMetadata(ModelMetadata.ConvertStampContent, ConvertStamp(item, converter));
        item.SetMetadata(ModelMetadata.CheckStampContent, CheckStamp(item, converter));
        return item;
    }

    /// <summary>
    /// Path of the .mnn relative to bin/ (and to obj/…/modelbuild/): Link when given (a folder when it ends with a
    /// separator), else the model's folder relative to the project (RecursiveDir for models outside it) + OutputName.
    /// </summary>
    private string? TargetPath(ITaskItem model, string onnx, string projectDir)
    {
        var name = model.GetMetadata(ModelMetadata.OutputName);
        name = name.Length == 0 ? Path.GetFileNameWithoutExtension(onnx) + ".mnn" : name;
        if (name.IndexOfAny(['/', '\\']) >= 0 || name is "." or "..")
        {
            Invalid(model, $"OutputName '{name}' must be a file name without folders (use Link for a folder)");
            return null;
        }

        var link = model.GetMetadata(ModelMetadata.Link).Replace('\\', '/');
        string relative;
        if (link.Length > 0)
        {
            relative = link.EndsWith("/", StringComparison.Ordinal) ? link + name
                : link.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) ? link.Substring(0, link.Length - 5) + ".mnn"
                : link;
        }
        else if (onnx.StartsWith(projectDir, Path.DirectorySeparatorChar == '\\' ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal))
        {
            var dir = Path.GetDirectoryName(onnx.Substring(projectDir.Length)) ?? "";
            relative = (dir.Length == 0 ? "" : dir.Replace('\\', '/') + "/") + name;
        }
        else
        {
            relative = model.GetMetadata("RecursiveDir").Replace('\\', '/') + name;
        }

        if (Path.IsPathRooted(relative) || relative.Split('/').Any(s => s == ".."))
        {
            Invalid(model, $"the output path '{relative}' must stay inside the output folder (no rooted paths or '..' in Link)");
            return null;
        }

        return relative.TrimStart('/').Replace('/', Path.DirectorySeparatorChar);
    }

    private static TaskItem OutputItem(ITaskItem model)
    {
        var output = new TaskItem(model.GetMetadata(ModelMetadata.OutputFile));
        var targetPath = model.GetMetadata(ModelMetadata.TargetPath);
        var copy = model.GetMetadata(ModelMetadata.CopyToOutputDirectory);
        copy = copy.Length == 0 ? "PreserveNewest" : copy;
        var publish = model.GetMetadata(ModelMetadata.CopyToPublishDirectory);
        var embed = IsTrue(model.GetMetadata(ModelMetadata.EmbedAsResource));
        var logical = model.GetMetadata(ModelMetadata.LogicalName);
        output.SetMetadata("Link", targetPath);
        output.SetMetadata("OnnxModel", model.ItemSpec);
        output.SetMetadata(ModelMetadata.EmbedAsResource, embed ? "true" : "false");
        if (embed)
        {
            // stable resource names: the bin-relative path with '/' → '.', e.g. models.mosaic.mnn
            output.SetMetadata("LogicalName", logical.Length > 0 ? logical : targetPath.Replace(Path.DirectorySeparatorChar, '.'));
            output.SetMetadata("WithCulture", "false");
            output.SetMetadata("Type", "Non-Resx");
        }
        else
        {
            output.SetMetadata("CopyToOutputDirectory", copy);
            output.SetMetadata("CopyToPublishDirectory", publish.Length == 0 ? copy : publish);
        }

        return output;
    }

    private static string ConvertStamp(ITaskItem item, string converter) => Lines(
        ("onnx", item.GetMetadata(ModelMetadata.OnnxFile)),
        ("output", item.GetMetadata(ModelMetadata.OutputFile)),
        ("input-shapes", item.GetMetadata(ModelMetadata.InputShapes)),
        ("weight-precision", item.GetMetadata(ModelMetadata.WeightPrecision)),
        ("external-data", item.GetMetadata(ModelMetadata.ExternalDataFiles)),
        ("converter", converter));

    private static string CheckStamp(ITaskItem item, string converter) => Lines(
        ("onnx", item.GetMetadata(ModelMetadata.OnnxFile)),
        ("mnn", item.GetMetadata(ModelMetadata.OutputFile)),
        ("gate", item.GetMetadata(ModelMetadata.ParityGate)),
        ("weight-precision", item.GetMetadata(ModelMetadata.WeightPrecision)),
        ("input-shapes", item.GetMetadata(ModelMetadata.InputShapes)),
        ("max-rel-error", item.GetMetadata(ModelMetadata.MaxRelativeError)),
        ("min-cosine", item.GetMetadata(ModelMetadata.MinCosineSimilarity)),
        ("atol", item.GetMetadata(ModelMetadata.Atol)),
        ("rtol", item.GetMetadata(ModelMetadata.Rtol)),
        ("thresholds", item.GetMetadata(ModelMetadata.ParityThresholds)),
        ("inputs", item.GetMetadata(ModelMetadata.ParityInputPaths)),
        ("samples", item.GetMetadata(ModelMetadata.ParitySamples)),
        ("seed", item.GetMetadata(ModelMetadata.ParitySeed)),
        ("isa", item.GetMetadata(ModelMetadata.ParityIsa)),
        ("strict", item.GetMetadata(ModelMetadata.ParityStrict)),
        ("emulate", item.GetMetadata(ModelMetadata.ParityEmulate)),
        ("emulate-max-rel-error", item.GetMetadata(ModelMetadata.ParityEmulateMaxRelativeError)),
        ("emulate-min-cosine", item.GetMetadata(ModelMetadata.ParityEmulateMinCosineSimilarity)),
        ("emulate-gate", item.GetMetadata(ModelMetadata.ParityEmulateGate)),
        ("report", item.GetMetadata(ModelMetadata.ParityReport)),
        ("suppress-degenerate", item.GetMetadata(ModelMetadata.SuppressDegenerateInputWarning)),
        ("converter", converter));

    /// <summary>One "key=value" line each, joined with ';' (WriteLinesToFile writes one line per entry).</summary>
    private static string Lines(params (string Key, string Value)[] entries)
    {
        var sb = new StringBuilder();
        foreach (var (key, value) in entries)
        {
            sb.Append(key).Append('=').Append(value.Replace(';', ',')).Append(';');
        }

        return sb.ToString();
    }

    internal static bool IsTrue(string? value) =>
        string.Equals((value ?? "").Trim(), "true", StringComparison.OrdinalIgnoreCase);

    private void Invalid(ITaskItem model, string message) =>
        Log.LogError(null, BuildErrorCodes.InvalidMetadata, null, model.ItemSpec, 0, 0, 0, 0, "OnnxModel '{0}': {1}", model.ItemSpec, message);

    private static string EnsureTrailingSeparator(string path) =>
        path.EndsWith(Path.DirectorySeparatorChar.ToString(), StringComparison.Ordinal) ? path : path + Path.DirectorySeparatorChar;
}
