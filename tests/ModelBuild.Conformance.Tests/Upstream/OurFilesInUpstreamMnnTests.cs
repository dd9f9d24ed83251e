using System.Globalization;
using ModelBuild.Conformance.Tests.Backend;
using ModelBuild.Conformance.Tests.Infrastructure;

namespace ModelBuild.Conformance.Tests.Upstream;

/// <summary>
/// Do the files our converter writes load and compute correctly in upstream MNN? Every backend case our runtime
/// passes (baseline-passing.txt) and every whole model of ../shared/models is converted and run by upstream's
/// ModuleBasic.out. Inconclusive unless MODELBUILD_MNN_TOOLS points at an upstream MNN build folder holding
/// ModuleBasic.out (configure upstream MNN with cmake -DMNN_BUILD_TOOLS=ON and build its ModuleBasic.out target; set
/// MODELBUILD_MNN_COMMIT to the commit it was built from). Writes the "ours-in-upstream" section of
/// docs/conformance.md and fails when a case of upstream-passing.txt no longer passes. MODELBUILD_UPSTREAM_KEEP=1
/// keeps the work folders of cases that did not pass (their path is in the test output) to rerun them by hand.
/// </summary>
[TestClass]
public sealed class OurFilesInUpstreamMnnTests
{
    private const int BackendSeconds = 60;
    private const int ModelSeconds = 300;
    private const double ModelThreshold = 1e-3;

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void OurFilesRunInUpstreamMnn()
    {
        var tools = UpstreamTools.Require();
        var backendRoot = TestPaths.RequireShared("onnx-backend");
        var modelsRoot = TestPaths.RequireShared("models");
        var work = Path.Combine(Path.GetTempPath(), $"modelbuild-upstream-{Environment.ProcessId}");
        var keep = Environment.GetEnvironmentVariable("MODELBUILD_UPSTREAM_KEEP") == "1";

        var jobs = BackendJobs(backendRoot).Concat(ModelJobs(modelsRoot)).ToList();
        Assert.IsNotEmpty(jobs, "no cases: baseline-passing.txt lists no backend case and ../shared/models has no model");
        var results = new UpstreamResult[jobs.Count];
        var harnessErrors = new List<string>();
        Parallel.For(0, jobs.Count, new ParallelOptions { MaxDegreeOfParallelism = CaseRunner.Workers }, i =>
        {
            var job = jobs[i];
            var dir = Path.Combine(work, job.Key.Replace('/', '_'));
            try
            {
                results[i] = UpstreamCaseRunner.Run(tools, job.Key, job.OpType, job.Onnx, job.DataSets, job.Judge, dir, CaseRunner.Timeout(job.Seconds));
            }
            catch (ModelBuildException e)
            {
                results[i] = new UpstreamResult(job.Key, job.OpType, UpstreamOutcome.NotConverted, $"{e.Code}: {CaseRunner.FirstLine(e.Message)}");
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Our converter or this harness failed on a case our runtime passes: a bug here, not an upstream finding.
                lock (harnessErrors)
                {
                    harnessErrors.Add($"{job.Key}: {e.GetType().Name}: {CaseRunner.FirstLine(e.Message)}");
                }

                results[i] = new UpstreamResult(job.Key, job.OpType, UpstreamOutcome.Failed, $"not run: {e.GetType().Name}: {CaseRunner.FirstLine(e.Message)}");
            }

            if (!keep || results[i].Outcome == UpstreamOutcome.Passed)
            {
                DeleteQuietly(dir);
            }
        });

        if (!keep)
        {
            DeleteQuietly(work);
        }

        ReportFile.WriteSection(UpstreamReport.SectionId, UpstreamReport.Build(results, tools.Revision));
        Check(results, harnessErrors, tools.Revision, keep ? work : null);
    }

    private void Check(IReadOnlyList<UpstreamResult> results, List<string> harnessErrors, string revision, string? kept)
    {
        var count = (UpstreamOutcome o) => results.Count(r => r.Outcome == o).ToString(CultureInfo.InvariantCulture);
        TestContext.WriteLine($"Our files in upstream MNN ({revision}): {results.Count} cases: {count(UpstreamOutcome.Passed)} passed, "
            + $"{count(UpstreamOutcome.Wrong)} wrong, {count(UpstreamOutcome.Failed)} failed to load or run, {count(UpstreamOutcome.NotExpressible)} not expressible, {count(UpstreamOutcome.NotConverted)} not converted by us");
        if (kept is not null)
        {
            TestContext.WriteLine($"work folders of cases that did not pass: {kept}");
        }

        var passing = results.Where(r => r.Outcome == UpstreamOutcome.Passed).Select(r => r.Name).ToList();
        var baseline = UpstreamBaseline.Load();
        var problems = harnessErrors.Select(e => $"NOT RUN {e}").ToList();
        if (Baseline.UpdateRequested)
        {
            UpstreamBaseline.Update(passing, revision);
        }
        else
        {
            problems.AddRange(results.Where(r => baseline.Contains(r.Name) && r.Outcome != UpstreamOutcome.Passed).OrderBy(r => r.Name, StringComparer.Ordinal)
                .Select(r => $"REGRESSION {r.Name} ({r.OpType}) was passing in upstream, now {UpstreamReport.Label(r.Outcome)}: {r.Detail}"));
            problems.AddRange(baseline.Where(k => results.All(r => r.Name != k)).Order(StringComparer.Ordinal)
                .Select(k => $"REGRESSION {k} is in upstream-passing.txt but is no longer a case (not in baseline-passing.txt or ../shared/models)"));
            var newlyPassing = passing.Where(k => !baseline.Contains(k)).ToList();
            if (newlyPassing.Count > 0)
            {
                TestContext.WriteLine($"{newlyPassing.Count} case(s) pass in upstream that are not in upstream-passing.txt (MODELBUILD_UPDATE_CONFORMANCE=1 adds them)");
            }
        }

        problems.ForEach(TestContext.WriteLine);
        if (problems.Count > 0)
        {
            Assert.Fail($"Our files in upstream MNN: {problems.Count} problem(s):\n" + string.Join("\n", problems.Take(50)));
        }
    }

    private sealed record Job(string Key, string OpType, string Onnx, IReadOnlyList<string> DataSets, OutputJudge Judge, int Seconds);

    /// <summary>The backend cases of baseline-passing.txt, with the op type the backend report uses.</summary>
    private static IEnumerable<Job> BackendJobs(string backendRoot)
    {
        var passing = Baseline.Load(BackendCase.Suites.Select(s => s + "/").ToArray());
        return BackendCase.Discover(backendRoot)
            .Where(c => passing.Contains(c.Key))
            .Select(c => new Job(c.Key, c.OpType, Path.Combine(c.Directory, "model.onnx"), TestDataSet.Folders(c.Directory), ElementwiseJudge, BackendSeconds));
    }

    private static IEnumerable<Job> ModelJobs(string modelsRoot) =>
        Directory.EnumerateDirectories(modelsRoot)
            .Where(d => File.Exists(Path.Combine(d, "model.onnx")) && Directory.Exists(Path.Combine(d, "test_data_set_0")))
            .Order(StringComparer.Ordinal)
            .Select(d => new Job($"models/{Path.GetFileName(d)}", "whole model", Path.Combine(d, "model.onnx"), [Path.Combine(d, "test_data_set_0")], PeakRelativeJudge, ModelSeconds));

    private static (string? Mismatch, string Detail) ElementwiseJudge(double[] got, double[] expected) => (Compare.Elementwise(got, expected), "");

    private static (string? Mismatch, string Detail) PeakRelativeJudge(double[] got, double[] expected)
    {
        var error = Compare.PeakRelative(got, expected);
        var detail = string.Create(CultureInfo.InvariantCulture, $"peak-relative error {error:0.###E+0} (limit {ModelThreshold:0E+0})");
        return (error <= ModelThreshold ? null : detail, detail);
    }

    /// <summary>Deletes a work folder; a leftover one is harmless (also used by the upstream-only survey).</summary>
    internal static void DeleteQuietly(string dir)
    {
        try
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless; the next run uses a new one.
        }
    }
}
