using ModelBuild.Conformance.Tests.Infrastructure;
using ModelBuild.Converter.Conversion;
using ModelBuild.Converter.Graph;
using ModelBuild.Runtime;

namespace ModelBuild.Conformance.Tests.Backend;

/// <summary>
/// Converts one backend case in memory, runs every test_data_set_N in our runtime and compares each output with
/// the ONNX Runtime rule (shapes must match, |got − exp| ≤ 1e-5 + 1e-3·|exp|, NaN = NaN).
/// </summary>
public static class BackendCaseRunner
{
    public static CaseResult Run(BackendCase c)
    {
        var conversion = ModelConverter.Convert(Path.Combine(c.Directory, "model.onnx"), new ConversionOptions());
        var model = MnnModel.FromBytes(conversion.Bytes);
        using var session = new MnnSession(model);
        foreach (var set in TestDataSet.Folders(c.Directory))
        {
            var disputed = DisputedExpectations.Reasons.ContainsKey(c.Key) ? DisputedExpectations.Expected(Path.Combine(c.Directory, "model.onnx"), set) : null;
            var (pairs, countMismatch) = TestDataSet.Run(session, set, disputed);
            var setName = Path.GetFileName(set);
            if (countMismatch is not null)
            {
                return new CaseResult(c.Key, c.OpType, CaseOutcome.Wrong, $"{setName}: {countMismatch}");
            }

            foreach (var p in pairs)
            {
                if (!TestDataSet.ShapeMatches(p.Got, p.Expected))
                {
                    return new CaseResult(c.Key, c.OpType, CaseOutcome.Wrong,
                        $"{setName}: output '{p.Name}' has shape {Compare.Shape(p.Got.Shape.Select(d => (long)d))}, expected {Compare.Shape(p.Expected.Shape)}");
                }

                var mismatch = Compare.Elementwise(TensorBridge.ToDoubles(p.Got), TensorBridge.ToDoubles(p.Expected));
                if (mismatch is not null)
                {
                    return new CaseResult(c.Key, c.OpType, CaseOutcome.Wrong, $"{setName}: output '{p.Name}': {mismatch}");
                }
            }
        }

        return new CaseResult(c.Key, c.OpType, CaseOutcome.Passed, "");
    }
}
