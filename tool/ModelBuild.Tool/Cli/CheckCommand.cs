using System.CommandLine;
using System.Globalization;
using ModelBuild.Converter.Parity;
using ModelBuild.Converter.Parity.Emulation;
using ModelBuild.Converter.Parity.Inputs;
using ModelBuild.Converter.Parity.Metrics;
using ModelBuild.Converter.Parity.Reporting;

namespace ModelBuild.Tool.Cli;

/// <summary>
/// <c>check MODEL.onnx [--mnn MODEL.mnn] [--inputs DIR|FILE]... [--samples N] [--seed S] ...</c>: the parity gate.
/// Exit 0 passed (possibly with warnings), 1 parity failed, else as every command (<see cref="ExitCodes"/>).
/// </summary>
internal static class CheckCommand
{
    public static Command Create(CliConsole console)
    {
        var model = new Argument<string>("MODEL.onnx") { Description = "The ONNX model: the reference, run in ONNX Runtime." };
        var mnn = new Option<string?>("--mnn") { Description = "The converted model to check (default: convert MODEL.onnx in memory).", HelpName = "MODEL.mnn" };
        var inputs = Many("--inputs", "DIR|FILE", "Samples: test_data_set folders (input_K.pb), .pb/.npy files, PNG/JPEG images, or folders of them (repeatable).");
        var samples = new Option<int>("--samples") { Description = "Generated samples when no --inputs are given.", HelpName = "N", DefaultValueFactory = _ => ParityOptions.DefaultSamples };
        var seed = new Option<int>("--seed") { Description = "Seed of the generated samples.", HelpName = "S", DefaultValueFactory = _ => ParityOptions.DefaultSeed };
        var dist = Many("--input-dist", "NAME=DIST", "Distribution of an input: normal(mean,std), uniform(lo,hi), image[(lo,hi)], int(lo,hi) (repeatable).");
        var shapes = CommonOptions.InputShape();
        var maxRel = new Option<string?>("--max-relative-error", "--max-rel-error") { Description = $"Limit of the relative error max|y-r|/max|r| (MSBuild: MaxRelativeError; default {ParityThresholds.DefaultMaxRelError}, for an --mnn file with fp16 weights {StorageLimits.Fp16MaxRelError}, int8 {StorageLimits.Int8MaxRelError}).", HelpName = "X" };
        var minCos = new Option<string?>("--min-cosine-similarity", "--min-cosine") { Description = $"Lower limit of the cosine similarity (MSBuild: MinCosineSimilarity; default {ParityThresholds.DefaultMinCosine}, for an --mnn file with fp16 weights {StorageLimits.Fp16MinCosine}, int8 {StorageLimits.Int8MinCosine}).", HelpName = "X" };
        var atol = new Option<string?>("--atol") { Description = "Absolute tolerance of the element-wise rule |y-r| <= atol + rtol*|r| (decides only when set).", HelpName = "X" };
        var rtol = new Option<string?>("--rtol") { Description = "Relative tolerance of the element-wise rule (decides only when set).", HelpName = "X" };
        var threshold = Many("--threshold", "OUTPUT:METRIC=VALUE", "Per-output limit; METRIC is max-relative-error, min-cosine-similarity, atol or rtol (repeatable).");
        var isa = Many("--isa", "LIST", "ISA columns: scalar,128,256,512,arm64 (default: the native level only; e.g. --isa all,arm64 for the cross-ISA matrix).");
        var report = new Option<string?>("--report") { Description = "Write PATH.json and PATH.html.", HelpName = "PATH" };
        var saveInputs = new Option<string?>("--save-inputs") { Description = "Save the samples as test_data_set_K/input_J.pb folders.", HelpName = "DIR" };
        var strict = new Option<bool>("--strict") { Description = "Ill-conditioned samples (normalization with ~zero variance) fail instead of being excluded." };
        var bgr = new Option<bool>("--image-bgr") { Description = "Image samples: BGR channel order (default RGB)." };
        var nhwc = new Option<bool>("--image-nhwc") { Description = "Image samples: NHWC layout (default NCHW)." };
        var scale = new Option<string?>("--image-scale") { Description = "Image samples: multiply 0..255 pixels by this first (e.g. 0.00392157).", HelpName = "X" };
        var mean = new Option<string?>("--image-mean") { Description = "Image samples: per-channel mean subtracted after scaling (R,G,B or one value).", HelpName = "M" };
        var std = new Option<string?>("--image-std") { Description = "Image samples: per-channel divisor after the mean (R,G,B or one value).", HelpName = "S" };
        var noLocalize = new Option<bool>("--no-localize") { Description = "Skip locating the first diverging node when an output fails." };
        var emulate = new Option<string?>("--emulate") { Description = "Run the candidate again with a phone's numerics emulated and report it as the \"on device\" column: fp16 = upstream MNN precision=low on ARMv8.2 (MSBuild: ParityEmulate).", HelpName = "fp16" };
        var emulateMaxRel = new Option<string?>("--emulate-max-relative-error") { Description = $"Limit of the emulated run's relative error (MSBuild: ParityEmulateMaxRelativeError; default {DeviceEmulation.DefaultMaxRelError}).", HelpName = "X" };
        var emulateMinCos = new Option<string?>("--emulate-min-cosine-similarity") { Description = $"Lower limit of the emulated run's cosine similarity (MSBuild: ParityEmulateMinCosineSimilarity; default {DeviceEmulation.DefaultMinCosine}).", HelpName = "X" };
        var emulateFail = new Option<bool>("--emulate-fail") { Description = "An emulated run over its limits fails the check (MB2010) instead of warning (MB7010) (MSBuild: ParityEmulateGate=Error)." };
        var json = CommonOptions.Json();
        var timings = new Option<bool>("--timings") { Description = "Print where the check's time went (parse, convert, sessions, runs per engine)." };

        var command = new Command("check", "Check that the converted model agrees with ONNX Runtime on representative inputs (parity gate).")
        {
            model, mnn, inputs, samples, seed, dist, shapes, maxRel, minCos, atol, rtol, threshold, isa, report, saveInputs, strict,
            bgr, nhwc, scale, mean, std, noLocalize, emulate, emulateMaxRel, emulateMinCos, emulateFail, timings, json,
        };
        command.SetAction(parse =>
        {
            var distributions = new Dictionary<string, InputDistribution>(StringComparer.Ordinal);
            foreach (var d in parse.GetValue(dist) ?? [])
            {
                InputDistribution.ParseAssignment(d, distributions);
            }

            var overrides = new Dictionary<string, ThresholdOverride>(StringComparer.Ordinal);
            foreach (var t in parse.GetValue(threshold) ?? [])
            {
                ThresholdOverride.Parse(t, overrides);
            }

            var defaults = new ParityThresholds();
            var options = new ParityOptions
            {
                OnnxPath = parse.GetValue(model)!,
                MnnPath = parse.GetValue(mnn),
                InputPaths = [.. parse.GetValue(inputs) ?? []],
                Samples = parse.GetValue(samples),
                Seed = parse.GetValue(seed),
                Distributions = distributions,
                InputShapes = CommonOptions.ParseInputShapes(parse.GetValue(shapes)),
                Thresholds = new ParityThresholds
                {
                    MaxRelError = Number(parse.GetValue(maxRel), "--max-relative-error") ?? defaults.MaxRelError,
                    MinCosine = Number(parse.GetValue(minCos), "--min-cosine-similarity") ?? defaults.MinCosine,
                    Atol = Number(parse.GetValue(atol), "--atol"),
                    Rtol = Number(parse.GetValue(rtol), "--rtol"),
                },
                // limits not given follow the candidate file's weight storage (fp16/int8: docs/weight-precision.md)
                MaxRelErrorIsDefault = parse.GetValue(maxRel) is null,
                MinCosineIsDefault = parse.GetValue(minCos) is null,
                OutputThresholds = overrides,
                Isas = [.. parse.GetValue(isa) ?? []],
                ReportPath = parse.GetValue(report),
                SaveInputsDirectory = parse.GetValue(saveInputs),
                Strict = parse.GetValue(strict),
                Localize = !parse.GetValue(noLocalize),
                Emulate = DeviceEmulation.Parse(parse.GetValue(emulate)),
                EmulationThresholds = new ParityThresholds
                {
                    MaxRelError = Number(parse.GetValue(emulateMaxRel), "--emulate-max-relative-error") ?? DeviceEmulation.DefaultMaxRelError,
                    MinCosine = Number(parse.GetValue(emulateMinCos), "--emulate-min-cosine-similarity") ?? DeviceEmulation.DefaultMinCosine,
                },
                EmulationFails = parse.GetValue(emulateFail),
                Image = new ImagePreprocessing
                {
                    Bgr = parse.GetValue(bgr),
                    Nhwc = parse.GetValue(nhwc),
                    Scale = Number(parse.GetValue(scale), "--image-scale") ?? 1,
                    Mean = parse.GetValue(mean) is { } m ? ImagePreprocessing.ParseTriple(m, "--image-mean") : [0, 0, 0],
                    Std = parse.GetValue(std) is { } s ? CheckStd(ImagePreprocessing.ParseTriple(s, "--image-std")) : [1, 1, 1],
                },
                Progress = console.Progress(),
                CommandLine = "dotnet model-convert " + string.Join(" ", parse.Tokens.Select(t => Quote(t.Value))),
            };
            var result = ParityGate.Run(options);
            if (parse.GetValue(json))
            {
                // the same document as the report's PATH.json; the verdict's MB2xxx lines still go to stderr
                ConsoleSummary.Write(result, TextWriter.Null, console.Error);
                console.Out.WriteLine(JsonReport.Render(result));
                return result.Passed ? ExitCodes.Success : ExitCodes.ParityFailed;
            }

            ConsoleSummary.Write(result, console.Out, console.Error);
            if (parse.GetValue(timings))
            {
                ConsoleSummary.WriteTimings(result.Timings, console.Out);
            }
            if (options.ReportPath is not null)
            {
                console.Out.WriteLine($"report: {options.ReportPath}.json, {options.ReportPath}.html");
            }

            return result.Passed ? ExitCodes.Success : ExitCodes.ParityFailed;
        });
        return command;
    }

    private static Option<string[]> Many(string name, string helpName, string description) => new(name)
    {
        Description = description,
        HelpName = helpName,
        AllowMultipleArgumentsPerToken = false,
        Arity = ArgumentArity.ZeroOrMore,
    };

    private static double? Number(string? text, string option) =>
        text is null ? null : ThresholdOverride.ParseNumber(text, option);

    private static double[] CheckStd(double[] std) => std.All(s => s != 0)
        ? std
        : throw new ModelBuildException(ErrorCodes.UsageError, "--image-std values must not be 0");

    private static string Quote(string s) =>
        s.Length > 0 && s.All(c => char.IsLetterOrDigit(c) || "-_./=:,+@".Contains(c)) ? s : "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    internal static string Invariant(double v) => v.ToString(CultureInfo.InvariantCulture);
}
