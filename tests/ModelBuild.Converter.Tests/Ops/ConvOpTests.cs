using ModelBuild.Converter.Tests.Infrastructure;
using ModelBuild.Runtime.Format.Schema;
using ModelBuild.Converter.Onnx.Proto;
using IrDataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Converter.Tests.Ops;

[TestClass]
public sealed class ConvOpTests : OpTestBase
{
    private static ModelProto Conv(long[] x, long[] w, bool bias, Action<AttributeBuilder>? attrs, int opset = 13, string op = "Conv", string? activation = null)
    {
        var outChannels = op == "Conv" ? w[0] : w[1] * 1;
        var b = new OnnxModelBuilder(opset).Input("x", IrDataType.Float, OpModels.Dims(x))
            .Initializer("w", TestTensors.Random(7, w), w);
        var inputs = new List<string> { "x", "w" };
        if (bias)
        {
            var n = op == "Conv" ? w[0] : w[1];
            b.Initializer("b", TestTensors.Random(8, [n]), n);
            inputs.Add("b");
        }

        var output = activation is null ? "y" : "c";
        b.Node(op, [.. inputs], [output], attrs: attrs);
        if (activation == "Relu")
        {
            b.Node("Relu", ["c"], ["y"]);
        }
        else if (activation == "Relu6")
        {
            b.Initializer("lo", [0f]).Initializer("hi", [6f]).Node("Clip", ["c", "lo", "hi"], ["y"]);
        }

        _ = outChannels;
        return b.Output("y", IrDataType.Float).Build();
    }

    [TestMethod]
    public void Conv2dBasic() => AssertMatchesOnnxRuntime(Conv([2, 3, 7, 5], [4, 3, 3, 2], true, null));

    [TestMethod]
    public void Conv2dNoBias() => AssertMatchesOnnxRuntime(Conv([1, 3, 6, 6], [4, 3, 3, 3], false, null));

    [TestMethod]
    public void Conv2dStridesPadsDilations() =>
        AssertMatchesOnnxRuntime(Conv([1, 2, 9, 8], [3, 2, 3, 3], true, a => a.Ints("strides", 2, 1).Ints("pads", 1, 0, 2, 1).Ints("dilations", 1, 2)));

    [TestMethod]
    [DataRow("SAME_UPPER")]
    [DataRow("SAME_LOWER")]
    [DataRow("VALID")]
    public void Conv2dAutoPad(string autoPad) =>
        AssertMatchesOnnxRuntime(Conv([1, 2, 7, 6], [3, 2, 4, 3], true, a => a.String("auto_pad", autoPad).Ints("strides", 2, 2)));

    [TestMethod]
    public void Conv2dGroups() => AssertMatchesOnnxRuntime(Conv([1, 4, 5, 5], [6, 2, 3, 3], true, a => a.Int("group", 2).Ints("pads", 1, 1, 1, 1)));

    [TestMethod]
    public void Conv2dDepthwiseUsesConvolutionDepthwise()
    {
        var result = AssertMatchesOnnxRuntime(Conv([1, 4, 6, 6], [4, 1, 3, 3], true, a => a.Int("group", 4).Ints("pads", 1, 1, 1, 1)));
        Assert.IsTrue(result.Net.Oplists.Any(o => o.Type == OpType.ConvolutionDepthwise));
    }

    [TestMethod]
    public void Conv2dDepthwiseMultiplier() => AssertMatchesOnnxRuntime(Conv([1, 3, 6, 6], [6, 1, 3, 3], true, a => a.Int("group", 3)));

    [TestMethod]
    [DataRow("Relu")]
    [DataRow("Relu6")]
    public void Conv2dFusedActivation(string activation)
    {
        var model = Conv([1, 3, 6, 6], [4, 3, 3, 3], true, null, activation: activation);
        var result = AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput> { ["x"] = (TestTensors.Random(5, [1L, 3, 6, 6], -8f, 8f), new long[] { 1, 3, 6, 6 }) });
        var conv = result.Net.Oplists.Single(o => o.Type == OpType.Convolution).Main.AsConvolution2D().Common;
        Assert.AreEqual(activation == "Relu", conv.Relu);
        Assert.AreEqual(activation == "Relu6", conv.Relu6);
    }

    [TestMethod]
    public void Conv1d() => AssertMatchesOnnxRuntime(Conv([2, 4, 10], [5, 4, 3], true, a => a.Ints("pads", 1, 2).Ints("strides", 2)));

    [TestMethod]
    public void Conv1dDilatedGroups() => AssertMatchesOnnxRuntime(Conv([2, 4, 12], [6, 2, 3], true, a => a.Int("group", 2).Ints("dilations", 2)));

    [TestMethod]
    public void Conv2dOpset11() => AssertMatchesOnnxRuntime(Conv([1, 3, 5, 5], [2, 3, 3, 3], true, a => a.Ints("pads", 1, 1, 1, 1), opset: 11));

    [TestMethod]
    public void ConvTransposeBasic() => AssertMatchesOnnxRuntime(Conv([1, 3, 4, 5], [3, 2, 3, 3], true, null, op: "ConvTranspose"));

    [TestMethod]
    public void ConvTransposeStridesPadsOutputPadding() =>
        AssertMatchesOnnxRuntime(Conv([1, 3, 4, 5], [3, 4, 3, 3], true, a => a.Ints("strides", 2, 3).Ints("pads", 1, 1, 1, 1).Ints("output_padding", 1, 1), op: "ConvTranspose"));

    [TestMethod]
    public void ConvTransposeGroupsNoBias() =>
        AssertMatchesOnnxRuntime(Conv([1, 4, 3, 3], [4, 3, 2, 2], false, a => a.Int("group", 2).Ints("strides", 2, 2), op: "ConvTranspose"));

    [TestMethod]
    public void ConvTransposeOutputShape() =>
        AssertMatchesOnnxRuntime(Conv([1, 2, 4, 4], [2, 3, 3, 3], true, a => a.Ints("strides", 2, 2).Ints("output_shape", 8, 8), op: "ConvTranspose"));

    /// <summary>
    /// output_shape one more than the transposed convolution makes (9×7 → 10×8): a negative pad, written as a zero Pad
    /// at the end (ONNX's floor division), then the bias.
    /// </summary>
    [TestMethod]
    public void ConvTransposeOutputShapeBeyondTheNaturalSize() =>
        AssertMatchesOnnxRuntime(Conv([1, 4, 3, 3], [4, 2, 3, 3], true, a => a.Ints("strides", 3, 2).Ints("output_shape", 10, 8), op: "ConvTranspose"));

    [TestMethod]
    public void ConvTranspose1dOutputShapeBeyondTheNaturalSize() =>
        AssertMatchesOnnxRuntime(Conv([1, 3, 5], [3, 2, 2], true, a => a.Ints("strides", 2).Ints("output_shape", 11), op: "ConvTranspose"));

    /// <summary>
    /// SAME with a stride beyond kernel + output_padding: the spec's output in·stride would need negative pads, and
    /// ONNX Runtime keeps the transposed convolution's own size instead; MB3002 rather than either guess.
    /// </summary>
    [TestMethod]
    public void ConvTransposeSameThatNeedsNegativePadsIsMB3002()
    {
        var e = AssertCode.Throws("MB3002", () => Conversion.ModelConverter.Convert(SaveModel(Conv([1, 2, 4, 5], [2, 3, 1, 3], true, a => a.Ints("strides", 3, 4).String("auto_pad", "SAME_UPPER"), op: "ConvTranspose"))));
        StringAssert.Contains(e.Message, "negative padding");
    }

    [TestMethod]
    public void ConvTransposeSameUpper() =>
        AssertMatchesOnnxRuntime(Conv([1, 2, 4, 4], [2, 3, 3, 3], true, a => a.Ints("strides", 2, 2).String("auto_pad", "SAME_UPPER"), op: "ConvTranspose"));

    [TestMethod]
    public void ConvTranspose1d() =>
        AssertMatchesOnnxRuntime(Conv([1, 3, 6], [3, 2, 3], true, a => a.Ints("strides", 2), op: "ConvTranspose"));
}
