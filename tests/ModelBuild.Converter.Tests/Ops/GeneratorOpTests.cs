using ModelBuild.Converter.Tests.Infrastructure;
using IrDataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Converter.Tests.Ops;

[TestClass]
public sealed class GeneratorOpTests : OpTestBase
{
    [TestMethod]
    public void ConstantAddedToInput()
    {
        var model = new OnnxModelBuilder(13).Input("x", IrDataType.Float, 2, 3)
            .Node("Constant", [], ["c"], attrs: a => a.Tensor("value", new float[] { 1, 2, 3 }, 3))
            .Node("Add", ["x", "c"], ["y"])
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model);
    }

    [TestMethod]
    public void ConstantOfShapeFromRuntimeShape()
    {
        // Fill(Shape(x), 2.5) + x, with a symbolic dim so the shape is only known at run time.
        var model = new OnnxModelBuilder(13).Input("x", IrDataType.Float, "N", 3)
            .Node("Shape", ["x"], ["s"])
            .Node("ConstantOfShape", ["s"], ["f"], attrs: a => a.Tensor("value", new float[] { 2.5f }, 1))
            .Node("Add", ["x", "f"], ["y"])
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput> { ["x"] = (TestTensors.Random(1, [4L, 3]), new long[] { 4, 3 }) });
    }

    [TestMethod]
    public void RangeFromRuntimeLimit()
    {
        var model = new OnnxModelBuilder(13).Input("x", IrDataType.Float, "N")
            .Initializer("start", [0.5f]).Initializer("delta", [1.5f])
            .Node("Shape", ["x"], ["s"])
            .Node("Cast", ["s"], ["sf"], attrs: a => a.Int("to", (long)IrDataType.Float))
            .Node("Squeeze", ["sf"], ["limit"])
            .Node("Range", ["start", "limit", "delta"], ["y"])
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput> { ["x"] = (TestTensors.Random(1, [7L]), new long[] { 7 }) });
    }

    [TestMethod]
    public void RangeOpset27WithTheDefaultStash()
    {
        var model = new OnnxModelBuilder(27).Input("limit", IrDataType.Float)
            .Initializer("start", [-1.5f]).Initializer("delta", [0.75f])
            .Node("Range", ["start", "limit", "delta"], ["y"])
            .Output("y", IrDataType.Float).Build();
        // ONNX Runtime does not load opset 27 yet, so the expected values are written out: ceil((4 + 1.5) / 0.75) = 8.
        var result = Conversion.ModelConverter.Convert(SaveModel(model), new Conversion.ConversionOptions());
        using var session = new ModelBuild.Runtime.MnnSession(ModelBuild.Runtime.MnnModel.FromBytes(result.Bytes));
        var y = session.Run(new Dictionary<string, ModelBuild.Runtime.Tensor> { ["limit"] = ModelBuild.Runtime.Tensor.FromFloats([4f]) })["y"];
        CollectionAssert.AreEqual(new float[] { -1.5f, -0.75f, 0f, 0.75f, 1.5f, 2.25f, 3f, 3.75f }, y.Floats.ToArray());
    }

    [TestMethod]
    public void RangeOpset27WithADoubleStashIsRejected()
    {
        var model = new OnnxModelBuilder(27).Input("limit", IrDataType.Float)
            .Initializer("start", [0f]).Initializer("delta", [1f])
            .Node("Range", ["start", "limit", "delta"], ["y"], attrs: a => a.Int("stash_type", (long)IrDataType.Double))
            .Output("y", IrDataType.Float).Build();
        var e = AssertCode.Throws("MB3002", () => Conversion.ModelConverter.Convert(SaveModel(model), new Conversion.ConversionOptions()));
        StringAssert.Contains(e.Message, "stash_type Double");
    }

    [TestMethod]
    public void ExpandToRuntimeShape()
    {
        var model = new OnnxModelBuilder(13).Input("x", IrDataType.Float, 1, 3).Input("z", IrDataType.Float, "N", 3)
            .Node("Shape", ["z"], ["s"])
            .Node("Expand", ["x", "s"], ["y"])
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput>
        {
            ["x"] = (TestTensors.Random(1, [1L, 3]), new long[] { 1, 3 }),
            ["z"] = (TestTensors.Random(2, [5L, 3]), new long[] { 5, 3 }),
        });
    }
}
