using ModelBuild.Converter.Tests.Infrastructure;
using IrDataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Converter.Tests.Ops;

/// <summary>Squeeze/Unsqueeze (opset 13+) whose axes are a graph input rather than an initializer.</summary>
[TestClass]
public sealed class RuntimeAxesShapeOpTests : OpTestBase
{
    [TestMethod]
    [DataRow(new long[] { 0, 2 })]
    [DataRow(new long[] { -1 })]
    public void SqueezeRuntimeAxes(long[] axes)
    {
        var model = new OnnxModelBuilder(13)
            .Input("x", IrDataType.Float, 1, 3, 1, 1).Input("axes", IrDataType.Int64, axes.Length)
            .Node("Squeeze", ["x", "axes"], ["y"])
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput>
        {
            ["x"] = (TestTensors.Random(1, [1L, 3, 1, 1]), new long[] { 1, 3, 1, 1 }),
            ["axes"] = (axes, new long[] { axes.Length }),
        });
    }

    [TestMethod]
    [DataRow(new long[] { 0 })]
    [DataRow(new long[] { 3, -4 })]
    [DataRow(new long[] { 4, 1, 0 })]
    public void UnsqueezeRuntimeAxes(long[] axes)
    {
        var model = new OnnxModelBuilder(13)
            .Input("x", IrDataType.Float, 2, 3).Input("axes", IrDataType.Int64, axes.Length)
            .Node("Unsqueeze", ["x", "axes"], ["y"])
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput>
        {
            ["x"] = (TestTensors.Random(2, [2L, 3]), new long[] { 2, 3 }),
            ["axes"] = (axes, new long[] { axes.Length }),
        });
    }
}
