using ModelBuild.Converter.Conversion;
using ModelBuild.Converter.Onnx.Proto;
using ModelBuild.Converter.Tests.Infrastructure;
using ModelBuild.Converter.Tests.Ops;
using IrDataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Converter.Tests.Onnx;

/// <summary>
/// Out-of-range sliding-window attributes of Conv, ConvTranspose and the pools are MB1010 at import, naming the
/// node, the attribute and its value, instead of converting (group = -1), failing at run time (huge strides),
/// overflowing (group = -2^31) or failing at an unrelated node later (dilations = 0).
/// </summary>
[TestClass]
public sealed class WindowAttributeTests : OpTestBase
{
    private static ModelProto Conv(string op, Action<AttributeBuilder> attrs, long channels = 4, long[]? weight = null)
    {
        weight ??= op == "Conv" ? [4, channels, 3, 3] : [channels, 1, 3, 3];
        return new OnnxModelBuilder(13)
            .Input("x", IrDataType.Float, 1, channels, 8, 8)
            .Initializer("w", TestTensors.Random(1, weight), weight)
            .Node(op, ["x", "w"], ["y"], name: "win", attrs: attrs)
            .Node("Add", ["y", "y"], ["z"], name: "after")
            .Output("z", IrDataType.Float).Build();
    }

    private static ModelProto Pool(string op, Action<AttributeBuilder> attrs) =>
        new OnnxModelBuilder(13).Input("x", IrDataType.Float, 1, 2, 8, 8)
            .Node(op, ["x"], ["y"], name: "win", attrs: attrs)
            .Output("y", IrDataType.Float).Build();

    private static void AssertRejected(ModelProto model, string attribute, string value)
    {
        var e = AssertCode.Throws(ErrorCodes.OnnxInvalidAttribute, () => ModelConverter.Convert(SaveModel(model)));
        StringAssert.Contains(e.Message, "node 'win'");
        StringAssert.Contains(e.Message, $"attribute '{attribute}'");
        StringAssert.Contains(e.Message, value);
    }

    [TestMethod]
    [DataRow("Conv", -1L)]
    [DataRow("Conv", 0L)]
    [DataRow("Conv", -2147483648L)]
    [DataRow("ConvTranspose", -1L)]
    public void NonPositiveGroupIsMB1010(string op, long group) =>
        AssertRejected(Conv(op, a => a.Int("group", group)), "group", group.ToString(System.Globalization.CultureInfo.InvariantCulture));

    [TestMethod]
    public void GroupNotDividingTheWeightChannelsIsMB1010()
    {
        // Conv weight [M=4, C/g, 3, 3]: group 3 does not divide 4 output channels
        AssertRejected(Conv("Conv", a => a.Int("group", 3), channels: 3, weight: [4, 1, 3, 3]), "group", "3");
    }

    [TestMethod]
    public void InputChannelsDisagreeingWithWeightAndGroupIsMB1011()
    {
        // weight [4, 1, 3, 3] with group 2 takes 2 input channels; x has 4
        var e = AssertCode.Throws(ErrorCodes.OnnxShapeInference, () => ModelConverter.Convert(SaveModel(Conv("Conv", a => a.Int("group", 2), weight: [4, 1, 3, 3]))));
        StringAssert.Contains(e.Message, "group 2");
        StringAssert.Contains(e.Message, "'win'");
    }

    [TestMethod]
    [DataRow("strides", 2147483647L, "2147483647")]
    [DataRow("strides", 0L, "[0,1]")]
    [DataRow("dilations", 0L, "[0,1]")]
    [DataRow("dilations", -3L, "[-3,1]")]
    [DataRow("dilations", 1L << 21, "2097152")]
    public void OutOfRangeStridesAndDilationsAreMB1010(string attribute, long value, string shown)
    {
        AssertRejected(Conv("Conv", a => a.Ints(attribute, value, 1)), attribute, shown);
        AssertRejected(Conv("ConvTranspose", a => a.Ints(attribute, value, 1)), attribute, shown);
    }

    [TestMethod]
    public void NegativePadsAreMB1010() =>
        AssertRejected(Conv("Conv", a => a.Ints("pads", 0, -1, 0, 0)), "pads", "[0,-1,0,0]");

    [TestMethod]
    public void NegativeOutputPaddingIsMB1010() =>
        AssertRejected(Conv("ConvTranspose", a => a.Ints("strides", 2, 2).Ints("output_padding", -1, 0)), "output_padding", "[-1,0]");

    [TestMethod]
    [DataRow("MaxPool")]
    [DataRow("AveragePool")]
    [DataRow("LpPool")]
    public void PoolWindowsAreCheckedToo(string op)
    {
        AssertRejected(Pool(op, a => a.Ints("kernel_shape", 0, 2)), "kernel_shape", "[0,2]");
        AssertRejected(Pool(op, a => a.Ints("kernel_shape", 2, 2).Ints("strides", 1, 2147483647)), "strides", "2147483647");
        AssertRejected(Pool(op, a => a.Ints("kernel_shape", 2, 2).Ints("pads", -1, 0, 0, 0)), "pads", "[-1,0,0,0]");
    }

    [TestMethod]
    public void NonIntegerAttributeIsMB1010() =>
        AssertRejected(Conv("Conv", a => a.Floats("strides", 1.5f, 1f)), "strides", "not a list of integers");

    [TestMethod]
    public void SaneAttributesStillConvert()
    {
        var model = Conv("Conv", a => a.Int("group", 4).Ints("strides", 2, 1).Ints("dilations", 1, 2).Ints("pads", 1, 1, 1, 1), weight: [4, 1, 3, 3]);
        var result = ModelConverter.Convert(SaveModel(model));
        Assert.IsGreaterThan(0, result.Bytes.Length);
    }
}
