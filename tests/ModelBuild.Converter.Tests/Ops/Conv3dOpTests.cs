using ModelBuild.Converter.Conversion;
using ModelBuild.Converter.Tests.Infrastructure;
using IrDataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Converter.Tests.Ops;

/// <summary>3-D Conv written as 2-D convolutions over depth slices (Graph/Passes/Conv3dLowering).</summary>
[TestClass]
public sealed class Conv3dOpTests : OpTestBase
{
    [TestMethod]
    [DataRow(1L, new long[] { 1, 1, 1 }, new long[] { 1, 1, 1 }, new long[] { 0, 0, 0, 0, 0, 0 }, "NOTSET", true, DisplayName = "plain, bias")]
    [DataRow(1L, new long[] { 2, 1, 2 }, new long[] { 1, 2, 1 }, new long[] { 1, 0, 2, 2, 1, 0 }, "NOTSET", false, DisplayName = "strides, dilations, uneven pads")]
    [DataRow(2L, new long[] { 1, 2, 1 }, new long[] { 1, 1, 1 }, new long[] { 0, 0, 0, 0, 0, 0 }, "SAME_UPPER", true, DisplayName = "groups, SAME_UPPER")]
    [DataRow(1L, new long[] { 2, 2, 2 }, new long[] { 1, 1, 1 }, new long[] { 0, 0, 0, 0, 0, 0 }, "SAME_LOWER", false, DisplayName = "SAME_LOWER, stride 2")]
    public void Conv3d(long group, long[] strides, long[] dilations, long[] pads, string autoPad, bool bias)
    {
        const long c = 4, m = 6;
        var builder = new OnnxModelBuilder(13)
            .Input("x", IrDataType.Float, 2, c, 7, 6, 5)
            .Initializer("w", TestTensors.Random(2, [m, c / group, 3, 2, 3]), m, c / group, 3, 2, 3);
        if (bias)
        {
            builder.Initializer("b", TestTensors.Random(3, [m]), m);
        }

        var model = builder
            .Node("Conv", bias ? ["x", "w", "b"] : ["x", "w"], ["y"], attrs: a =>
            {
                a.Int("group", group).Ints("strides", strides).Ints("dilations", dilations).String("auto_pad", autoPad);
                if (autoPad == "NOTSET")
                {
                    a.Ints("pads", pads);
                }
            })
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model);
    }

    [TestMethod]
    public void UnknownInputShapeIsACodedError()
    {
        var model = new OnnxModelBuilder(13)
            .Input("x", IrDataType.Float, "N", 2, 4, 4, 4)
            .Initializer("w", TestTensors.Random(2, [3L, 2, 2, 2, 2]), 3, 2, 2, 2, 2)
            .Node("Conv", ["x", "w"], ["y"])
            .Output("y", IrDataType.Float).Build();
        var e = Assert.ThrowsExactly<ModelBuildException>(() => ModelConverter.Convert(SaveModel(model)));
        Assert.AreEqual(ErrorCodes.UnsupportedDynamicShape, e.Code);
        StringAssert.Contains(e.Message, "--input-shape");
    }
}
