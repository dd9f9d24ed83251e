using ModelBuild.Converter.Conversion;
using ModelBuild.Converter.Graph;
using ModelBuild.Converter.Onnx;
using ModelBuild.Converter.Parity;
using ModelBuild.Converter.Parity.Candidate;
using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Converter.Tests.Parity;

[TestClass]
public sealed class ParityGateTests
{
    private static string s_dir = "";
    private static string s_model = "";

    [ClassInitialize]
    public static void Init(TestContext _)
    {
        s_dir = Directory.CreateTempSubdirectory("parity-tests-").FullName;
        s_model = MosaicLikeNet.Save(s_dir);
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

    private static ParityOptions Options(Action<ParityOptionsBuilder>? change = null)
    {
        var b = new ParityOptionsBuilder { OnnxPath = s_model };
        change?.Invoke(b);
        return b.Build();
    }

    private static string ConstantSample(string name, float value)
    {
        var dir = Path.Combine(s_dir, name);
        Directory.CreateDirectory(dir);
        var data = Enumerable.Repeat(value, 3 * MosaicLikeNet.Size * MosaicLikeNet.Size).ToArray();
        TensorProtoCodec.WriteFile(new TensorData(ModelBuild.Converter.Graph.DataType.Float, [1, 3, MosaicLikeNet.Size, MosaicLikeNet.Size], data), "input", Path.Combine(dir, "input_0.pb"));
        return dir;
    }

    [TestMethod]
    public void RepresentativeInputsPass()
    {
        var r = ParityGate.Run(Options());
        Assert.IsTrue(r.Passed, string.Join("\n", r.Messages));
        Assert.AreEqual(4, r.Samples.Count);
        Assert.IsTrue(r.Samples.All(s => s.Judged && !s.IllConditioned));
        Assert.IsNull(r.Localization);
        Assert.IsTrue(r.Samples.SelectMany(s => s.Outputs).All(o => o.Metrics.PeakRelError < 1e-4));
    }

    [TestMethod]
    public void ConstantSamplesAreDegenerateButNotAFailureByDefault()
    {
        var r = ParityGate.Run(Options(o => o.Inputs = [ConstantSample("zeros", 0), ConstantSample("ones", 1)]));
        Assert.AreNotEqual(ParityVerdict.Failed, r.Verdict, string.Join("\n", r.Messages));
        Assert.AreEqual(ParityVerdict.PassedWithWarnings, r.Verdict);
        var given = r.Samples.Where(s => !s.Generated).ToList();
        Assert.AreEqual(2, given.Count);
        foreach (var s in given)
        {
            Assert.IsTrue(s.IllConditioned, $"sample {s.Id} should be ill-conditioned");
            Assert.IsFalse(s.Judged);
            var f = s.Degenerate.First();
            Assert.AreEqual("in1", f.NodeName);
            Assert.AreEqual("InstanceNormalization", f.OpType);
            Assert.AreEqual(6, f.DegenerateGroups);
            Assert.AreEqual(1e-5, f.Epsilon, 1e-9);
            Assert.IsTrue(f.MinVariance < 1e-4);
            CollectionAssert.AreEqual(new long[] { 0, 1, 2, 3, 4, 5 }, f.Channels.ToArray());
            CollectionAssert.Contains(s.ConstantInputs, "input");
        }

        Assert.IsTrue(r.AddedRepresentativeSamples, "all given samples were ill-conditioned, so generated ones must be judged");
        Assert.IsTrue(r.Samples.Where(s => s.Generated).All(s => s.Judged));
        Assert.IsTrue(r.Warnings.Any(m => m.Code == ErrorCodes.ParityDegenerateSampleWarning && m.Text.Contains("'in1'")));
    }

    [TestMethod]
    public void StrictTurnsDegenerateSamplesIntoFailures()
    {
        var r = ParityGate.Run(Options(o =>
        {
            o.Inputs = [ConstantSample("zeros-strict", 0)];
            o.Strict = true;
        }));
        Assert.AreEqual(ParityVerdict.Failed, r.Verdict);
        Assert.AreEqual(1, r.ExitCode);
        Assert.IsTrue(r.Errors.Any(e => e.Code == ErrorCodes.ParityDegenerateInput && e.Text.Contains("'in1'")));
    }

    public static IEnumerable<object[]> Faults =>
    [
        ["in2 epsilon 1e-2 -> 1e-1", "in2", 0.0],
        ["in2 epsilon dropped", "in2", 0.0],
        ["conv3 weight +1%", "conv3", 1e-4],
        ["conv2 kernel transposed", "conv2", 0.0],
        ["up resize nearest -> bilinear", "up", 0.0],
    ];

    [TestMethod]
    [DynamicData(nameof(Faults))]
    public void SeededFaultsAreCaughtAndLocalized(string fault, string node, double maxRel)
    {
        var converted = ModelConverter.Convert(s_model);
        Inject(converted.Net, fault);
        var candidate = CandidateModel.FromNet(converted.Net, converted.TensorNames, $"fault: {fault}");
        var r = ParityGate.Run(Options(o =>
        {
            o.Isas = ["native"];
            if (maxRel > 0)
            {
                o.MaxRelError = maxRel;
            }
        }), candidate);
        Assert.AreEqual(ParityVerdict.Failed, r.Verdict, $"{fault} was not caught");
        Assert.IsTrue(r.Errors.Any(e => e.Code == ErrorCodes.ParityFailed));
        Assert.IsNotNull(r.Localization);
        Assert.IsTrue(r.Localization.Found, r.Localization.Describe());
        Assert.AreEqual(node, r.Localization.NodeName, r.Localization.Describe());
        Assert.IsTrue(r.Localization.InputMetrics.Count > 0 || node == "conv1");
    }

    [TestMethod]
    public void LocalizationReportsTheNodesAttributes()
    {
        var converted = ModelConverter.Convert(s_model);
        Inject(converted.Net, "in2 epsilon 1e-2 -> 1e-1");
        var r = ParityGate.Run(Options(o => o.Isas = ["native"]), CandidateModel.FromNet(converted.Net, converted.TensorNames, "fault"));
        Assert.AreEqual("InstanceNormalization", r.Localization!.OpType);
        Assert.AreEqual("0.01", r.Localization.Attributes["epsilon"]);
        Assert.AreEqual("n2", r.Localization.Value);
        Assert.IsTrue(r.Localization.InputMetrics.ContainsKey("c2"), "the node's input is compared and agrees");
        Assert.IsTrue(r.Localization.InputMetrics["c2"].Passes(r.Thresholds));
    }

    [TestMethod]
    public void ReportFilesAreWrittenWithSchemaVersion()
    {
        var report = Path.Combine(s_dir, "report");
        var save = Path.Combine(s_dir, "saved");
        var r = ParityGate.Run(Options(o =>
        {
            o.Report = report;
            o.SaveInputs = save;
            o.Samples = 2;
        }));
        var json = File.ReadAllText(report + ".json");
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        Assert.AreEqual(ParityResult.CurrentSchemaVersion, doc.RootElement.GetProperty("schemaVersion").GetInt32());
        Assert.AreEqual(r.VerdictText, doc.RootElement.GetProperty("verdict").GetString());
        Assert.AreEqual(2, doc.RootElement.GetProperty("samples").GetArrayLength());
        var html = File.ReadAllText(report + ".html");
        StringAssert.Contains(html, "<svg");
        StringAssert.Contains(html, "ISA matrix");
        StringAssert.Contains(html, "cosine similarity ≥ 0.9999");
        StringAssert.Contains(html, "elementwise violations<br>(|y−r| &gt; atol + rtol·|r|, atol ");
        Assert.IsTrue(File.Exists(Path.Combine(save, "test_data_set_1", "input_0.pb")));

        // the saved samples replay to the same metrics
        var replay = ParityGate.Run(Options(o => o.Inputs = [save]));
        Assert.AreEqual(r.Samples[0].Outputs[0].Metrics.MaxAbsError, replay.Samples[0].Outputs[0].Metrics.MaxAbsError);
    }

    [TestMethod]
    public void EveryAvailableIsaAgrees()
    {
        var r = ParityGate.Run(Options(o => o.Isas = ["scalar", "128", "256", "512"]));
        Assert.IsTrue(r.Passed, string.Join("\n", r.Messages));
        Assert.AreEqual(4, r.Isas.Count);
        Assert.IsTrue(r.Isas.Where(c => c.Status == "ran").All(c => c.Passed));
    }

    [TestMethod]
    public void BadOptionsThrowCodedErrors()
    {
        Assert.AreEqual(ErrorCodes.UsageError, Assert.ThrowsExactly<ModelBuildException>(() => ParityGate.Run(Options(o => o.Samples = 0))).Code);
        Assert.AreEqual(ErrorCodes.OnnxFileNotFound, Assert.ThrowsExactly<ModelBuildException>(() => ParityGate.Run(new ParityOptions { OnnxPath = Path.Combine(s_dir, "missing.onnx") })).Code);
        Assert.AreEqual(ErrorCodes.InvalidInputShapeOption, Assert.ThrowsExactly<ModelBuildException>(() => ParityGate.Run(Options(o => o.Shapes["nope"] = [1]))).Code);
        Assert.AreEqual(ErrorCodes.UsageError, Assert.ThrowsExactly<ModelBuildException>(() => ParityGate.Run(Options(o => o.Isas = ["avx9000"]))).Code);
    }

    internal static void Inject(NetT net, string fault)
    {
        OpT Op(Func<OpT, bool> match, string what) => net.Oplists.FirstOrDefault(match) ?? throw new AssertFailedException($"no op for {what} among {string.Join(", ", net.Oplists.Select(o => $"{o.Type}:{o.Name}"))}");
        switch (fault)
        {
            case "in2 epsilon 1e-2 -> 1e-1":
                Op(o => o.Type == OpType.LayerNorm && o.Name.StartsWith("n2", StringComparison.Ordinal), "in2").Main.AsLayerNorm().Epsilon = 1e-1f;
                break;
            case "in2 epsilon dropped":
                Op(o => o.Type == OpType.LayerNorm && o.Name.StartsWith("n2", StringComparison.Ordinal), "in2").Main.AsLayerNorm().Epsilon = 0f;
                break;
            case "conv3 weight +1%":
            {
                var w = Op(o => o.Type == OpType.Convolution && o.Name == "output", "conv3").Main.AsConvolution2D().Weight;
                var i = Enumerable.Range(0, w.Count).MaxBy(k => Math.Abs(w[k]));
                w[i] *= 1.01f;
                break;
            }

            case "conv2 kernel transposed":
            {
                var conv = Op(o => o.Type == OpType.Convolution && o.Name == "c2", "conv2").Main.AsConvolution2D();
                var k = conv.Common.KernelX;
                var w = conv.Weight;
                for (var p = 0; p < w.Count; p += k * k)
                {
                    for (var y = 0; y < k; y++)
                    {
                        for (var x = y + 1; x < k; x++)
                        {
                            (w[p + y * k + x], w[p + x * k + y]) = (w[p + x * k + y], w[p + y * k + x]);
                        }
                    }
                }

                break;
            }

            case "up resize nearest -> bilinear":
                Op(o => o.Type == OpType.Interp, "up").Main.AsInterp().ResizeType = 2;
                break;
            default:
                throw new ArgumentException(fault);
        }
    }
}

/// <summary>Mutable test-side builder for the init-only <see cref="ParityOptions"/>.</summary>
internal sealed class ParityOptionsBuilder
{
    public required string OnnxPath { get; init; }

    public List<string> Inputs { get; set; } = [];

    public bool Strict { get; set; }

    public List<string> Isas { get; set; } = ["native"];

    public double? MaxRelError { get; set; }

    public int Samples { get; set; } = ParityOptions.DefaultSamples;

    public string? Report { get; set; }

    public string? SaveInputs { get; set; }

    public Dictionary<string, long[]> Shapes { get; } = new(StringComparer.Ordinal);

    public ParityOptions Build() => new()
    {
        OnnxPath = OnnxPath,
        InputPaths = Inputs,
        Strict = Strict,
        Isas = Isas,
        Samples = Samples,
        ReportPath = Report,
        SaveInputsDirectory = SaveInputs,
        InputShapes = Shapes,
        Thresholds = MaxRelError is { } m ? new ModelBuild.Converter.Parity.Metrics.ParityThresholds { MaxRelError = m } : new ModelBuild.Converter.Parity.Metrics.ParityThresholds(),
    };
}
