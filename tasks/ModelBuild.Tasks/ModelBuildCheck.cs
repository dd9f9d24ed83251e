using Microsoft.Build.Framework;

namespace ModelBuild.Tasks;

/// <summary>
/// The parity gate: <c>dotnet-model-convert check MODEL.onnx --mnn OUT.mnn ...</c> per model (ParityGate Error or
/// Warning). A pass writes the model's check marker, so the next build skips the gate until the model, the .mnn,
/// the samples, the check stamp (thresholds, seed, ...) or the converter change. With ParityGate=Warning the gate's
/// MB2xxx errors become warnings and the build goes on.
/// </summary>
public sealed class ModelBuildCheck : ModelBuildProcessTask
{
    private const string DegenerateSampleWarning = "MB7002";
    private const string ConstantSampleWarning = "MB7003";

    protected override string Verb => "check";

    protected override MessageImportance StdOutImportance => MessageImportance.Normal;

    protected override IReadOnlyList<string> Arguments(ITaskItem model)
    {
        var args = new List<string> { "check", model.GetMetadata(ModelMetadata.OnnxFile), "--mnn", model.GetMetadata(ModelMetadata.OutputFile) };
        foreach (var path in ModelDependencies.SplitList(model.GetMetadata(ModelMetadata.ParityInputPaths)))
        {
            args.Add("--inputs");
            args.Add(path);
        }

        foreach (var shape in ModelDependencies.SplitList(model.GetMetadata(ModelMetadata.InputShapes)))
        {
            args.Add("--input-shape");
            args.Add(shape);
        }

        Add(args, "--samples", model.GetMetadata(ModelMetadata.ParitySamples));
        Add(args, "--seed", model.GetMetadata(ModelMetadata.ParitySeed));
        // limits the item leaves unset follow the checked file's weight storage: the CLI reads it from the .mnn
        // (fp16/int8 defaults, docs/weight-precision.md), so a WeightPrecision item needs nothing here
        Add(args, "--max-relative-error", model.GetMetadata(ModelMetadata.MaxRelativeError));
        Add(args, "--min-cosine-similarity", model.GetMetadata(ModelMetadata.MinCosineSimilarity));
        Add(args, "--atol", model.GetMetadata(ModelMetadata.Atol));
        Add(args, "--rtol", model.GetMetadata(ModelMetadata.Rtol));
        foreach (var t in ModelDependencies.SplitList(model.GetMetadata(ModelMetadata.ParityThresholds)))
        {
            args.Add("--threshold");
            args.Add(t);
        }

        Add(args, "--isa", model.GetMetadata(ModelMetadata.ParityIsa));
        Add(args, "--report", model.GetMetadata(ModelMetadata.ParityReport));
        if (ModelBuildResolveModels.IsTrue(model.GetMetadata(ModelMetadata.ParityStrict)))
        {
            args.Add("--strict");
        }

        // device-precision emulation: the "predicted on device" column, warning by default
        Add(args, "--emulate", model.GetMetadata(ModelMetadata.ParityEmulate));
        Add(args, "--emulate-max-relative-error", model.GetMetadata(ModelMetadata.ParityEmulateMaxRelativeError));
        Add(args, "--emulate-min-cosine-similarity", model.GetMetadata(ModelMetadata.ParityEmulateMinCosineSimilarity));
        if (string.Equals(model.GetMetadata(ModelMetadata.ParityEmulateGate).Trim(), GateModes.Error, StringComparison.OrdinalIgnoreCase))
        {
            args.Add("--emulate-fail");
        }

        return args;
    }

    protected override IEnumerable<string> InputsOf(ITaskItem model) =>
        new[]
        {
            model.GetMetadata(ModelMetadata.OnnxFile), model.GetMetadata(ModelMetadata.OutputFile),
            model.GetMetadata(ModelMetadata.CheckStamp), Path.GetFullPath(ConverterPath),
        }
        .Concat(ModelDependencies.SplitList(model.GetMetadata(ModelMetadata.ExternalDataFiles)))
        .Concat(ModelDependencies.SampleFiles(ModelDependencies.SplitList(model.GetMetadata(ModelMetadata.ParityInputPaths))));

    protected override IEnumerable<string> OutputsOf(ITaskItem model) => [model.GetMetadata(ModelMetadata.CheckMarker)];

    // the report writer writes "REPORT.json.GUID.tmp" / "REPORT.html.GUID.tmp" and renames them
    protected override IEnumerable<(string Directory, string Pattern)> TempFilesOf(ITaskItem model)
    {
        var report = model.GetMetadata(ModelMetadata.ParityReport);
        var dir = Path.GetDirectoryName(report)!;
        var name = Path.GetFileName(report);
        return [(dir, name + ".json.*.tmp"), (dir, name + ".html.*.tmp")];
    }

    private protected override void Report(ITaskItem model, ConverterDiagnostic d, ConverterRun run)
    {
        if (d.IsWarning && (d.Code is DegenerateSampleWarning or ConstantSampleWarning)
            && ModelBuildResolveModels.IsTrue(model.GetMetadata(ModelMetadata.SuppressDegenerateInputWarning)))
        {
            Log.LogMessage(MessageImportance.Normal, "{0}: {1} (suppressed by ModelBuildSuppressDegenerateInputWarning)", d.Code, d.Message);
            return;
        }

        // Warning mode downgrades the gate's verdict (MB2xxx after a completed run, exit 1), not input/usage errors (exit 2-4)
        var downgrade = !d.IsWarning && run.ExitCode == 1 && IsWarningMode(model) && d.Code.StartsWith("MB2", StringComparison.Ordinal);
        LogDiagnostic(model, d.Code, d.Message, d.IsWarning || downgrade);
    }

    private protected override bool Succeeded(ITaskItem model, ConverterRun run) =>
        run.ExitCode == 0 || (run.ExitCode == 1 && IsWarningMode(model));

    protected override void OnSucceeded(ITaskItem model)
    {
        var marker = model.GetMetadata(ModelMetadata.CheckMarker);
        Directory.CreateDirectory(Path.GetDirectoryName(marker)!);
        File.WriteAllText(marker, $"parity checked {DateTime.UtcNow:O}{Environment.NewLine}");
    }

    private static bool IsWarningMode(ITaskItem model) =>
        string.Equals(model.GetMetadata(ModelMetadata.ParityGate), GateModes.Warning, StringComparison.Ordinal);

    private static void Add(List<string> args, string option, string value)
    {
        if (value.Trim().Length > 0)
        {
            args.Add(option);
            args.Add(value.Trim());
        }
    }
}
