using ModelBuild.Converter.Tests.Infrastructure;
using IrDataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Converter.Tests.Ops;

/// <summary>Squeeze/Unsqueeze axes and Split sizes (opset 13+) that are a graph input rather than an initializer.</summary>
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

    [TestMethod]
    [DataRow(13, 1, new long[] { 2, 4 })]
    [DataRow(18, -1, new long[] { 1, 5 })]
    [DataRow(13, 0, new long[] { 3, 1 })]
    public void SplitRuntimeSizes(int opset, int axis, long[] split)
    {
        var model = new OnnxModelBuilder(opset)
            .Input("x", IrDataType.Float, 4, 6).Input("split", IrDataType.Int64, 2)
            .Node("Split", ["x", "split"], ["a", "b"], attrs: a => a.Int("axis", axis))
            .Output("a", IrDataType.Float).Output("b", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput>
        {
            ["x"] = (TestTensors.Random(3, [4L, 6]), new long[] { 4, 6 }),
            ["split"] = (split, new long[] { 2 }),
        });
    }
}
