using System.Globalization;
using System.Text;
using ModelBuild.Conformance.Tests.Backend;
using ModelBuild.Conformance.Tests.Infrastructure;

namespace ModelBuild.Conformance.Tests.Upstream;

/// <summary>
/// The gap that matters to a user: backend cases our converter or runtime does not pass, but which upstream
/// MNNConvert converts and upstream MNN then runs correctly. Each case outside baseline-passing.txt is converted
/// by upstream's MNNConvert and run in ModuleBasic.out with the backend rule. Writes the "upstream-only" section of
/// docs/conformance.md and fails when a case appears there that upstream-only.txt does not list (a new gap: a
/// regression of ours, or a case the list has not been told about); MODELBUILD_UPDATE_CONFORMANCE=1 rewrites the
/// list. Inconclusive without an upstream build (MODELBUILD_MNN_TOOLS with ModuleBasic.out and MNNConvert).
/// </summary>
[TestClass]
public sealed class UpstreamOnlySurveyTests
{
    private const int Seconds = 60;

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void CasesOnlyUpstreamPassesAreListed()
    {
        var tools = UpstreamTools.Require();
        if (UpstreamConverter.Find(tools) is null)
        {
            Assert.Inconclusive($"{UpstreamTools.ToolsVariable} has no MNNConvert beside ModuleBasic.out: build upstream's MNNConvert target there (-DMNN_BUILD_CONVERTER=ON)");
        }

        var backendRoot = TestPaths.RequireShared("onnx-backend");
        var passing = Baseline.Load(BackendCase.Suites.Select(s => s + "/").ToArray());
        var cases = BackendCase.Discover(backendRoot).Where(c => !c.IsExpanded && !passing.Contains(c.Key)).ToList();
        var work = Path.Combine(Path.GetTempPath(), $"modelbuild-upstream-only-{Environment.ProcessId}");
        var results = new (BackendCase Case, string Ours, UpstreamResult? Upstream)[cases.Count];
        Parallel.For(0, cases.Count, new ParallelOptions { MaxDegreeOfParallelism = CaseRunner.Workers }, i =>
        {
            var c = cases[i];
            var ours = CaseRunner.RunOne(c.Key, c.OpType, () => BackendCaseRunner.Run(c), CaseRunner.Timeout(Seconds));
            var dir = Path.Combine(work, c.Key.Replace('/', '_'));
            UpstreamResult? upstream;
            try
            {
                upstream = UpstreamCaseRunner.RunUpstreamConversion(tools, c.Key, c.OpType, Path.Combine(c.Directory, "model.onnx"),
                    TestDataSet.Folders(c.Directory), (got, expected) => (Compare.Elementwise(got, expected), ""), dir, CaseRunner.Timeout(Seconds));
            }
            catch (ModelBuildException e)
            {
                // data this harness cannot read as tensors (sequence or optional .pb files)
                upstream = new UpstreamResult(c.Key, c.OpType, UpstreamOutcome.NotExpressible, $"{e.Code}: {CaseRunner.FirstLine(e.Message)}");
            }
            catch (Exception e) when (e is InvalidOperationException or IOException)
            {
                upstream = new UpstreamResult(c.Key, c.OpType, UpstreamOutcome.Failed, $"not run: {CaseRunner.FirstLine(e.Message)}");
            }

            results[i] = (c, $"{ours.Outcome}: {CaseRunner.FirstLine(ours.Detail)}", upstream);
            OurFilesInUpstreamMnnTests.DeleteQuietly(dir);
        });
        OurFilesInUpstreamMnnTests.DeleteQuietly(work);

        var gaps = results.Where(r => r.Upstream?.Outcome == UpstreamOutcome.Passed).OrderBy(r => r.Case.Key, StringComparer.Ordinal).ToList();
        ReportFile.WriteSection("upstream-only", Report(results, gaps, tools.Revision));
        var listed = UpstreamBaseline.Load(UpstreamBaseline.UpstreamOnlyPath);
        if (Baseline.UpdateRequested)
        {
            UpstreamBaseline.Write(UpstreamBaseline.UpstreamOnlyPath,
                $"Backend cases we do not pass that upstream MNNConvert converts and upstream MNN runs correctly ({tools.Revision}).", gaps.Select(g => g.Case.Key));
            return;
        }

        var unlisted = gaps.Where(g => !listed.Contains(g.Case.Key)).Select(g => $"{g.Case.Key} ({g.Case.OpType}): ours {g.Ours}").ToList();
        TestContext.WriteLine($"{cases.Count} cases we do not pass; upstream passes {gaps.Count}; {listed.Count - gaps.Count(g => listed.Contains(g.Case.Key))} listed gap(s) closed");
        unlisted.ForEach(TestContext.WriteLine);
        Assert.IsEmpty(unlisted, $"{unlisted.Count} case(s) pass only in upstream and are not in upstream-only.txt:\n" + string.Join("\n", unlisted.Take(50)));
    }

    private static string Report(IReadOnlyList<(BackendCase Case, string Ours, UpstreamResult? Upstream)> results, IReadOnlyList<(BackendCase Case, string Ours, UpstreamResult? Upstream)> gaps, string revision)
    {
        var inv = CultureInfo.InvariantCulture;
        var notConverted = results.Count(r => r.Upstream is null);
        var sb = new StringBuilder();
        sb.Append("## Cases only upstream passes\n\n");
        sb.Append("Every non-expanded backend case that we do not pass is converted by **upstream's own MNNConvert** and run in ");
        sb.Append("upstream's `ModuleBasic.out` with the backend rule. The cases it gets right are the ones a user could convert ");
        sb.Append("with upstream but not with us: the gap to close. Listed in `tests/ModelBuild.Conformance.Tests/upstream-only.txt` ");
        sb.Append("(a new entry fails the test).\n\n");
        sb.Append(string.Create(inv, $"Run against **{revision}**: of {results.Count} cases we do not pass, upstream MNNConvert refuses {notConverted}, "));
        sb.Append(string.Create(inv, $"upstream MNN fails or is wrong on {results.Count(r => r.Upstream is { Outcome: not UpstreamOutcome.Passed })}, and passes **{gaps.Count}**.\n\n"));
        sb.Append("| operator | cases only upstream passes |\n|---|---:|\n");
        foreach (var g in gaps.GroupBy(r => r.Case.OpType).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal))
        {
            sb.Append(string.Create(inv, $"| `{g.Key}` | {g.Count()} |\n"));
        }

        sb.Append("\n<details><summary>cases, with why we do not pass them</summary>\n\n");
        foreach (var g in gaps)
        {
            sb.Append($"- `{g.Case.Key}` ({g.Case.OpType}): {BackendReport.Escape(g.Ours)}\n");
        }

        sb.Append("\n</details>\n");
        return sb.ToString();
    }
}
