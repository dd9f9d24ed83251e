using ModelBuild.Converter.Parity;
using ModelBuild.Converter.Parity.Metrics;

namespace ModelBuild.Converter.Tests.Parity.Report;

/// <summary>A hand-built failing gate result whose numbers exercise every formatting rule of the HTML report.</summary>
internal static class SampleReport
{
    /// <summary>The candidate path: long, with underscores, so it has to wrap inside a code span.</summary>
    public const string LongPath = "/home/user/projects/my_long_project_name/models/exported_from_training_run_2026_12_07/segmentation_model_v3_final_fp16.mnn";

    public static ParityResult Build()
    {
        var r = new ParityResult
        {
            OnnxPath = "/home/user/projects/my_long_project_name/models/segmentation_model_v3_final.onnx",
            Candidate = LongPath,
            CommandLine = "dotnet-model-convert check segmentation_model_v3_final.onnx --mnn " + LongPath + " --report out/parity_report",
            Seed = 42,
            PrimaryIsa = "512",
            Thresholds = new ParityThresholds(),
            Verdict = ParityVerdict.Failed,
        };
        r.OutputThresholds["probs"] = new ParityThresholds { Atol = 1e-4, Rtol = 0 };
        r.Error("MB2001", "output 'logits' on sample 'seed-42/0': relative error 0.0123 > 0.001, cosine similarity 0.99987 < 0.9999");

        // logits: errors up to 0.0123 × peak 2.5 → beyond the limit 0.001 × 2.5 = 0.0025
        var logits = new TensorMetrics
        {
            ElementCount = 65536,
            MaxAbsError = 0.0307654321,
            PeakRelError = 0.0123061728,
            ReferencePeak = 2.5,
            RelL2 = 0.00432109876,
            Cosine = 0.99987123456,
            ElementwiseViolations = 123,
            Atol = ParityThresholds.ReportAtol,
            Rtol = ParityThresholds.ReportRtol,
            Worst =
            [
                new(1234, [0, 3, 17, 42], 1.23456789, 1.26533329),
                new(4321, [0, 1, 100, 225], -0.000123456, 0.0211111),
                new(999, [0, 0, 31, 7], 2.5, 2.48123),
            ],
            Histogram = [100, 0, 0, 12, 340, 5120, 30000, 25000, 4000, 900, 64, 0],
        };
        var probs = new TensorMetrics
        {
            ElementCount = 4096,
            MaxAbsError = 1.5e-6,
            PeakRelError = 1.5e-6,
            ReferencePeak = 1,
            RelL2 = 3.3e-7,
            Cosine = 0.99999999873,
            Atol = 1e-4,
            Rtol = 0,
            Worst = [new(7, [0, 7], 0.5, 0.5000015)],
            Histogram = [2000, 0, 0, 1000, 1000, 96, 0, 0, 0, 0, 0, 0],
        };
        var sample = new SampleResult { Id = "seed-42/0", Origin = "generated (normal, seed 42)", Judged = true };
        sample.Outputs.Add(new OutputResult("logits", "512", logits, false, logits.DescribeFailure(r.Thresholds)));
        sample.Outputs.Add(new OutputResult("probs", "512", probs, true, null));
        r.Samples.Add(sample);
        r.Isas.Add(new IsaColumn { Name = "512", Status = "ran", MaxRelVsReference = 0.0123061728 });
        r.Isas.Add(new IsaColumn { Name = "scalar", Status = "ran", MaxRelVsReference = 0.0123061728 });
        r.Isas.Add(new IsaColumn { Name = "arm64", Status = "skipped", Note = "qemu-aarch64 not installed" });
        return r;
    }
}
