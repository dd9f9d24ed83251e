using ModelBuild.Converter.Onnx;
using ModelBuild.Tool.Tests.Infrastructure;

namespace ModelBuild.Tool.Tests;

/// <summary>convert → inspect → run on the committed mosaic-mini sample, checked against ONNX Runtime's output.</summary>
[TestClass]
public sealed class SampleEndToEndTests
{
    [TestMethod]
    public void ConvertInspectRun_MatchesOnnxRuntimeReference()
    {
        using var tmp = new TempDir();
        var mnn = tmp.File("mosaic-mini.mnn");

        var convert = CliRun.InProcess("convert", RepoPaths.SampleModel, "-o", mnn);
        Assert.AreEqual(0, convert.ExitCode, convert.ToString());
        Assert.IsTrue(File.Exists(mnn), convert.ToString());
        Assert.DoesNotContain("MB7001", convert.Error, "the sample sets every attribute explicitly");

        var inspect = CliRun.InProcess("inspect", mnn);
        Assert.AreEqual(0, inspect.ExitCode, inspect.ToString());
        Assert.MatchesRegex(@"input\s+float32\s+\[1,3,64,64\]", inspect.Out, inspect.ToString());
        Assert.Contains("output", inspect.Out, inspect.ToString());

        var outDir = tmp.Dir("out");
        var run = CliRun.InProcess("run", mnn, "--inputs", RepoPaths.SampleData, "--outputs", outDir);
        Assert.AreEqual(0, run.ExitCode, run.ToString());
        Assert.Contains("output_0.pb  output  float32[1,3,64,64]", run.Out, run.ToString());

        AssertCloseToReference(Path.Combine(outDir, "output_0.pb"), 1e-3);
    }

    [TestMethod]
    public void DefaultOutputPath_IsBesideTheInput()
    {
        using var tmp = new TempDir();
        var onnx = tmp.File("copy.onnx");
        File.Copy(RepoPaths.SampleModel, onnx);
        var r = CliRun.InProcess("convert", onnx);
        Assert.AreEqual(0, r.ExitCode, r.ToString());
        Assert.IsTrue(File.Exists(tmp.File("copy.mnn")), r.ToString());
    }

    [TestMethod]
    public void RunOnnxDirectly_AtEveryIsa_GivesTheSameResult()
    {
        using var tmp = new TempDir();
        float[]? first = null;
        foreach (var isa in new[] { "scalar", "128", "256", "512" })
        {
            var outDir = tmp.Dir(isa);
            var r = CliRun.InProcess("run", RepoPaths.SampleModel, "--inputs", RepoPaths.SampleData, "--outputs", outDir, "--isa", isa, "--threads", "2");
            Assert.AreEqual(0, r.ExitCode, r.ToString());
            var values = AssertCloseToReference(Path.Combine(outDir, "output_0.pb"), 1e-3);
            first ??= values;
            var diff = values.Zip(first, (a, b) => Math.Abs(a - b)).Max();
            Assert.IsLessThanOrEqualTo(1e-5 * first.Max(Math.Abs), diff, $"--isa {isa} differs from scalar by {diff}");
        }
    }

    [TestMethod]
    public void InspectOnnx_ShowsProducerOpsetAndOps()
    {
        var r = CliRun.InProcess("inspect", RepoPaths.SampleModel);
        Assert.AreEqual(0, r.ExitCode, r.ToString());
        Assert.Contains("ModelBuild.SampleModels", r.Out);
        Assert.Contains("ai.onnx 13", r.Out);
        Assert.MatchesRegex(@"Conv\s+8", r.Out, r.ToString());
        Assert.MatchesRegex(@"InstanceNormalization\s+7", r.Out, r.ToString());
        Assert.MatchesRegex(@"Resize\s+1", r.Out, r.ToString());
    }

    /// <summary>Reads our output and the ONNX Runtime reference; checks shape and peak-relative error.</summary>
    private static float[] AssertCloseToReference(string outputFile, double limit)
    {
        var (name, got) = TensorProtoCodec.ReadTensorFile(outputFile);
        var (_, expected) = TensorProtoCodec.ReadTensorFile(Path.Combine(RepoPaths.SampleData, "output_0.pb"));
        Assert.AreEqual("output", name);
        CollectionAssert.AreEqual(expected.Shape, got.Shape);
        var g = got.Floats!;
        var e = expected.Floats!;
        var peak = e.Max(Math.Abs);
        var err = g.Zip(e, (a, b) => Math.Abs(a - b)).Max() / peak;
        Assert.IsLessThanOrEqualTo(limit, err, $"peak-relative error {err} vs ONNX Runtime");
        return g;
    }
}
