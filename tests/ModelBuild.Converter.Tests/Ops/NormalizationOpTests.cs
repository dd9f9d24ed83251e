using ModelBuild.Converter.Tests.Infrastructure;
using ModelBuild.Runtime.Format.Schema;
using IrDataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Converter.Tests.Ops;

[TestClass]
public sealed class NormalizationOpTests : OpTestBase
{
    [TestMethod]
    [DataRow(4, 9)]
    [DataRow(3, 15)]
    [DataRow(2, 14)]
    public void BatchNormalizationStandalone(int rank, int opset)
    {
        long[] shape = rank switch { 2 => [4, 3], 3 => [2, 3, 5], _ => [2, 3, 4, 5] };
        var model = new OnnxModelBuilder(opset)
            .Input("x", IrDataType.Float, OpModels.Dims(shape))
            .Initializer("s", [0.5f, 1.5f, -1f], 3).Initializer("bias", [0.1f, 0.2f, 0.3f], 3)
            .Initializer("mean", [0.05f, -0.1f, 0.2f], 3).Initializer("var", [0.9f, 1.2f, 0.3f], 3)
            .Node("BatchNormalization", ["x", "s", "bias", "mean", "var"], ["y"], attrs: a => a.Float("epsilon", 1e-3f))
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model);
    }

    [TestMethod]
    [DataRow(1e-5f)]
    [DataRow(0.1f)]
    public void InstanceNormalization(float epsilon)
    {
        var model = new OnnxModelBuilder(13)
            .Input("x", IrDataType.Float, 2, 3, 4, 5)
            .Initializer("s", [0.5f, 1.5f, -1f], 3).Initializer("bias", [0.1f, 0.2f, 0.3f], 3)
            .Node("InstanceNormalization", ["x", "s", "bias"], ["y"], attrs: a => a.Float("epsilon", epsilon))
            .Output("y", IrDataType.Float).Build();
        var result = AssertMatchesOnnxRuntime(model);
        var layerNorm = result.Net.Oplists.Single(o => o.Type == OpType.LayerNorm).Main.AsLayerNorm();
        Assert.AreEqual(epsilon, layerNorm.Epsilon);
    }

    [TestMethod]
    public void InstanceNormalization3d()
    {
        var model = new OnnxModelBuilder(11)
            .Input("x", IrDataType.Float, 2, 3, 7)
            .Initializer("s", [0.5f, 1.5f, -1f], 3).Initializer("bias", [0.1f, 0.2f, 0.3f], 3)
            .Node("InstanceNormalization", ["x", "s", "bias"], ["y"], attrs: a => a.Float("epsilon", 1e-4f))
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model);
    }

    [TestMethod]
    [DataRow(-1L)]
    [DataRow(2L)]
    [DataRow(-2L)]
    public void LayerNormalization(long axis)
    {
        long[] normShape = axis is -1 ? [6] : [5, 6];
        var count = normShape.Aggregate(1L, (a, b) => a * b);
        var model = new OnnxModelBuilder(17)
            .Input("x", IrDataType.Float, 2, 4, 5, 6)
            .Initializer("s", TestTensors.Random(3, normShape, 0.5f, 1.5f), normShape)
            .Initializer("bias", TestTensors.Random(4, [count]).Take((int)count).ToArray(), normShape)
            .Node("LayerNormalization", ["x", "s", "bias"], ["y"], attrs: a => a.Int("axis", axis).Float("epsilon", 1e-3f))
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model);
    }

    [TestMethod]
    public void LayerNormalizationNoBias()
    {
        var model = new OnnxModelBuilder(17)
            .Input("x", IrDataType.Float, 3, 8)
            .Initializer("s", TestTensors.Random(3, [8L], 0.5f, 1.5f), 8)
            .Node("LayerNormalization", ["x", "s"], ["y"])
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model);
    }

    [TestMethod]
    public void LayerNormalizationBroadcastScale()
    {
        var model = new OnnxModelBuilder(17)
            .Input("x", IrDataType.Float, 3, 4, 8)
            .Initializer("s", [1.5f], 1)
            .Initializer("bias", [0.25f], 1)
            .Node("LayerNormalization", ["x", "s", "bias"], ["y"], attrs: a => a.Int("axis", -2))
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model);
    }

    [TestMethod]
    [DataRow(3, 1e-4f, 0.75f, 1f)]
    [DataRow(5, 2e-2f, 0.5f, 2f)]
    public void Lrn(int size, float alpha, float beta, float bias) =>
        AssertMatchesOnnxRuntime(OpModels.Unary("LRN", [1, 6, 4, 4], 13, a => a.Int("size", size).Float("alpha", alpha).Float("beta", beta).Float("bias", bias)));
}
