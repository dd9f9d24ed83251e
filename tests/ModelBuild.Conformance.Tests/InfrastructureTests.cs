using ModelBuild.Conformance.Tests.Infrastructure;

namespace ModelBuild.Conformance.Tests;

/// <summary>The comparison rules and the case classification the suites rely on (no ../shared needed).</summary>
[TestClass]
public sealed class InfrastructureTests
{
    [TestMethod]
    [DataRow(1.0, 1.0, true)]
    [DataRow(1.0011, 1.0, false)]
    [DataRow(1.0009, 1.0, true)]
    [DataRow(0.0, 9e-6, true)]
    [DataRow(0.0, 2e-5, false)]
    [DataRow(double.NaN, double.NaN, true)]
    [DataRow(0.0, double.NaN, false)]
    [DataRow(double.NaN, 0.0, false)]
    [DataRow(double.PositiveInfinity, double.PositiveInfinity, true)]
    [DataRow(double.NegativeInfinity, double.PositiveInfinity, false)]
    public void Elementwise_FollowsTheOnnxRuntimeRule(double got, double expected, bool close)
    {
        Assert.AreEqual(close, Compare.Close(got, expected));
        Assert.AreEqual(close, Compare.Elementwise([got], [expected]) is null);
    }

    [TestMethod]
    public void PeakRelative_IsRelativeToTheLargestReferenceValue()
    {
        Assert.AreEqual(0.01, Compare.PeakRelative([1.0, 10.1], [1.0, 10.0]), 1e-12);
        Assert.AreEqual(0.0, Compare.PeakRelative([double.NaN, 2.0], [double.NaN, 2.0]));
        Assert.AreEqual(double.PositiveInfinity, Compare.PeakRelative([double.NaN, 2.0], [1.0, 2.0]));
        Assert.AreEqual(double.PositiveInfinity, Compare.PeakRelative([1.0], [1.0, 2.0]));
    }

    [TestMethod]
    public void CaseRunner_ClassifiesRejectionsCrashesAndHangs()
    {
        var limit = TimeSpan.FromSeconds(5);
        var rejected = CaseRunner.RunOne("a", "Op", () => throw new ModelBuildException(ErrorCodes.UnsupportedOperator, "no Foo\nsecond line"), limit);
        Assert.AreEqual(CaseOutcome.Rejected, rejected.Outcome);
        Assert.AreEqual("MB3001", rejected.Code);
        Assert.AreEqual("MB3001: no Foo", rejected.Detail);

        var crashed = CaseRunner.RunOne("b", "Op", () => throw new IndexOutOfRangeException("boom"), limit);
        Assert.AreEqual(CaseOutcome.Crashed, crashed.Outcome);
        Assert.StartsWith("IndexOutOfRangeException: boom", crashed.Detail);

        using var release = new ManualResetEventSlim();
        var hung = CaseRunner.RunOne("c", "Op", () => { release.Wait(); return new CaseResult("c", "Op", CaseOutcome.Passed, ""); }, TimeSpan.FromMilliseconds(200));
        release.Set();
        Assert.AreEqual(CaseOutcome.Crashed, hung.Outcome);
    }
}
