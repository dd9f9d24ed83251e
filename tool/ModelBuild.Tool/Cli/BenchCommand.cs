using System.CommandLine;

namespace ModelBuild.Tool.Cli;

/// <summary>
/// <c>bench MODEL.onnx [--threads N] [--iterations K] [--warmup W] [--inputs DIR] [--isa L] [--json]</c>: times our
/// runtime and ONNX Runtime on the same inputs. Every option is checked before the model is read, so a typo costs
/// no conversion. Exit 0, or the usual MB codes (2 usage, 1 model or input error).
/// </summary>
internal static class BenchCommand
{
    /// <summary>Upper bound of <c>--iterations</c> and <c>--warmup</c>: hours of work even for the smallest models.</summary>
    internal const int MaxIterations = 100_000;

    public static Command Create(CliConsole console)
    {
        var model = new Argument<string>("MODEL.onnx") { Description = "The ONNX model: converted in memory for our runtime, loaded from the file by ONNX Runtime." };
        var threads = new Option<int>("--threads") { Description = $"Threads of both engines: 1 (default), 0 = all cores, at most {RunCommand.MaxThreads}.", HelpName = "N", DefaultValueFactory = _ => 1 };
        var iterations = new Option<int>("--iterations") { Description = $"Timed runs per engine (1..{MaxIterations}, default {BenchSettings.DefaultIterations}).", HelpName = "K", DefaultValueFactory = _ => BenchSettings.DefaultIterations };
        var warmup = new Option<int>("--warmup") { Description = $"Untimed runs per engine first (0..{MaxIterations}, default {BenchSettings.DefaultWarmup}); when not 0, warm-up also lasts at least {BenchSettings.MinWarmupSeconds} s (tiered JIT).", HelpName = "W", DefaultValueFactory = _ => BenchSettings.DefaultWarmup };
        var inputs = new Option<string?>("--inputs") { Description = "Folder holding input_K.pb TensorProto files, or one .pb file (default: seeded random inputs, as check generates them).", HelpName = "DIR|FILE" };
        var isa = new Option<string?>("--isa") { Description = "Force our SIMD level: scalar, 128, 256 or 512 (default: best available, or MODELBUILD_ISA).", HelpName = "LEVEL" };
        var shapes = CommonOptions.InputShape();
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of the table." };

        var command = new Command("bench", "Time the ModelBuild runtime against ONNX Runtime on one model (each engine alone, median and min).")
        {
            model, threads, iterations, warmup, inputs, isa, shapes, json,
        };
        command.SetAction(parse =>
        {
            var settings = new BenchSettings
            {
                ModelPath = parse.GetValue(model)!,
                Threads = InRange(parse.GetValue(threads), 0, RunCommand.MaxThreads, "--threads", "must be 0 (all cores) or between 1 and"),
                Iterations = InRange(parse.GetValue(iterations), 1, MaxIterations, "--iterations", "must be between 1 and"),
                Warmup = InRange(parse.GetValue(warmup), 0, MaxIterations, "--warmup", "must be between 0 and"),
                InputsPath = parse.GetValue(inputs),
                Isa = CommonOptions.ParseIsa(parse.GetValue(isa)),
                InputShapes = CommonOptions.ParseInputShapes(parse.GetValue(shapes)),
            };
            CommonOptions.RequireFile(settings.ModelPath, ErrorCodes.OnnxFileNotFound, "ONNX model");
            if (settings.InputsPath is { } dir)
            {
                TensorFolder.ListInputs(dir); // MB1201 for a missing path or a FIFO/device, before any conversion
            }

            var result = BenchRunner.Run(settings, (code, message) => console.Warning(code, message));
            if (parse.GetValue(json))
            {
                BenchReport.WriteJson(result, console.Out);
            }
            else
            {
                BenchReport.WriteText(result, console.Out);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static int InRange(int value, int min, int max, string option, string rule) => value >= min && value <= max
        ? value
        : throw new ModelBuildException(ErrorCodes.UsageError, $"{option} {value} {rule} {max}");
}
