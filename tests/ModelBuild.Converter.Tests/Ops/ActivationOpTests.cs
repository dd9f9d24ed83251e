using ModelBuild.Converter.Tests.Infrastructure;
using IrDataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Converter.Tests.Ops;

[TestClass]
public sealed class ActivationOpTests : OpTestBase
{
    [TestMethod]
    [DataRow("Relu")]
    [DataRow("Sigmoid")]
    [DataRow("Tanh")]
    [DataRow("Softplus")]
    [DataRow("Softsign")]
    [DataRow("HardSwish")]
    [DataRow("Elu")]
    [DataRow("Selu")]
    [DataRow("LeakyRelu")]
    [DataRow("HardSigmoid")]
    public void ActivationMatchesOnnxRuntime(string op)
    {
        var opset = op == "HardSwish" ? 14 : 13;
        AssertMatchesOnnxRuntime(OpModels.Unary(op, [2, 3, 4, 5], opset));
    }

    [TestMethod]
    public void LeakyReluAlpha() => AssertMatchesOnnxRuntime(OpModels.Unary("LeakyRelu", [2, 7], attrs: a => a.Float("alpha", 0.3f)));

    [TestMethod]
    public void EluAlpha() => AssertMatchesOnnxRuntime(OpModels.Unary("Elu", [2, 7], attrs: a => a.Float("alpha", 0.5f)));

    [TestMethod]
    public void SeluAttributes() => AssertMatchesOnnxRuntime(OpModels.Unary("Selu", [3, 5], attrs: a => a.Float("alpha", 1.5f).Float("gamma", 2f)));

    [TestMethod]
    public void HardSigmoidAttributes() => AssertMatchesOnnxRuntime(OpModels.Unary("HardSigmoid", [3, 5], attrs: a => a.Float("alpha", 0.7f).Float("beta", 0.3f)));

    [TestMethod]
    public void SoftplusLargeInputsDoNotOverflow()
    {
        var model = OpModels.Unary("Softplus", [1, 6]);
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput> { ["x"] = (new float[] { -200f, -20f, -1f, 0f, 20f, 200f }, new long[] { 1, 6 }) });
    }

    [TestMethod]
    [DataRow(new float[] { 0.25f }, new long[] { 1 })]
    [DataRow(new float[] { 0.1f, 0.2f, 0.3f }, new long[] { 3, 1, 1 })]
    [DataRow(new float[] { 0.1f, 0.2f, 0.3f, 0.4f, 0.5f }, new long[] { 5 })]
    public void PReluSlopes(float[] slope, long[] slopeShape) =>
        AssertMatchesOnnxRuntime(OpModels.Unary("PRelu", [2, 3, 4, 5], 13, null, ("slope", slope, slopeShape)));

    [TestMethod]
    [DataRow(-0.5f, 0.5f)]
    [DataRow(0f, 6f)]
    public void ClipAttributesOpset9(float min, float max) =>
        AssertMatchesOnnxRuntime(OpModels.Unary("Clip", [2, 3, 4], 9, a => a.Float("min", min).Float("max", max)));

    [TestMethod]
    public void ClipInputsOpset13()
    {
        var model = new OnnxModelBuilder(13)
            .Input("x", IrDataType.Float, 2, 3, 4)
            .Initializer("lo", [-0.3f])
            .Initializer("hi", [0.4f])
            .Node("Clip", ["x", "lo", "hi"], ["y"])
            .Output("y", IrDataType.Float)
            .Build();
        AssertMatchesOnnxRuntime(model);
    }

    [TestMethod]
    public void ClipOnlyMaxOpset11()
    {
        var model = new OnnxModelBuilder(11)
            .Input("x", IrDataType.Float, 2, 3, 4)
            .Initializer("hi", [0.2f])
            .Node("Clip", ["x", "", "hi"], ["y"])
            .Output("y", IrDataType.Float)
            .Build();
        AssertMatchesOnnxRuntime(model);
    }

    [TestMethod]
    public void ClipRuntimeBounds()
    {
        var model = new OnnxModelBuilder(13)
            .Input("x", IrDataType.Float, 2, 3)
            .Input("lo", IrDataType.Float)
            .Input("hi", IrDataType.Float)
            .Node("Clip", ["x", "lo", "hi"], ["y"])
            .Output("y", IrDataType.Float)
            .Build();
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput>
        {
            ["x"] = (TestTensors.Random(3, [2L, 3]), new long[] { 2, 3 }),
            ["lo"] = (new float[] { -0.2f }, Array.Empty<long>()),
            ["hi"] = (new float[] { 0.3f }, Array.Empty<long>()),
        });
    }

    [TestMethod]
    [DataRow("none")]
    [DataRow("tanh")]
    public void GeluOpset20(string approximate) =>
        AssertMatchesOnnxRuntime(OpModels.Unary("Gelu", [2, 3, 8], 20, a => a.String("approximate", approximate)));
}
