using System.CommandLine;
using System.Globalization;
using ModelBuild.Converter.Conversion;
using ModelBuild.Runtime;
using IrDataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Tool.Cli;

/// <summary>
/// <c>run MODEL.mnn|MODEL.onnx --inputs DIR --outputs DIR [--isa L] [--threads N]</c>: runs the model in our runtime
/// on <c>input_K.pb</c> files and writes <c>output_K.pb</c> files (ONNX test_data_set layout).
/// </summary>
internal static class RunCommand
{
    public static Command Create(CliConsole console)
    {
        var model = new Argument<string>("MODEL") { Description = "The model to run: an .mnn file, or an .onnx file (converted in memory first)." };
        var inputs = new Option<string>("--inputs") { Description = "Folder holding input_K.pb TensorProto files, or one .pb file (taken as input_0.pb).", HelpName = "DIR|FILE", Required = true };
        var outputs = new Option<string>("--outputs") { Description = "Folder to write output_K.pb files to (created when missing).", HelpName = "DIR", Required = true };
        var isa = new Option<string?>("--isa") { Description = "Force a SIMD level: scalar, 128, 256 or 512 (default: best available, or MODELBUILD_ISA).", HelpName = "LEVEL" };
        var threads = new Option<int>("--threads") { Description = $"Threads per op: 1 = calling thread only (default), 0 = all cores, at most {MaxThreads}.", HelpName = "N", DefaultValueFactory = _ => 1 };
        var shapes = CommonOptions.InputShape();
        var json = CommonOptions.Json();
        var compare = new Option<bool>("--compare")
        {
            Description = "Compare with the output_K.pb files beside the inputs (done anyway when they exist); with this option a mismatch fails (exit 1) and missing files are an error.",
        };

        var command = new Command("run", "Run a model in the ModelBuild runtime on TensorProto input files.") { model, inputs, outputs, isa, threads, shapes, json, compare };
        command.SetAction(parse => Execute(
            console,
            parse.GetValue(model)!,
            parse.GetValue(inputs)!,
            parse.GetValue(outputs)!,
            new MnnSessionOptions { Isa = CommonOptions.ParseIsa(parse.GetValue(isa)), Threads = CheckThreads(parse.GetValue(threads)) },
            CommonOptions.ParseInputShapes(parse.GetValue(shapes)),
            parse.GetValue(json),
            parse.GetValue(compare)));
        return command;
    }

    internal static int Execute(CliConsole console, string modelPath, string inputDir, string outputDir, MnnSessionOptions options, Dictionary<string, long[]> inputShapes, bool json = false, bool compare = false)
    {
        var loaded = LoadedModel.Load(modelPath, inputShapes);
        foreach (var (code, message) in loaded.Warnings)
        {
            console.Warning(code, message);
        }

        var inputs = TensorFolder.ReadInputs(inputDir, loaded.Model.Inputs, loaded.OnnxTypes);
        using var session = new MnnSession(loaded.Model, options);
        var results = session.Run(inputs);

        var outputs = new List<(string, Tensor, IrDataType?)>();
        foreach (var name in session.OutputNames)
        {
            var value = results[name];
            outputs.Add((name, value, OutputType(loaded, name, value)));
        }

        var files = TensorFolder.WriteOutputs(outputDir, outputs);
        var expected = OutputComparison.Find(inputDir);
        if (compare && expected.Count == 0)
        {
            throw new ModelBuildException(ErrorCodes.TensorFileNotFound, $"--compare: '{inputDir}' has no output_K.pb files to compare with (ONNX test_data_set layout)");
        }

        var limits = new Converter.Parity.Metrics.ParityThresholds();
        var rows = OutputComparison.Compare(expected, outputs, limits);
        if (json)
        {
            JsonOutput.Write(console.Out, w => WriteJson(w, modelPath, outputs, files, rows));
        }
        else
        {
            for (var k = 0; k < outputs.Count; k++)
            {
                console.Out.WriteLine($"{Path.GetFileName(files[k])}  {outputs[k].Item1}  {Describe(outputs[k].Item2)}");
            }

            if (rows.Count > 0)
            {
                OutputComparison.WriteText(console.Out, rows, limits);
            }
        }

        if (compare && rows.Any(r => !r.Passed))
        {
            foreach (var r in rows.Where(r => !r.Passed))
            {
                console.Diagnostic(ErrorCodes.ParityFailed, $"output '{r.Output}' differs from {r.File}: {r.Metrics.DescribeFailure(limits)}");
            }

            return ExitCodes.ParityFailed;
        }

        return ExitCodes.Success;
    }

    /// <summary>The declared ONNX type of an output when it agrees with what the runtime produced (else null = runtime type).</summary>
    private static IrDataType? OutputType(LoadedModel loaded, string name, Tensor value)
    {
        if (!loaded.OnnxTypes.TryGetValue(name, out var type))
        {
            return null;
        }

        var isFloat = TensorBridge.IsFloatType(type);
        return isFloat == (value.ElementType == TensorElementType.Float32) ? type : null;
    }

    /// <summary>Largest <c>--threads</c> accepted: far above any core count here, far below what would exhaust the machine.</summary>
    internal const int MaxThreads = 1024;

    private static int CheckThreads(int threads) => threads is >= 0 and <= MaxThreads
        ? threads
        : throw new ModelBuildException(ErrorCodes.UsageError, $"--threads {threads} must be 0 (all cores) or between 1 and {MaxThreads}");

    /// <summary><c>float32[1,3,64,64] min=… max=… mean=…</c>.</summary>
    internal static string Describe(Tensor t)
    {
        var s = Summarize(t);
        var text = $"{s.Type}[{string.Join(",", t.Shape)}]";
        if (s.Count == 0)
        {
            return text + " (empty)";
        }

        var stats = s.Mean is null
            ? " (no finite values)"
            : string.Format(CultureInfo.InvariantCulture, " min={0:G6} max={1:G6} mean={2:G6}", s.Min, s.Max, s.Mean);
        return text + stats + (s.NonFinite > 0 ? $" non-finite={s.NonFinite}" : "");
    }

    /// <summary>Element type name, element count, min/max/mean of the finite values (null when none) and the non-finite count.</summary>
    internal readonly record struct TensorSummary(string Type, int Count, double? Min, double? Max, double? Mean, int NonFinite);

    internal static TensorSummary Summarize(Tensor t)
    {
        var type = t.ElementType == TensorElementType.Float32 ? "float32" : "int32";
        var values = TensorBridge.ToDoubles(t);
        double min = double.PositiveInfinity, max = double.NegativeInfinity, sum = 0;
        var nonFinite = 0;
        foreach (var v in values)
        {
            if (!double.IsFinite(v))
            {
                nonFinite++;
                continue;
            }

            min = Math.Min(min, v);
            max = Math.Max(max, v);
            sum += v;
        }

        var finite = values.Length - nonFinite;
        return finite == 0
            ? new TensorSummary(type, values.Length, null, null, null, nonFinite)
            : new TensorSummary(type, values.Length, min, max, sum / finite, nonFinite);
    }

    /// <summary><c>{"model", "outputs": [{"file", "name", "type", "shape", "min", "max", "mean", "nonFinite"}]}</c>.</summary>
    private static void WriteJson(System.Text.Json.Utf8JsonWriter w, string modelPath, List<(string, Tensor, IrDataType?)> outputs, IReadOnlyList<string> files, List<OutputComparison.Row> rows)
    {
        w.WriteStartObject();
        w.WriteString("model", modelPath);
        w.WriteStartArray("outputs");
        for (var k = 0; k < outputs.Count; k++)
        {
            var (name, value, _) = outputs[k];
            var s = Summarize(value);
            w.WriteStartObject();
            w.WriteString("file", files[k]);
            w.WriteString("name", name);
            w.WriteString("type", s.Type);
            ModelDescription.WriteShape(w, "shape", value.Shape.Select(d => new Dim(d, null)));
            Nullable(w, "min", s.Min);
            Nullable(w, "max", s.Max);
            Nullable(w, "mean", s.Mean);
            w.WriteNumber("nonFinite", s.NonFinite);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        if (rows.Count > 0)
        {
            OutputComparison.WriteJson(w, rows);
        }

        w.WriteEndObject();
    }

    private static void Nullable(System.Text.Json.Utf8JsonWriter w, string name, double? v)
    {
        if (v is { } x)
        {
            w.WriteNumber(name, x);
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
