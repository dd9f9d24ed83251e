using ModelBuild.Converter.Graph;
using ModelBuild.Converter.Parity.Metrics;

namespace ModelBuild.Converter.Tests.Parity;

[TestClass]
public sealed class TensorComparerTests
{
    private static TensorData F(float[] v, params long[] shape) => new(DataType.Float, shape.Length == 0 ? [v.Length] : shape, v);

    [TestMethod]
    public void IdenticalTensorsHaveZeroErrorAndUnitCosine()
    {
        var m = TensorComparer.Compare(F([1, -2, 3]), F([1, -2, 3]), new ParityThresholds());
        Assert.AreEqual(0.0, m.MaxAbsError);
        Assert.AreEqual(0.0, m.PeakRelError);
        Assert.AreEqual(0.0, m.RelL2);
        Assert.AreEqual(1.0, m.Cosine, 1e-15);
        Assert.AreEqual(3L, m.Histogram[0]);
        Assert.IsTrue(m.Passes(new ParityThresholds()));
    }

    [TestMethod]
    public void ComputesPeakRelativeL2AndCosine()
    {
        var m = TensorComparer.Compare(F([1, 2, 3, 4]), F([1, 2, 3, 4.4f]), new ParityThresholds());
        Assert.AreEqual(0.4, m.MaxAbsError, 1e-6);
        Assert.AreEqual(0.1, m.PeakRelError, 1e-6);
        Assert.AreEqual(0.4 / Math.Sqrt(30), m.RelL2, 1e-6);
        var dot = 1 + 4 + 9 + 4 * 4.4;
        var expected = dot / (Math.Sqrt(30) * Math.Sqrt(1 + 4 + 9 + 4.4 * 4.4));
        Assert.AreEqual(expected, m.Cosine, 1e-6);
        Assert.IsFalse(m.Passes(new ParityThresholds()));
        StringAssert.Contains(m.DescribeFailure(new ParityThresholds()), "relative error");
    }

    [TestMethod]
    public void ElementwiseRuleCountsViolationsAndWorstIndices()
    {
        var r = F([0, 1, 2, 3, 4, 5], 2, 3);
        var y = F([0, 1.5f, 2, 3.01f, 4, 2], 2, 3);
        var t = new ParityThresholds { Atol = 0.02, Rtol = 0, MaxRelError = 10, MinCosine = -1 };
        var m = TensorComparer.Compare(r, y, t);
        Assert.AreEqual(2L, m.ElementwiseViolations);
        Assert.AreEqual(2.0 / 6, m.ElementwiseViolationFraction, 1e-12);
        Assert.AreEqual(3, m.Worst.Count);
        Assert.AreEqual(5L, m.Worst[0].Index);
        CollectionAssert.AreEqual(new long[] { 1, 2 }, m.Worst[0].Position);
        Assert.AreEqual(1L, m.Worst[1].Index);
        Assert.IsFalse(m.Passes(t), "the element-wise rule decides once atol is set");
        Assert.IsTrue(m.Passes(t with { Atol = null, Rtol = null }), "unset atol/rtol: reported only");
    }

    [TestMethod]
    public void NaNMustMeetNaNAndInfinitiesMustAgree()
    {
        var ok = TensorComparer.Compare(F([float.NaN, float.PositiveInfinity, 1]), F([float.NaN, float.PositiveInfinity, 1]), new ParityThresholds());
        Assert.AreEqual(0L, ok.NonFiniteMismatches);
        Assert.IsTrue(ok.Passes(new ParityThresholds()));

        var bad = TensorComparer.Compare(F([float.NaN, float.PositiveInfinity, 1]), F([0, float.NegativeInfinity, 1]), new ParityThresholds());
        Assert.AreEqual(2L, bad.NonFiniteMismatches);
        Assert.IsFalse(bad.Passes(new ParityThresholds { MaxRelError = 1e9, MinCosine = -1 }));
    }

    [TestMethod]
    public void ShapeAndKindMismatchesAlwaysFail()
    {
        var shape = TensorComparer.Compare(F([1, 2, 3, 4], 2, 2), F([1, 2, 3, 4], 4), new ParityThresholds());
        Assert.IsFalse(shape.ShapeMatch);
        Assert.IsFalse(shape.Passes(new ParityThresholds { MaxRelError = 1e9, MinCosine = -1 }));

        var kind = TensorComparer.Compare(F([1, 2]), new TensorData(DataType.Int64, [2], [1L, 2L]), new ParityThresholds());
        Assert.IsFalse(kind.ShapeMatch);
        StringAssert.Contains(kind.Mismatch, "Int64");
    }

    [TestMethod]
    public void ZeroReferenceGivesInfinitePeakRelativeUnlessExact()
    {
        Assert.AreEqual(double.PositiveInfinity, TensorComparer.Compare(F([0, 0]), F([0, 1e-7f]), new ParityThresholds()).PeakRelError);
        Assert.AreEqual(0.0, TensorComparer.Compare(F([0, 0]), F([0, 0]), new ParityThresholds()).PeakRelError);
        Assert.AreEqual(0.0, TensorComparer.Cosine(0, 1, 0));
        Assert.AreEqual(-1.0, TensorComparer.Compare(F([1, 2]), F([-1, -2]), new ParityThresholds()).Cosine, 1e-12);
    }

    [TestMethod]
    [DataRow(0.0, 0)]
    [DataRow(1e-12, 1)]
    [DataRow(5e-9, 2)]
    [DataRow(3e-4, 7)]
    [DataRow(0.5, 10)]
    [DataRow(7.0, 11)]
    public void HistogramBucketsByDecade(double err, int bucket) => Assert.AreEqual(bucket, TensorComparer.Bucket(err));

    [TestMethod]
    public void ThresholdOverridesParseAndMerge()
    {
        var table = new Dictionary<string, ThresholdOverride>();
        ThresholdOverride.Parse("out:0:max-rel-error=0.01", table);
        ThresholdOverride.Parse("out:0:atol=1e-4", table);
        var t = new ParityThresholds().With(table["out:0"]);
        Assert.AreEqual(0.01, t.MaxRelError);
        Assert.AreEqual(1e-4, t.Atol);
        Assert.IsTrue(t.ElementwiseDecides);
        Assert.AreEqual(ErrorCodes.UsageError, Assert.ThrowsExactly<ModelBuildException>(() => ThresholdOverride.Parse("out=3", table)).Code);
        Assert.AreEqual(ErrorCodes.UsageError, Assert.ThrowsExactly<ModelBuildException>(() => ThresholdOverride.Parse("out:speed=3", table)).Code);
        Assert.AreEqual(ErrorCodes.UsageError, Assert.ThrowsExactly<ModelBuildException>(() => ThresholdOverride.Parse("out:atol=-1", table)).Code);
    }
}
