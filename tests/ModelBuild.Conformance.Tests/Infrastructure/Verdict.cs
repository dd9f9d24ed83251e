namespace ModelBuild.Conformance.Tests.Infrastructure;

/// <summary>
/// Turns a suite's results into a test verdict: fails on any crashed case and on any baseline case that no longer
/// passes; reports newly passing cases; rewrites the suite's baseline lines when MODELBUILD_UPDATE_CONFORMANCE=1.
/// </summary>
public static class Verdict
{
    public static void Check(TestContext context, string suiteTitle, IReadOnlyList<CaseResult> results, params string[] baselinePrefixes)
    {
        var passing = results.Where(r => r.Outcome == CaseOutcome.Passed).Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        var baseline = Baseline.Load(baselinePrefixes);
        var regressions = results.Where(r => baseline.Contains(r.Name) && r.Outcome != CaseOutcome.Passed).OrderBy(r => r.Name, StringComparer.Ordinal).ToList();
        var vanished = baseline.Where(k => results.All(r => r.Name != k)).Order(StringComparer.Ordinal).ToList();
        var newlyPassing = passing.Where(k => !baseline.Contains(k)).Order(StringComparer.Ordinal).ToList();
        var crashed = results.Where(r => r.Outcome == CaseOutcome.Crashed).OrderBy(r => r.Name, StringComparer.Ordinal).ToList();

        context.WriteLine($"{suiteTitle}: {results.Count} cases: {passing.Count} passed, "
            + $"{results.Count(r => r.Outcome == CaseOutcome.Wrong)} wrong, {results.Count(r => r.Outcome == CaseOutcome.Rejected)} rejected, {crashed.Count} crashed");
        if (newlyPassing.Count > 0)
        {
            context.WriteLine($"{newlyPassing.Count} case(s) pass that are not in the baseline"
                + (Baseline.UpdateRequested ? " (baseline updated)" : " (run with MODELBUILD_UPDATE_CONFORMANCE=1 to add them)") + ":");
            foreach (var k in newlyPassing)
            {
                context.WriteLine($"  + {k}");
            }
        }

        if (Baseline.UpdateRequested)
        {
            Baseline.Update(passing, baselinePrefixes);
        }

        var problems = new List<string>();
        problems.AddRange(crashed.Select(r => $"CRASHED {r.Name} ({r.OpType}): {r.Detail}"));
        if (!Baseline.UpdateRequested)
        {
            problems.AddRange(regressions.Select(r => $"REGRESSION {r.Name} ({r.OpType}) was passing, now {r.Outcome}: {r.Detail}"));
            problems.AddRange(vanished.Select(k => $"REGRESSION {k} is in the baseline but was not found in the data"));
        }

        foreach (var p in problems)
        {
            context.WriteLine(p);
        }

        if (problems.Count > 0)
        {
            Assert.Fail($"{suiteTitle}: {crashed.Count} crashed, {problems.Count - crashed.Count} regression(s):\n" + string.Join("\n", problems.Take(50)));
        }
    }
}
