using ModelBuild.Converter.Conversion;
using ModelBuild.Converter.Tests.Infrastructure;
using IrDataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Converter.Tests.Ops;

/// <summary>BitShift on unsigned integers (held as int32 in MNN): narrow left shifts wrap at their own width.
/// (ONNX Runtime has no uint16 BitShift kernel; the backend suite's uint16 cases cover it.)</summary>
[TestClass]
public sealed class BitShiftOpTests : OpTestBase
{
    [TestMethod]
    [DataRow(IrDataType.UInt8, "LEFT", new long[] { 16, 4, 1, 200, 255, 0 }, new long[] { 1, 2, 3, 1, 7, 5 })]
    [DataRow(IrDataType.UInt8, "RIGHT", new long[] { 16, 4, 1, 200, 255, 0 }, new long[] { 1, 2, 3, 1, 7, 5 })]
    [DataRow(IrDataType.UInt32, "LEFT", new long[] { 16, 4, 1, 1000000, 7, 3 }, new long[] { 1, 2, 3, 10, 20, 0 })]
    [DataRow(IrDataType.UInt32, "RIGHT", new long[] { 16, 4, 1, 1000000, 7, 2000000000 }, new long[] { 1, 2, 3, 10, 20, 30 })]
    [DataRow(IrDataType.UInt64, "LEFT", new long[] { 16, 4, 1, 1000, 7, 3 }, new long[] { 1, 2, 3, 10, 20, 0 })]
    [DataRow(IrDataType.UInt64, "RIGHT", new long[] { 16, 4, 1, 1000, 7, 3 }, new long[] { 1, 2, 3, 10, 20, 1 })]
    public void MatchesOnnxRuntime(IrDataType type, string direction, long[] x, long[] y)
    {
        var model = new OnnxModelBuilder(11)
            .Input("x", type, 2, 3).Input("y", type, 2, 3)
            .Node("BitShift", ["x", "y"], ["z"], attrs: a => a.String("direction", direction))
            .Output("z", type).Build();
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput>
        {
            ["x"] = (x, new long[] { 2, 3 }),
            ["y"] = (y, new long[] { 2, 3 }),
        });
    }

    [TestMethod]
    public void BroadcastShiftAmount()
    {
        var model = new OnnxModelBuilder(11)
            .Input("x", IrDataType.UInt8, 2, 3).Input("y", IrDataType.UInt8, 3)
            .Node("BitShift", ["x", "y"], ["z"], attrs: a => a.String("direction", "LEFT"))
            .Output("z", IrDataType.UInt8).Build();
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput>
        {
            ["x"] = (new long[] { 1, 2, 3, 129, 64, 255 }, new long[] { 2, 3 }),
            ["y"] = (new long[] { 0, 1, 2 }, new long[] { 3 }),
        });
    }

    [TestMethod]
    public void UnknownDirectionIsACodedError()
    {
        var model = new OnnxModelBuilder(11)
            .Input("x", IrDataType.UInt8, 3).Input("y", IrDataType.UInt8, 3)
            .Node("BitShift", ["x", "y"], ["z"], attrs: a => a.String("direction", "UP"))
            .Output("z", IrDataType.UInt8).Build();
        var e = Assert.ThrowsExactly<ModelBuildException>(() => ModelConverter.Convert(SaveModel(model)));
        Assert.AreEqual(ErrorCodes.UnsupportedAttribute, e.Code);
        StringAssert.Contains(e.Message, "direction='UP'");
    }
}
