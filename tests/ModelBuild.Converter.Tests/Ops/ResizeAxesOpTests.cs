using ModelBuild.Converter.Tests.Infrastructure;
using IrDataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Converter.Tests.Ops;

/// <summary>Resize-18 with axes: spatial sizes that arrive at run time, in either axis order.</summary>
[TestClass]
public sealed class ResizeAxesOpTests : OpTestBase
{
    [TestMethod]
    [DataRow(new long[] { 2, 3 }, new long[] { 7, 3 })]
    [DataRow(new long[] { 3, 2 }, new long[] { 9, 5 })]
    [DataRow(new long[] { -1, -2 }, new long[] { 2, 8 })]
    public void RuntimeSizesForSpatialAxes(long[] axes, long[] sizes)
    {
        var model = new OnnxModelBuilder(18)
            .Input("x", IrDataType.Float, 1, 2, 4, 6).Input("sizes", IrDataType.Int64, 2)
            .Node("Resize", ["x", "", "", "sizes"], ["y"], attrs: a => a.String("mode", "nearest").Ints("axes", axes))
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput>
        {
            ["x"] = (TestTensors.Random(1, [1L, 2, 4, 6]), new long[] { 1, 2, 4, 6 }),
            ["sizes"] = (sizes, new long[] { 2 }),
        });
    }

    [TestMethod]
    [DataRow(new long[] { 2, 3 }, new float[] { 1.5f, 0.5f })]
    [DataRow(new long[] { 3, 2 }, new float[] { 2f, 0.75f })]
    public void RuntimeScalesForSpatialAxes(long[] axes, float[] scales)
    {
        var model = new OnnxModelBuilder(18)
            .Input("x", IrDataType.Float, 1, 2, 4, 6).Input("scales", IrDataType.Float, 2)
            .Node("Resize", ["x", "", "scales"], ["y"], attrs: a => a.String("mode", "linear").Ints("axes", axes))
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput>
        {
            ["x"] = (TestTensors.Random(1, [1L, 2, 4, 6]), new long[] { 1, 2, 4, 6 }),
            ["scales"] = (scales, new long[] { 2 }),
        });
    }

    /// <summary>One axis (or a non-spatial one) is beyond Interp: written as interpolation matrices.</summary>
    [TestMethod]
    [DataRow(new long[] { 3 }, new long[] { 9 })]
    [DataRow(new long[] { 1 }, new long[] { 5 })]
    public void RuntimeSizesForOneAxis(long[] axes, long[] sizes)
    {
        var model = new OnnxModelBuilder(18)
            .Input("x", IrDataType.Float, 1, 2, 4, 6).Input("sizes", IrDataType.Int64, 1)
            .Node("Resize", ["x", "", "", "sizes"], ["y"], attrs: a => a.String("mode", "nearest").Ints("axes", axes))
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput>
        {
            ["x"] = (TestTensors.Random(1, [1L, 2, 4, 6]), new long[] { 1, 2, 4, 6 }),
            ["sizes"] = (sizes, new long[] { 1 }),
        });
    }
}
