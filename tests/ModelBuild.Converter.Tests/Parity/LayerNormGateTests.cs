using ModelBuild.Converter.Conversion;
using ModelBuild.Converter.Graph;
using ModelBuild.Converter.Onnx;
using ModelBuild.Converter.Parity;
using ModelBuild.Converter.Parity.Candidate;
using ModelBuild.Converter.Tests.Infrastructure;
using ModelBuild.Runtime.Format.Schema;
using DataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Converter.Tests.Parity;

/// <summary>
/// The gate on a transformer-style block (LayerNormalization, opset 17): constant token embeddings are the
/// LayerNorm form of the mosaic case (zero variance over the normalized axis), and an epsilon fault in one
/// LayerNorm of the converted model is caught and pinned on that node.
/// </summary>
[TestClass]
public sealed class LayerNormGateTests
{
    private const int Tokens = 8;
    private const int Width = 16;
    private static string s_dir = "";
    private static string s_model = "";

    [ClassInitialize]
    public static void Init(TestContext _)
    {
        s_dir = Directory.CreateTempSubdirectory("parity-layernorm-").FullName;
        var b = new OnnxModelBuilder(opset: 17, graphName: "encoder_block");
        b.Input("tokens", DataType.Float, 1, Tokens, Width).Output("y", DataType.Float, 1, Tokens, Width);
        LayerNorm(b, "ln0", "tokens", "h0", 1e-5f, seed: 1);
        b.Initializer("w1", TestTensors.Random(2, new long[] { Width, Width }, -0.4f, 0.4f), Width, Width);
        b.Initializer("b1", TestTensors.Random(3, new long[] { Width }, -0.1f, 0.1f), Width);
        b.Node("MatMul", ["h0", "w1"], ["m1"], "proj1");
        b.Node("Add", ["m1", "b1"], ["a1"], "bias1");
        LayerNorm(b, "ln1", "a1", "h1", 1e-5f, seed: 4);
        b.Node("Relu", ["h1"], ["r1"], "act");
        b.Initializer("w2", TestTensors.Random(5, new long[] { Width, Width }, -0.4f, 0.4f), Width, Width);
        b.Node("MatMul", ["r1", "w2"], ["m2"], "proj2");
        LayerNorm(b, "ln2", "m2", "y", 1e-2f, seed: 6);
        s_model = b.Save(Path.Combine(s_dir, "encoder_block.onnx"));
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

    private static void LayerNorm(OnnxModelBuilder b, string name, string x, string y, float epsilon, int seed)
    {
        b.Initializer($"{name}.scale", TestTensors.Random(seed, new long[] { Width }, 0.5f, 1.5f), Width);
        b.Initializer($"{name}.bias", TestTensors.Random(seed + 100, new long[] { Width }, -0.2f, 0.2f), Width);
        b.Node("LayerNormalization", [x, $"{name}.scale", $"{name}.bias"], [y], name, a => a.Int("axis", -1).Float("epsilon", epsilon));
    }

    private static ParityOptions Options(List<string>? inputs = null, bool strict = false) => new()
    {
        OnnxPath = s_model,
        InputPaths = inputs ?? [],
        Strict = strict,
        Isas = ["native"],
    };

    [TestMethod]
    public void RepresentativeTokensPass()
    {
        var r = ParityGate.Run(Options());
        Assert.AreEqual(ParityVerdict.Passed, r.Verdict, string.Join("\n", r.Messages));
        Assert.IsTrue(r.Samples.All(s => s.Judged && !s.IllConditioned));
    }

    [TestMethod]
    public void ConstantTokensAreDegenerateAtTheFirstLayerNorm_FailuresOnlyWhenStrict()
    {
        var dir = Path.Combine(s_dir, "constant");
        Directory.CreateDirectory(dir);
        TensorProtoCodec.WriteFile(new TensorData(DataType.Float, [1, Tokens, Width], Enumerable.Repeat(0.5f, Tokens * Width).ToArray()), "tokens", Path.Combine(dir, "input_0.pb"));

        var r = ParityGate.Run(Options([dir]));
        Assert.AreEqual(ParityVerdict.PassedWithWarnings, r.Verdict, string.Join("\n", r.Messages));
        var given = r.Samples.Single(s => !s.Generated);
        Assert.IsTrue(given.IllConditioned);
        var f = given.Degenerate.First();
        Assert.AreEqual("ln0", f.NodeName);
        Assert.AreEqual("LayerNormalization", f.OpType);
        Assert.AreEqual(Tokens, f.DegenerateGroups, "every token row has zero variance");
        Assert.AreEqual(1e-5, f.Epsilon, 1e-9);
        Assert.IsTrue(r.AddedRepresentativeSamples);

        var strict = ParityGate.Run(Options([dir], strict: true));
        Assert.AreEqual(ParityVerdict.Failed, strict.Verdict);
        Assert.IsTrue(strict.Errors.Any(e => e.Code == ErrorCodes.ParityDegenerateInput && e.Text.Contains("'ln0'")));
    }

    [TestMethod]
    [DataRow(1e-1f, DisplayName = "ln2 epsilon 1e-2 -> 1e-1")]
    [DataRow(0f, DisplayName = "ln2 epsilon dropped")]
    public void EpsilonFaultInOneLayerNormIsCaughtAndLocalized(float faultyEpsilon)
    {
        var converted = ModelConverter.Convert(s_model);
        var norms = converted.Net.Oplists.Where(o => o.Type == OpType.LayerNorm).ToList();
        Assert.AreEqual(3, norms.Count, "each LayerNormalization becomes one MNN LayerNorm");
        var ln2 = norms.Single(o => Math.Abs(o.Main.AsLayerNorm().Epsilon - 1e-2f) < 1e-7f);
        ln2.Main.AsLayerNorm().Epsilon = faultyEpsilon;

        var r = ParityGate.Run(Options(), CandidateModel.FromNet(converted.Net, converted.TensorNames, "fault"));
        Assert.AreEqual(ParityVerdict.Failed, r.Verdict, "the epsilon fault was not caught");
        var l = r.Localization!;
        Assert.IsTrue(l.Found, l.Describe());
        Assert.AreEqual("ln2", l.NodeName, l.Describe());
        Assert.AreEqual("LayerNormalization", l.OpType);
        Assert.AreEqual("0.01", l.Attributes["epsilon"], "the ONNX node's epsilon, as the user wrote it");
    }
}
