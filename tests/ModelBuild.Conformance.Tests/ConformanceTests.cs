using System.Globalization;
using ModelBuild.Conformance.Tests.Backend;
using ModelBuild.Conformance.Tests.Infrastructure;
using ModelBuild.Conformance.Tests.Models;

namespace ModelBuild.Conformance.Tests;

/// <summary>
/// The three conformance suites over ../shared. Each writes its section of docs/conformance.md, fails on crashes
/// and on regressions against baseline-passing.txt, and is inconclusive when ../shared is absent.
/// </summary>
[TestClass]
public sealed class ConformanceTests
{
    /// <summary>Time limits per case: single-op cases are tiny; whole models get more (CI machines are shared and slow).</summary>
    private const int BackendSeconds = 60;
    private const int ModelSeconds = 300;

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void OnnxBackendSuite()
    {
        var root = TestPaths.RequireShared("onnx-backend");
        var cases = BackendCase.Discover(root);
        Assert.IsNotEmpty(cases, $"no cases found under {root}");
        var results = CaseRunner.RunAll(cases, c => c.Key, c => c.OpType, BackendCaseRunner.Run, CaseRunner.Timeout(BackendSeconds));
        ReportFile.WriteSection("backend", BackendReport.Build(cases, results));
        Verdict.Check(TestContext, "ONNX backend", results, BackendCase.Suites.Select(s => s + "/").ToArray());
    }

    [TestMethod]
    public void SharedModels()
    {
        var root = TestPaths.RequireShared("models");
        var dirs = ModelDirs(root, "model.onnx");
        Assert.IsNotEmpty(dirs, $"no models found under {root}");
        var results = CaseRunner.RunAll(dirs, d => $"models/{Path.GetFileName(d)}", _ => "converted ONNX", PeakRelativeRunner.ConvertedModel, CaseRunner.Timeout(ModelSeconds));
        ReportFile.WriteSection("models", ModelsReport.Build(
            "Whole models (`../shared/models`)",
            "Each `model.onnx` is converted in memory and run on `test_data_set_0`; outputs are compared with the float64 reference outputs by peak-relative error max|y − r| / max|r| ≤ 1e-3.",
            results));
        Verdict.Check(TestContext, "Shared models", results, "models/");
    }

    [TestMethod]
    public void UpstreamMnnFiles()
    {
        var root = TestPaths.RequireShared("mnn-upstream");
        var dirs = ModelDirs(root, "model.mnn");
        Assert.IsNotEmpty(dirs, $"no model.mnn files found under {root}");
        var results = CaseRunner.RunAll(dirs, d => $"mnn-upstream/{Path.GetFileName(d)}", _ => "upstream .mnn", PeakRelativeRunner.UpstreamFile, CaseRunner.Timeout(ModelSeconds));
        ReportFile.WriteSection("upstream", ModelsReport.Build(
            "Files written by upstream MNN (`../shared/mnn-upstream`)",
            "Upstream MNNConvert 3.6.1's `model.mnn` is loaded and run in our runtime; outputs are compared with what upstream MNN's own runtime computed (peak-relative ≤ 1e-4). The last column is upstream's own error against the ONNX expected outputs (from `MANIFEST.tsv`): where it is large, upstream itself is wrong for that case, and matching it only shows we read its file faithfully.",
            results,
            ReadManifest(Path.Combine(root, "MANIFEST.tsv"))));
        Verdict.Check(TestContext, "Upstream MNN files", results, "mnn-upstream/");
    }

    private static List<string> ModelDirs(string root, string fileName) =>
        Directory.EnumerateDirectories(root)
            .Where(d => File.Exists(Path.Combine(d, fileName)) && Directory.Exists(Path.Combine(d, "test_data_set_0")))
            .Order(StringComparer.Ordinal)
            .ToList();

    private static Dictionary<string, string> ReadManifest(string path)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return result;
        }

        foreach (var line in File.ReadLines(path).Skip(1))
        {
            var cols = line.Split('\t');
            if (cols.Length >= 2 && double.TryParse(cols[1], NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            {
                result[cols[0]] = cols[1];
            }
        }

        return result;
    }
}
