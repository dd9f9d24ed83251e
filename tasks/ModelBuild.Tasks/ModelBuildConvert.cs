using Microsoft.Build.Framework;

namespace ModelBuild.Tasks;

/// <summary>
/// <c>dotnet-model-convert convert MODEL.onnx -o OUT.mnn [--input-shape NAME=DIMS]... [--weight-precision fp16|int8|int8-symmetric]</c> for every model whose .mnn is
/// older than the model, its external data, its convert stamp or the converter. The converter writes the .mnn
/// atomically, so a canceled or failed run leaves the previous file (or none).
/// </summary>
public sealed class ModelBuildConvert : ModelBuildProcessTask
{
    protected override string Verb => "convert";

    protected override IReadOnlyList<string> Arguments(ITaskItem model)
    {
        var args = new List<string> { "convert", model.GetMetadata(ModelMetadata.OnnxFile), "-o", model.GetMetadata(ModelMetadata.OutputFile) };
        foreach (var shape in ModelDependencies.SplitList(model.GetMetadata(ModelMetadata.InputShapes)))
        {
            args.Add("--input-shape");
            args.Add(shape);
        }

        var precision = model.GetMetadata(ModelMetadata.WeightPrecision);
        if (precision.Length > 0 && precision != "fp32")
        {
            args.Add("--weight-precision");
            args.Add(precision);
        }

        return args;
    }

    protected override IEnumerable<string> InputsOf(ITaskItem model) =>
        new[] { model.GetMetadata(ModelMetadata.OnnxFile), model.GetMetadata(ModelMetadata.ConvertStamp), Path.GetFullPath(ConverterPath) }
            .Concat(ModelDependencies.SplitList(model.GetMetadata(ModelMetadata.ExternalDataFiles)));

    protected override IEnumerable<string> OutputsOf(ITaskItem model) => [model.GetMetadata(ModelMetadata.OutputFile)];

    // MnnModelWriter writes ".NAME.mnn.GUID.tmp" beside the .mnn and renames it
    protected override IEnumerable<(string Directory, string Pattern)> TempFilesOf(ITaskItem model)
    {
        var output = model.GetMetadata(ModelMetadata.OutputFile);
        return [(Path.GetDirectoryName(output)!, "." + Path.GetFileName(output) + ".*.tmp")];
    }

    // convert's "weights int8: F -> S bytes (P%), file ..." line: the saving of compressed storage, shown at normal verbosity
    protected override void LogStdOut(ITaskItem model, string line)
    {
        if (line.StartsWith("weights ", StringComparison.Ordinal))
        {
            Log.LogMessage(MessageImportance.High, "ModelBuild: {0}: {1}", model.ItemSpec, line);
        }
        else
        {
            base.LogStdOut(model, line);
        }
    }

    protected override void OnSucceeded(ITaskItem model)
    {
        // the converter may keep an identical file's old timestamp; the target's Outputs must look newer than its Inputs
        var output = model.GetMetadata(ModelMetadata.OutputFile);
        if (File.Exists(output))
        {
            File.SetLastWriteTimeUtc(output, DateTime.UtcNow);
        }
    }
}
