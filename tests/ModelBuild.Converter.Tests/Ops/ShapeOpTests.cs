using ModelBuild.Converter.Conversion;
using ModelBuild.Converter.Tests.Infrastructure;
using IrDataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Converter.Tests.Ops;

[TestClass]
public sealed class ShapeOpTests : OpTestBase
{
    [TestMethod]
    [DataRow(new long[] { 4, 6 })]
    [DataRow(new long[] { 0, -1 })]
    [DataRow(new long[] { -1 })]
    [DataRow(new long[] { 2, 0, 2, 2 })]
    public void ReshapeConstantShape(long[] target)
    {
        var model = new OnnxModelBuilder(13)
            .Input("x", IrDataType.Float, 2, 3, 4)
            .Initializer("shape", target, target.Length)
            .Node("Reshape", ["x", "shape"], ["y"])
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model);
    }

    [TestMethod]
    [DataRow(new long[] { 0, 3, 4 }, new long[] { 3, 4, 0 }, DisplayName = "literal zero last")]
    [DataRow(new long[] { 0, 3, 4 }, new long[] { 0, 0 }, DisplayName = "two literal zeros")]
    [DataRow(new long[] { 0, 3, 4 }, new long[] { 4, -1 }, DisplayName = "empty input, inferred 0")]
    [DataRow(new long[] { 2, 3, 4 }, new long[] { 4, -1 }, DisplayName = "input with elements")]
    public void ReshapeAllowZeroRuntimeShape(long[] input, long[] target)
    {
        var model = new OnnxModelBuilder(14)
            .Input("x", IrDataType.Float, OpModels.Dims(input)).Input("shape", IrDataType.Int64, target.Length)
            .Node("Reshape", ["x", "shape"], ["y"], attrs: a => a.Int("allowzero", 1))
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput>
        {
            ["x"] = (TestTensors.Random(1, input), input),
            ["shape"] = (target, new long[] { target.Length }),
        });
    }

    [TestMethod]
    [DataRow(new long[] { 0, 3, 4 }, new long[] { 3, 0, 4 })]
    [DataRow(new long[] { 2, 3, 4 }, new long[] { 0, -1 })]
    public void ReshapeAllowZeroConstantShape(long[] input, long[] target)
    {
        // An empty input to a literal-zero shape is exact; a 0 beside −1 (allowzero=1) is an invalid model: refused.
        var model = new OnnxModelBuilder(14)
            .Input("x", IrDataType.Float, OpModels.Dims(input))
            .Initializer("shape", target, target.Length)
            .Node("Reshape", ["x", "shape"], ["y"], attrs: a => a.Int("allowzero", 1))
            .Output("y", IrDataType.Float).Build();
        if (target.Contains(-1))
        {
            var e = Assert.ThrowsExactly<ModelBuildException>(() => ModelConverter.Convert(SaveModel(model)));
            // shape inference already sees 0 elements against 24
            Assert.AreEqual(ErrorCodes.OnnxShapeInference, e.Code);
            return;
        }

        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput> { ["x"] = (TestTensors.Random(1, input), input) });
    }

    [TestMethod]
    public void ReshapeAllowZeroWithUnknownInputShapeIsRefused()
    {
        var model = new OnnxModelBuilder(14)
            .Input("x", IrDataType.Float, "n", 3).Input("shape", IrDataType.Int64, 2)
            .Node("Reshape", ["x", "shape"], ["y"], attrs: a => a.Int("allowzero", 1))
            .Output("y", IrDataType.Float).Build();
        var e = Assert.ThrowsExactly<ModelBuildException>(() => ModelConverter.Convert(SaveModel(model)));
        Assert.AreEqual(ErrorCodes.UnsupportedDynamicShape, e.Code);
        StringAssert.Contains(e.Message, "allowzero=1");
    }

    [TestMethod]
    public void ReshapeRuntimeShapeFromShapeOps()
    {
        // y = Reshape(x, Concat(Shape(x)[0:1], [-1])) with a symbolic batch: the shape math stays in the file.
        var model = new OnnxModelBuilder(13)
            .Input("x", IrDataType.Float, "N", 3, 4)
            .Initializer("starts", new long[] { 0 }, 1).Initializer("ends", new long[] { 1 }, 1)
            .Initializer("minus1", new long[] { -1 }, 1)
            .Node("Shape", ["x"], ["s"])
            .Node("Slice", ["s", "starts", "ends"], ["batch"])
            .Node("Concat", ["batch", "minus1"], ["target"], attrs: a => a.Int("axis", 0))
            .Node("Reshape", ["x", "target"], ["y"])
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput> { ["x"] = (TestTensors.Random(1, [5L, 3, 4]), new long[] { 5, 3, 4 }) });
    }

    [TestMethod]
    [DataRow(0L)]
    [DataRow(1L)]
    [DataRow(2L)]
    [DataRow(3L)]
    [DataRow(-1L)]
    public void Flatten(long axis) => AssertMatchesOnnxRuntime(OpModels.Unary("Flatten", [2, 3, 4], 13, a => a.Int("axis", axis)));

    [TestMethod]
    [DataRow(new long[] { 0, 2, 1 })]
    [DataRow(new long[] { 2, 0, 1 })]
    [DataRow(null)]
    public void Transpose(long[]? perm) =>
        AssertMatchesOnnxRuntime(OpModels.Unary("Transpose", [2, 3, 4], 13, perm is null ? null : a => a.Ints("perm", perm)));

    [TestMethod]
    [DataRow(11)]
    [DataRow(13)]
    public void SqueezeUnsqueeze(int opset)
    {
        var b = new OnnxModelBuilder(opset).Input("x", IrDataType.Float, 2, 1, 3, 1);
        if (opset >= 13)
        {
            b.Initializer("sq", new long[] { 1, -1 }, 2).Initializer("usq", new long[] { 0, -1 }, 2)
                .Node("Squeeze", ["x", "sq"], ["s"]).Node("Unsqueeze", ["s", "usq"], ["y"]);
        }
        else
        {
            b.Node("Squeeze", ["x"], ["s"], attrs: a => a.Ints("axes", 1, -1)).Node("Unsqueeze", ["s"], ["y"], attrs: a => a.Ints("axes", 0, -1));
        }

        AssertMatchesOnnxRuntime(b.Output("y", IrDataType.Float).Build());
    }

    [TestMethod]
    public void SqueezeAllUnitAxes() => AssertMatchesOnnxRuntime(OpModels.Unary("Squeeze", [1, 3, 1, 2]));

    [TestMethod]
    [DataRow(new long[] { 2, 3, 4 })]
    [DataRow(new long[] { 3, 1 })]
    [DataRow(new long[] { 2, 1, 1 })]
    public void Expand(long[] shape)
    {
        var model = new OnnxModelBuilder(13)
            .Input("x", IrDataType.Float, 3, 1)
            .Initializer("shape", shape, shape.Length)
            .Node("Expand", ["x", "shape"], ["y"])
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model);
    }

    [TestMethod]
    public void Tile()
    {
        var model = new OnnxModelBuilder(13)
            .Input("x", IrDataType.Float, 2, 3)
            .Initializer("repeats", new long[] { 2, 3 }, 2)
            .Node("Tile", ["x", "repeats"], ["y"])
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model);
    }

    [TestMethod]
    [DataRow(0L)]
    [DataRow(1L)]
    [DataRow(-1L)]
    public void Concat(long axis)
    {
        var model = new OnnxModelBuilder(13)
            .Input("a", IrDataType.Float, 2, 2, 3).Input("b", IrDataType.Float, 2, 2, 3)
            .Initializer("c", TestTensors.Random(3, [2L, 2, 3]), 2, 2, 3)
            .Node("Concat", ["a", "b", "c"], ["y"], attrs: a => a.Int("axis", axis))
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model);
    }

    [TestMethod]
    [DataRow(13, 0L, 99L)]
    [DataRow(15, 1L, 99L)]
    [DataRow(15, -2L, 99L)]
    [DataRow(15, 0L, -1L)]
    public void ShapeOfSymbolicInput(int opset, long start, long end)
    {
        var b = new OnnxModelBuilder(opset).Input("x", IrDataType.Float, "N", 3, 4);
        b.Node("Shape", ["x"], ["y"], attrs: opset >= 15 && (start != 0 || end != 99) ? a => { a.Int("start", start); if (end != 99) { a.Int("end", end); } } : null);
        var model = b.Output("y", IrDataType.Int64).Build();
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput> { ["x"] = (TestTensors.Random(1, [2L, 3, 4]), new long[] { 2, 3, 4 }) });
    }

    [TestMethod]
    public void SizeOfSymbolicInput()
    {
        var model = new OnnxModelBuilder(13).Input("x", IrDataType.Float, "N", 3)
            .Node("Size", ["x"], ["y"]).Output("y", IrDataType.Int64).Build();
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput> { ["x"] = (TestTensors.Random(1, [4L, 3]), new long[] { 4, 3 }) });
    }

    [TestMethod]
    [DataRow("DCR")]
    [DataRow("CRD")]
    public void DepthToSpace(string mode) =>
        AssertMatchesOnnxRuntime(OpModels.Unary("DepthToSpace", [1, 8, 2, 3], 13, a => a.Int("blocksize", 2).String("mode", mode)));

    [TestMethod]
    public void SpaceToDepth() => AssertMatchesOnnxRuntime(OpModels.Unary("SpaceToDepth", [1, 2, 4, 6], 13, a => a.Int("blocksize", 2)));
}
