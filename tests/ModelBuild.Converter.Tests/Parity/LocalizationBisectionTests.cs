using ModelBuild.Converter.Conversion;
using ModelBuild.Converter.Parity;
using ModelBuild.Converter.Parity.Candidate;
using ModelBuild.Converter.Parity.Localization;
using ModelBuild.Converter.Tests.Infrastructure;
using ModelBuild.Runtime.Format.Schema;
using DataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Converter.Tests.Parity;

[TestClass]
public sealed class LocalizationBisectionTests
{
    /// <summary>A chain of 200 element-wise ops with one Conv at position 130: far more values than one direct comparison takes.</summary>
    private static string DeepChain(string dir)
    {
        var b = new OnnxModelBuilder(opset: 13, graphName: "deep_chain");
        b.Input("x", DataType.Float, 1, 2, 6, 6).Output("y", DataType.Float, 1, 2, 6, 6);
        var cur = "x";
        for (var i = 0; i < 200; i++)
        {
            var next = $"v{i}";
            if (i == 130)
            {
                b.Initializer("conv.w", TestTensors.Random(7, new long[] { 2, 2, 3, 3 }, -0.5f, 0.5f), 2, 2, 3, 3);
                b.Node("Conv", [cur, "conv.w"], [next], "the_conv", a => a.Ints("kernel_shape", 3, 3).Ints("pads", 1, 1, 1, 1));
            }
            else
            {
                b.Initializer($"k{i}", [i % 2 == 0 ? 0.01f * (i % 7) : 1f + 0.001f * (i % 5)], 1);
                b.Node(i % 2 == 0 ? "Add" : "Mul", [cur, $"k{i}"], [next], $"op{i}");
            }

            cur = next;
        }

        b.Node("Identity", [cur], ["y"], "final");
        return b.Save(Path.Combine(dir, "deep.onnx"));
    }

    [TestMethod]
    public void LargeGraphsAreNarrowedWithFewReferenceRuns()
    {
        var dir = Directory.CreateTempSubdirectory("parity-deep-").FullName;
        try
        {
            var model = DeepChain(dir);
            var converted = ModelConverter.Convert(model);
            var conv = converted.Net.Oplists.First(o => o.Type == OpType.Convolution).Main.AsConvolution2D();
            conv.Weight[4] += 0.5f;
            var r = ParityGate.Run(new ParityOptions { OnnxPath = model, Samples = 1, Isas = ["native"] }, CandidateModel.FromNet(converted.Net, converted.TensorNames, "fault"));
            Assert.AreEqual(ParityVerdict.Failed, r.Verdict);
            var l = r.Localization!;
            Assert.IsTrue(l.Found, l.Describe());
            Assert.AreEqual("the_conv", l.NodeName, l.Describe());
            Assert.IsTrue(l.ComparableValues > DivergenceLocalizer.DirectLimit, $"only {l.ComparableValues} comparable values");
            Assert.IsTrue(l.ReferenceRuns <= 8, $"{l.ReferenceRuns} reference runs");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
