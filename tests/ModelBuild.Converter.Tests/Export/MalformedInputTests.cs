using ModelBuild.Converter.Conversion;
using ModelBuild.Converter.Tests.Infrastructure;
using ModelBuild.Converter.Tests.Ops;
using IrDataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Converter.Tests.Export;

/// <summary>Malformed nodes give ModelBuildException with a code, never a crash.</summary>
[TestClass]
public sealed class MalformedInputTests : OpTestBase
{
    private static ModelBuildException ConvertFails(ModelBuild.Converter.Onnx.Proto.ModelProto model)
    {
        var path = SaveModel(model);
        return Assert.ThrowsExactly<ModelBuildException>(() => ModelConverter.Convert(path));
    }

    [TestMethod]
    public void AbsurdGroupIsAUserError()
    {
        var model = new OnnxModelBuilder(13)
            .Input("x", IrDataType.Float, 1, 2, 4, 4)
            .Initializer("w", TestTensors.Random(1, [2L, 2, 1, 1]), 2, 2, 1, 1)
            .Node("Conv", ["x", "w"], ["y"], name: "bad", attrs: a => a.Int("group", long.MaxValue))
            .Output("y", IrDataType.Float).Build();
        var e = ConvertFails(model);
        StringAssert.Contains(e.Message, "'bad'");
    }

    [TestMethod]
    public void PadsOfWrongLengthAreRejected()
    {
        var model = OpModels.Unary("MaxPool", [1, 1, 4, 4], 13, a => a.Ints("kernel_shape", 2, 2).Ints("pads", 1, 1));
        var e = ConvertFails(model);
        StringAssert.Contains(e.Message, "pads");
    }

    [TestMethod]
    public void KernelShapeDisagreeingWithWeightIsRejected()
    {
        var model = new OnnxModelBuilder(13)
            .Input("x", IrDataType.Float, 1, 2, 4, 4)
            .Initializer("w", TestTensors.Random(1, [2L, 2, 3, 3]), 2, 2, 3, 3)
            .Node("Conv", ["x", "w"], ["y"], attrs: a => a.Ints("kernel_shape", 2, 2))
            .Output("y", IrDataType.Float).Build();
        ConvertFails(model);
    }

    [TestMethod]
    public void NonPermutationTransposeIsRejected() =>
        ConvertFails(OpModels.Unary("Transpose", [2, 3], 13, a => a.Ints("perm", 0, 0)));

    [TestMethod]
    public void SplitSizesNotSummingToDimAreRejected()
    {
        var model = new OnnxModelBuilder(11).Input("x", IrDataType.Float, 4, 6)
            .Node("Split", ["x"], ["a", "b"], attrs: a => a.Int("axis", 1).Ints("split", 2, 2))
            .Output("a", IrDataType.Float).Output("b", IrDataType.Float).Build();
        ConvertFails(model);
    }

    [TestMethod]
    public void ConvTranspose3dIsUnsupported()
    {
        var model = new OnnxModelBuilder(13)
            .Input("x", IrDataType.Float, 1, 1, 3, 3, 3)
            .Initializer("w", TestTensors.Random(1, [1L, 1, 2, 2, 2]), 1, 1, 2, 2, 2)
            .Node("ConvTranspose", ["x", "w"], ["y"])
            .Output("y", IrDataType.Float).Build();
        Assert.AreEqual(ErrorCodes.UnsupportedAttribute, ConvertFails(model).Code);
    }

    [TestMethod]
    public void Int64ConstantOutsideInt32IsRejected()
    {
        var model = new OnnxModelBuilder(13)
            .Input("x", IrDataType.Int64, 2)
            .Initializer("big", new long[] { 1L << 40, 1 }, 2)
            .Node("Add", ["x", "big"], ["y"])
            .Output("y", IrDataType.Int64).Build();
        Assert.AreEqual(ErrorCodes.UnsupportedDataType, ConvertFails(model).Code);
    }
}
