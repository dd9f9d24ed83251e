using ModelBuild.Converter.Graph;
using ModelBuild.Converter.Onnx;
using ModelBuild.Converter.Parity.Candidate;
using ModelBuild.Converter.Parity.Inputs;
using ModelBuild.Converter.Parity.Localization;
using ModelBuild.Converter.Parity.Metrics;
using ModelBuild.Converter.Parity.Reference;
using ModelBuild.Runtime.Kernels;

namespace ModelBuild.Converter.Parity.Emulation;

/// <summary>
/// Runs the "predicted on device" column of a gate run: each judged sample through the candidate with the emulated
/// precision, compared with the reference outputs the gate already has; over the limits, a warning (or an error
/// when the emulation fails the gate) and, when localization is on, the first node whose emulated error exceeds them.
/// </summary>
internal static class EmulationRun
{
    public static EmulationResult Run(
        ParityOptions options, ParityResult result, CandidateModel candidate, OnnxReference reference, Func<ModelGraph> pristineGraph,
        IsaLevel isa, IReadOnlyList<ParitySample> judged, IReadOnlyDictionary<string, Dictionary<string, TensorData>> referenceOutputs)
    {
        var mode = options.Emulate!;
        var precision = DeviceEmulation.PrecisionOf(mode);
        var limits = options.EmulationThresholds;
        var emulation = new EmulationResult { Mode = mode, Description = DeviceEmulation.Describe(mode), Thresholds = limits, Fails = options.EmulationFails };
        foreach (var sample in judged)
        {
            if (!referenceOutputs.TryGetValue(sample.Id, out var refOut))
            {
                continue;
            }

            Dictionary<string, TensorData> got;
            try
            {
                got = candidate.Run(sample, isa, refOut.Keys.ToArray(), precision: precision);
            }
            catch (ModelBuildException e)
            {
                emulation.Error = $"{e.Code}: {e.Message}";
                Report(result, emulation, $"the {mode} emulation failed on sample '{sample.Id}': {e.Message}");
                return emulation;
            }

            foreach (var (o, r) in refOut)
            {
                var metrics = got.TryGetValue(o, out var y)
                    ? TensorComparer.Compare(r, y, limits)
                    : new TensorMetrics { ShapeMatch = false, Mismatch = "the converted model has no such output" };
                var pass = metrics.Passes(limits);
                emulation.Outputs.Add(new EmulatedOutput(sample.Id, o, metrics, pass, pass ? null : metrics.DescribeFailure(limits)));
            }
        }

        var first = emulation.Outputs.FirstOrDefault(o => !o.Passed);
        if (first is null)
        {
            return emulation;
        }

        Report(result, emulation, $"output '{first.Output}' on sample '{first.SampleId}' is predicted to differ on the device ({DeviceEmulation.Describe(mode)}): {first.Failure}");
        if (options.Localize && first.Metrics.ShapeMatch)
        {
            var sample = judged.First(s => s.Id == first.SampleId);
            try
            {
                var localizer = new DivergenceLocalizer(pristineGraph(), reference, candidate, limits, precision);
                emulation.Localization = localizer.Localize(sample, first.Output, isa);
                if (emulation.Localization is { Found: true } l)
                {
                    result.Note(ErrorCodes.ParityEmulationWarning, $"{mode} emulation: the error first exceeds the device limits at {l.OpType} node '{l.NodeName}' (value '{l.Value}'): {l.Failure}");
                }
            }
            catch (ModelBuildException e)
            {
                emulation.Localization = new LocalizationResult { Output = first.Output, SampleId = first.SampleId, Note = $"localization failed: {e.Code}: {e.Message}" };
            }
        }

        return emulation;
    }

    private static void Report(ParityResult result, EmulationResult emulation, string text)
    {
        if (emulation.Fails)
        {
            result.Error(ErrorCodes.ParityEmulationFailed, text);
        }
        else
        {
            result.Warning(ErrorCodes.ParityEmulationWarning, text);
        }
    }
}
