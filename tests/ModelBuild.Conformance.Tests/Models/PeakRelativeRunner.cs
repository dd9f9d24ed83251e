using System.Globalization;
using ModelBuild.Conformance.Tests.Infrastructure;
using ModelBuild.Converter.Conversion;
using ModelBuild.Runtime;

namespace ModelBuild.Conformance.Tests.Models;

/// <summary>
/// Runs test_data_set_0 of a whole model through a session and checks every output's peak-relative error
/// (max|y − r| / max|r|) against a threshold; the result's <see cref="CaseResult.Error"/> is the worst output's error.
/// </summary>
public static class PeakRelativeRunner
{
    public static CaseResult Check(string key, string label, MnnSession session, string dataSet, double threshold)
    {
        var (pairs, countMismatch) = TestDataSet.Run(session, dataSet);
        if (countMismatch is not null)
        {
            return new CaseResult(key, label, CaseOutcome.Wrong, countMismatch);
        }

        double worst = 0;
        var details = new List<string>();
        foreach (var p in pairs)
        {
            if (!TestDataSet.ShapeMatches(p.Got, p.Expected))
            {
                return new CaseResult(key, label, CaseOutcome.Wrong,
                    $"output '{p.Name}' has shape {Compare.Shape(p.Got.Shape.Select(d => (long)d))}, expected {Compare.Shape(p.Expected.Shape)}", double.PositiveInfinity);
            }

            var error = Compare.PeakRelative(TensorBridge.ToDoubles(p.Got), TensorBridge.ToDoubles(p.Expected));
            worst = Math.Max(worst, error);
            if (pairs.Count > 1)
            {
                details.Add(string.Create(CultureInfo.InvariantCulture, $"{p.Name}: {error:0.###E+0}"));
            }
        }

        var outcome = worst <= threshold ? CaseOutcome.Passed : CaseOutcome.Wrong;
        var detail = string.Create(CultureInfo.InvariantCulture, $"peak-relative error {worst:0.###E+0} (limit {threshold:0E+0})")
            + (details.Count > 0 ? $"; {string.Join(", ", details)}" : "");
        return new CaseResult(key, label, outcome, detail, worst);
    }

    /// <summary>(b) ../shared/models/NAME: convert model.onnx in memory, run, limit 1e-3.</summary>
    public static CaseResult ConvertedModel(string dir)
    {
        var conversion = ModelConverter.Convert(Path.Combine(dir, "model.onnx"), new ConversionOptions());
        using var session = new MnnSession(MnnModel.FromBytes(conversion.Bytes));
        return Check($"models/{Path.GetFileName(dir)}", "converted ONNX", session, Path.Combine(dir, "test_data_set_0"), 1e-3);
    }

    /// <summary>(c) ../shared/mnn-upstream/NAME: upstream's model.mnn in our runtime vs upstream's outputs, limit 1e-4.</summary>
    public static CaseResult UpstreamFile(string dir)
    {
        using var session = new MnnSession(MnnModel.Load(Path.Combine(dir, "model.mnn")));
        return Check($"mnn-upstream/{Path.GetFileName(dir)}", "upstream .mnn", session, Path.Combine(dir, "test_data_set_0"), 1e-4);
    }
}
