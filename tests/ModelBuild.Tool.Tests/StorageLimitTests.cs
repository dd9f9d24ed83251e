using System.Text.Json;
using ModelBuild.Tool.Tests.Infrastructure;

namespace ModelBuild.Tool.Tests;

/// <summary><c>check --mnn</c> on an fp16/int8 file: the limits not given follow the file's weight storage.</summary>
[TestClass]
public sealed class StorageLimitTests
{
    [TestMethod]
    [DataRow("fp32", 0.001, 0.9999, "options")]
    [DataRow("fp16", 0.05, 0.999, "fp16 weight-storage defaults")]
    [DataRow("int8", 0.25, 0.98, "int8 weight-storage defaults")]
    [DataRow("int8-symmetric", 0.25, 0.98, "int8 weight-storage defaults")]
    public void UnsetLimitsFollowTheFilesStorage(string precision, double maxRel, double minCos, string from)
    {
        using var tmp = new TempDir();
        var onnx = WeightPrecisionTests.BuildConvModel(tmp);
        var mnn = tmp.File("m.mnn");
        Assert.AreEqual(0, CliRun.InProcess("convert", onnx, "-o", mnn, "--weight-precision", precision).ExitCode);
        var r = CliRun.InProcess("check", onnx, "--mnn", mnn, "--samples", "2", "--isa", "native", "--json");
        Assert.AreEqual(0, r.ExitCode, r.ToString());
        using var doc = JsonDocument.Parse(r.Out);
        var t = doc.RootElement.GetProperty("thresholds");
        Assert.AreEqual(maxRel, t.GetProperty("maxRelativeError").GetDouble(), r.Out);
        Assert.AreEqual(minCos, t.GetProperty("minCosineSimilarity").GetDouble(), r.Out);
        Assert.AreEqual(from, doc.RootElement.GetProperty("thresholdsFrom").GetString());
        if (precision == "int8")
        {
            Assert.IsGreaterThan(0.001, doc.RootElement.GetProperty("samples")[0].GetProperty("outputs")[0].GetProperty("metrics").GetProperty("relativeError").GetDouble(),
                "the int8 file is worse than the float limit: with the float defaults it would fail");
        }
    }

    [TestMethod]
    public void AGivenLimitIsKeptAndTheOtherStillFollowsTheStorage()
    {
        using var tmp = new TempDir();
        var onnx = WeightPrecisionTests.BuildConvModel(tmp);
        var mnn = tmp.File("m.mnn");
        Assert.AreEqual(0, CliRun.InProcess("convert", onnx, "-o", mnn, "--weight-precision", "int8").ExitCode);
        var r = CliRun.InProcess("check", onnx, "--mnn", mnn, "--samples", "2", "--isa", "native", "--max-relative-error", "0.001");
        Assert.AreEqual(1, r.ExitCode, "a given limit decides: int8 weights exceed 0.001\n" + r);
        StringAssert.Contains(r.Out, "limits (int8 weight-storage defaults): relative error <= 0.001, cosine similarity >= 0.98", r.ToString());
        StringAssert.Contains(r.Error, "relative error", r.ToString());
    }
}
