using ModelBuild.Tool.Tests.Infrastructure;

namespace ModelBuild.Tool.Tests;

/// <summary><c>convert --weight-precision fp16|int8|int8-symmetric</c>: the smaller file, its saving line, and that it runs.</summary>
[TestClass]
public sealed class WeightPrecisionTests
{
    /// <summary>y = Conv(x) with 24 → 40 channels, 3×3: 8,640 weights.</summary>
    internal static string BuildConvModel(TempDir tmp)
    {
        var rng = new Random(7);
        var w = Enumerable.Range(0, 40 * 24 * 9).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        return new TinyOnnx()
            .Input("x", 1, 24, 6, 6)
            .Output("y", 1, 40, 4, 4)
            .FloatInitializer("w", w, 40, 24, 3, 3)
            .Node("Conv", ["x", "w"], ["y"])
            .Save(tmp.File("conv.onnx"));
    }

    [TestMethod]
    [DataRow("int8", 0.3, "weights int8: 34,560 -> 9,222 bytes (26.7%)")]
    [DataRow("int8-symmetric", 0.3, "weights int8-symmetric: 34,560 -> 9,062 bytes (26.2%)")]
    [DataRow("fp16", 0.55, "weights fp16: 34,560 -> 17,280 bytes (50.0%)")]
    public void ConvertReportsTheSavingAndTheFileRuns(string precision, double maxShare, string saving)
    {
        using var tmp = new TempDir();
        var onnx = BuildConvModel(tmp);
        var full = tmp.File("full.mnn");
        var small = tmp.File("small.mnn");
        var r = CliRun.InProcess("convert", onnx, "-o", full);
        Assert.AreEqual(0, r.ExitCode, r.ToString());
        Assert.DoesNotContain("weights ", r.Out, "float32 storage has no saving line");

        r = CliRun.InProcess("convert", onnx, "-o", small, "--weight-precision", precision);
        Assert.AreEqual(0, r.ExitCode, r.ToString());
        StringAssert.Contains(r.Out, saving, r.ToString());
        StringAssert.Contains(r.Out, $"file {new FileInfo(small).Length:N0} bytes", r.ToString());
        Assert.IsLessThan(new FileInfo(full).Length * maxShare, (double)new FileInfo(small).Length);

        var inputs = tmp.Dir("in");
        TinyOnnx.WriteTensor(Path.Combine(inputs, "input_0.pb"), "x", [.. Enumerable.Range(0, 24 * 36).Select(i => MathF.Cos(i))], 1, 24, 6, 6);
        r = CliRun.InProcess("run", small, "--inputs", inputs, "--outputs", tmp.Dir("out"));
        Assert.AreEqual(0, r.ExitCode, r.ToString());
        StringAssert.Contains(r.Out, "[1,40,4,4]", r.ToString());
    }

    [TestMethod]
    public void UnknownPrecisionIsAUsageError()
    {
        using var tmp = new TempDir();
        var r = CliRun.InProcess("convert", BuildConvModel(tmp), "--weight-precision", "int4");
        Assert.AreNotEqual(0, r.ExitCode, r.ToString());
        StringAssert.Contains(r.Error, "int4", r.ToString());
        StringAssert.Contains(r.Error, "int8-symmetric", r.ToString());
    }
}
