using ModelBuild.Converter.Parity;
using ModelBuild.Converter.Parity.Emulation;
using ModelBuild.Converter.Parity.Reporting;
using ModelBuild.Converter.Tests.Infrastructure;
using DataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Converter.Tests.Parity;

/// <summary>
/// check --emulate fp16: the "predicted on device" column. An InstanceNormalization over channels that sit at a
/// large offset with a small spread (well-conditioned in float32, but fp16 storage of ~200 has a quantum of 0.125,
/// larger than the spread) is flagged — a warning by default, a failure when asked — and localized on the norm; the
/// same graph with centered values passes.
/// </summary>
[TestClass]
public sealed class Fp16EmulationGateTests
{
    private const int C = 4;
    private static string s_dir = "";
    private static string s_lowVariance = "";
    private static string s_benign = "";

    [ClassInitialize]
    public static void Init(TestContext _)
    {
        s_dir = Directory.CreateTempSubdirectory("parity-fp16-").FullName;
        s_lowVariance = Build("low_variance", offset: 200f, weightScale: 0.05f);
        s_benign = Build("benign", offset: 0f, weightScale: 1f);
    }

    [ClassCleanup]
    public static void Cleanup()
    {
        try
        {
            Directory.Delete(s_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>x → Conv 1x1 (weights · scale, bias = offset) → InstanceNormalization → Relu → Conv 1x1.</summary>
    private static string Build(string name, float offset, float weightScale)
    {
        var b = new OnnxModelBuilder(opset: 13, graphName: name);
        b.Input("x", DataType.Float, 1, C, 12, 12).Output("y", DataType.Float, 1, C, 12, 12);
        b.Initializer("w0", TestTensors.Random(1, new long[] { C, C, 1, 1 }, -weightScale, weightScale), C, C, 1, 1);
        b.Initializer("b0", Enumerable.Repeat(offset, C).ToArray(), C);
        b.Node("Conv", ["x", "w0", "b0"], ["h"], "shift");
        b.Initializer("s", TestTensors.Random(2, new long[] { C }, 0.5f, 1.5f), C);
        b.Initializer("t", TestTensors.Random(3, new long[] { C }, -0.2f, 0.2f), C);
        b.Node("InstanceNormalization", ["h", "s", "t"], ["n"], "inorm", a => a.Float("epsilon", 1e-5f));
        b.Node("Relu", ["n"], ["r"], "act");
        b.Initializer("w1", TestTensors.Random(4, new long[] { C, C, 1, 1 }, -1f, 1f), C, C, 1, 1);
        b.Node("Conv", ["r", "w1"], ["y"], "mix");
        return b.Save(Path.Combine(s_dir, name + ".onnx"));
    }

    private static ParityOptions Options(string model, bool fails = false) => new()
    {
        OnnxPath = model,
        Isas = ["native"],
        Emulate = DeviceEmulation.Fp16,
        EmulationFails = fails,
    };

    [TestMethod]
    public void LowVarianceInstanceNormIsPredictedToDriftOnTheDevice_WarnsAndNamesTheNorm()
    {
        var r = ParityGate.Run(Options(s_lowVariance));
        Assert.IsFalse(r.Errors.Any(), "float32 parity itself passes: " + string.Join("\n", r.Messages));
        Assert.AreEqual(ParityVerdict.PassedWithWarnings, r.Verdict, string.Join("\n", r.Messages));
        Assert.IsTrue(r.Warnings.Any(w => w.Code == ErrorCodes.ParityEmulationWarning), string.Join("\n", r.Messages));
        var e = r.Emulation!;
        Assert.IsFalse(e.WithinLimits);
        Assert.IsTrue(e.MaxRelVsReference > DeviceEmulation.DefaultMaxRelError, $"predicted error {e.MaxRelVsReference}");
        var l = e.Localization!;
        Assert.IsTrue(l.Found, l.Describe());
        Assert.AreEqual("InstanceNormalization", l.OpType, l.Describe());
        Assert.AreEqual("inorm", l.NodeName, l.Describe());

        // the three report forms carry the column
        var console = new StringWriter();
        ConsoleSummary.Write(r, console, TextWriter.Null);
        StringAssert.Contains(console.ToString(), "on device");
        StringAssert.Contains(console.ToString(), "WARN");
        StringAssert.Contains(JsonReport.Render(r), "\"mode\": \"fp16\"");
        StringAssert.Contains(HtmlReport.Render(r), "Predicted on device (fp16)");
    }

    [TestMethod]
    public void EmulationFailsTheGateWhenAsked()
    {
        var r = ParityGate.Run(Options(s_lowVariance, fails: true));
        Assert.AreEqual(ParityVerdict.Failed, r.Verdict);
        Assert.IsTrue(r.Errors.Any(m => m.Code == ErrorCodes.ParityEmulationFailed), string.Join("\n", r.Messages));
    }

    [TestMethod]
    public void WellSpreadValuesPass()
    {
        var r = ParityGate.Run(Options(s_benign));
        Assert.AreEqual(ParityVerdict.Passed, r.Verdict, string.Join("\n", r.Messages));
        var e = r.Emulation!;
        Assert.IsTrue(e.WithinLimits);
        Assert.IsTrue(e.MaxRelVsReference is > 0 and < 1e-2, $"fp16 emulation changes the result by fp16 rounding: {e.MaxRelVsReference}");
        Assert.IsNull(e.Localization);
    }

    [TestMethod]
    public void WithoutEmulateThereIsNoColumn()
    {
        var r = ParityGate.Run(new ParityOptions { OnnxPath = s_benign, Isas = ["native"] });
        Assert.IsNull(r.Emulation);
        StringAssert.Contains(JsonReport.Render(r), "\"emulation\": null");
    }

    [TestMethod]
    [DataRow("fp16", DeviceEmulation.Fp16)]
    [DataRow("FP16", DeviceEmulation.Fp16)]
    [DataRow("none", null)]
    public void ModeParses(string text, string? expected) => Assert.AreEqual(expected, DeviceEmulation.Parse(text));

    [TestMethod]
    public void UnknownModeIsUsageError() =>
        AssertCode.Throws(ErrorCodes.UsageError, () => DeviceEmulation.Parse("int4"));
}
