using ModelBuild.Converter.Parity;
using ModelBuild.Converter.Parity.Reference;
using ModelBuild.Converter.Parity.Reporting;
using ModelBuild.Converter.Tests.Infrastructure;
using DataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Converter.Tests.Parity;

/// <summary>
/// The gate's cost-cutting must not change what it checks: the early ONNX Runtime start is only taken for files
/// that provably need no intermediate outputs and no external data, and the timings report every phase.
/// </summary>
[TestClass]
public sealed class GateCostTests
{
    private static string s_dir = "";

    [ClassInitialize]
    public static void Init(TestContext _) => s_dir = Directory.CreateTempSubdirectory("parity-cost-").FullName;

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

    private static string PlainConv(string name)
    {
        var b = new OnnxModelBuilder(opset: 13, graphName: "plain");
        b.Input("x", DataType.Float, 1, 2, 5, 5).Output("y", DataType.Float, 1, 3, 5, 5);
        b.Initializer("w", TestTensors.Random(3, new long[] { 3, 2, 3, 3 }, -0.5f, 0.5f), 3, 2, 3, 3);
        b.Node("Conv", ["x", "w"], ["c"], "conv", a => a.Ints("kernel_shape", 3, 3).Ints("pads", 1, 1, 1, 1));
        b.Node("Relu", ["c"], ["y"], "relu");
        return b.Save(Path.Combine(s_dir, name));
    }

    [TestMethod]
    public void PlainModelsMayStartEarly_NormalizationOrExternalDataMayNot()
    {
        Assert.IsTrue(ReferenceFileScan.CanStartEarly(PlainConv("plain.onnx")));
        Assert.IsFalse(ReferenceFileScan.CanStartEarly(MosaicLikeNet.Save(s_dir)), "InstanceNormalization needs intermediate outputs");

        var external = new OnnxModelBuilder(opset: 13);
        external.Input("x", DataType.Float, 1, 4).Output("y", DataType.Float, 1, 4);
        external.Initializer(OnnxModelBuilder.MakeTensor("k", [1f, 2f, 3f, 4f], 1, 4));
        external.Mutate(m =>
        {
            var t = m.Graph.Initializer[0];
            t.DataLocation = ModelBuild.Converter.Onnx.Proto.TensorProto.Types.DataLocation.External;
            t.ExternalData.Add(new ModelBuild.Converter.Onnx.Proto.StringStringEntryProto { Key = "location", Value = "k.bin" });
            t.FloatData.Clear();
        });
        external.Node("Add", ["x", "k"], ["y"], "add");
        Assert.IsFalse(ReferenceFileScan.CanStartEarly(external.Save(Path.Combine(s_dir, "external.onnx"))), "external data is vetted before anything opens it");
        Assert.IsFalse(ReferenceFileScan.CanStartEarly(Path.Combine(s_dir, "missing.onnx")));
    }

    [TestMethod]
    public void MarkerSplitAcrossReadsIsFound()
    {
        // the scan reads 1 MiB at a time: put "Normalization" (in a node name) across the first boundary
        var b = new OnnxModelBuilder(opset: 13, graphName: "plain");
        b.Input("x", DataType.Float, 1, 2, 5, 5).Output("y", DataType.Float, 1, 2, 5, 5);
        b.Node("Relu", ["x"], ["y"], "xNormalization_named_relu");
        for (var shift = 0; shift < 40; shift += 3)
        {
            var model = b.Build();
            model.DocString = new string('p', (1 << 20) - 40 + shift); // serialized before the graph: moves the name
            var path = Path.Combine(s_dir, $"split{shift}.onnx");
            File.WriteAllBytes(path, Google.Protobuf.MessageExtensions.ToByteArray(model));
            Assert.IsFalse(ReferenceFileScan.CanStartEarly(path), $"shift {shift}");
        }
    }

    [TestMethod]
    public void TimingsCoverEveryPhase_AndEarlyStartedReferenceGivesTheSameVerdict()
    {
        var model = PlainConv("timed.onnx");
        var r = ParityGate.Run(new ParityOptions { OnnxPath = model, Samples = 3 });
        Assert.IsTrue(r.Passed, string.Join("\n", r.Messages));
        var phases = r.Timings.Phases.ToDictionary(p => p.Phase, p => p.Count);
        foreach (var expected in new[] { "parse ONNX", "import ONNX", "convert", "generate samples", "reference: create session", "candidate: create session" })
        {
            Assert.IsTrue(phases.ContainsKey(expected), $"missing phase '{expected}' in {string.Join(", ", phases.Keys)}");
        }

        Assert.AreEqual(3, phases["reference: run"]);
        Assert.AreEqual(3, phases["candidate: run"]);
        Assert.AreEqual(1, phases["candidate: create session"], "one session serves every sample");
        Assert.IsTrue(r.Timings.TotalMilliseconds > 0);
        Assert.IsTrue(r.Timings.Phases.All(p => p.Milliseconds >= 0));

        var json = JsonReport.Render(r);
        StringAssert.Contains(json, "\"timings\"");
        StringAssert.Contains(json, "\"phase\": \"reference: run\"");

        StringAssert.Contains(HtmlReport.Render(r), "<h2>Time</h2>");

        var text = new StringWriter();
        ConsoleSummary.WriteTimings(r.Timings, text);
        StringAssert.Contains(text.ToString(), "gate total");
    }

    [TestMethod]
    public void FailingParseStillFreesTheEarlyStartedSession()
    {
        // a file that passes the scan but is not a model: the parse fails with its own code, the pending ORT
        // session is waited for and disposed (no exception escapes from the worker)
        var path = Path.Combine(s_dir, "garbage.onnx");
        File.WriteAllBytes(path, [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x01]);
        Assert.IsTrue(ReferenceFileScan.CanStartEarly(path));
        var e = Assert.ThrowsExactly<ModelBuildException>(() => ParityGate.Run(new ParityOptions { OnnxPath = path }));
        StringAssert.StartsWith(e.Code, "MB10");
    }
}
