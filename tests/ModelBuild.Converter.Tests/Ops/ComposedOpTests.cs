using ModelBuild.Converter.Tests.Infrastructure;
using ModelBuild.Runtime.Format.Schema;
using IrDataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Converter.Tests.Ops;

/// <summary>Trilu, Celu, Swish, RMSNormalization and LpNormalization: converted, run, compared with ONNX Runtime.</summary>
[TestClass]
public sealed class ComposedOpTests : OpTestBase
{
    [TestMethod]
    [DataRow(1L, 0L)]
    [DataRow(1L, -1L)]
    [DataRow(0L, 2L)]
    [DataRow(0L, -7L)]
    public void TriluWithConstantK(long upper, long k)
    {
        var model = new OnnxModelBuilder(14).Input("x", IrDataType.Float, 2, 4, 5)
            .Initializer("k", [k])
            .Node("Trilu", ["x", "k"], ["y"], attrs: a => a.Int("upper", upper))
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model);
    }

    [TestMethod]
    public void TriluLowerWithoutKOnARuntimeShape()
    {
        var model = new OnnxModelBuilder(14).Input("x", IrDataType.Float, "H", "W")
            .Node("Trilu", ["x"], ["y"], attrs: a => a.Int("upper", 0))
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput> { ["x"] = (TestTensors.Random(3, [3L, 6]), new long[] { 3, 6 }) });
    }

    [TestMethod]
    [DataRow(1f)]
    [DataRow(0.5f)]
    [DataRow(2f)]
    public void Celu(float alpha)
    {
        var model = new OnnxModelBuilder(12).Input("x", IrDataType.Float, 3, 7)
            .Node("Celu", ["x"], ["y"], attrs: a => a.Float("alpha", alpha))
            .Output("y", IrDataType.Float).Build();
        var result = AssertMatchesOnnxRuntime(model);
        Assert.IsTrue(result.Net.Oplists.Any(o => o.Type == OpType.Select));
    }

    [TestMethod]
    [DataRow(1f)]
    [DataRow(1.702f)]
    public void Swish(float alpha)
    {
        var model = new OnnxModelBuilder(24).Input("x", IrDataType.Float, 2, 9)
            .Node("Swish", ["x"], ["y"], attrs: a => a.Float("alpha", alpha))
            .Output("y", IrDataType.Float).Build();
        var result = AssertMatchesOnnxRuntime(model);
        Assert.IsTrue(result.Net.Oplists.Any(o => o.Type == OpType.Sigmoid));
    }

    [TestMethod]
    [DataRow(-1L)]
    [DataRow(1L)]
    public void RmsNormalizationWithScaleInTheParameter(long axis)
    {
        long[] scaleShape = axis == -1 ? [4] : [3, 4];
        var model = new OnnxModelBuilder(23).Input("x", IrDataType.Float, 2, 3, 4)
            .Initializer("scale", TestTensors.Random(5, scaleShape, 0.5f, 2f), scaleShape)
            .Node("RMSNormalization", ["x", "scale"], ["y"], attrs: a => a.Int("axis", axis).Float("epsilon", 1e-3f))
            .Output("y", IrDataType.Float).Build();
        var result = AssertMatchesOnnxRuntime(model);
        var norm = result.Net.Oplists.Single(o => o.Type == OpType.LayerNorm).Main.AsLayerNorm();
        Assert.IsTrue(norm.UseRMSNorm);
        Assert.HasCount(axis == -1 ? 1 : 2, norm.Axis);
    }

    [TestMethod]
    public void RmsNormalizationWithRuntimeScale()
    {
        var model = new OnnxModelBuilder(23).Input("x", IrDataType.Float, 4, 6).Input("scale", IrDataType.Float, 6)
            .Node("RMSNormalization", ["x", "scale"], ["y"])
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model);
    }

    [TestMethod]
    [DataRow(1L, 0L)]
    [DataRow(2L, -1L)]
    [DataRow(2L, 1L)]
    public void LpNormalizationWithAZeroSlice(long p, long axis)
    {
        var model = new OnnxModelBuilder(13).Input("x", IrDataType.Float, 3, 4)
            .Node("LpNormalization", ["x"], ["y"], attrs: a => a.Int("p", p).Int("axis", axis))
            .Output("y", IrDataType.Float).Build();
        var x = TestTensors.Random(9, [3L, 4]);
        x[0] = x[1] = x[2] = x[3] = x[4] = x[8] = 0;
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput> { ["x"] = (x, new long[] { 3, 4 }) });
    }

    [TestMethod]
    public void LpNormalizationOfOrder3IsRejected()
    {
        var model = new OnnxModelBuilder(13).Input("x", IrDataType.Float, 3, 4)
            .Node("LpNormalization", ["x"], ["y"], attrs: a => a.Int("p", 3))
            .Output("y", IrDataType.Float).Build();
        AssertCode.Throws("MB3002", () => Conversion.ModelConverter.Convert(SaveModel(model), new Conversion.ConversionOptions()));
    }
}
