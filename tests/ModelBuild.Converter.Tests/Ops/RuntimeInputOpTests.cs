using ModelBuild.Converter.Conversion;
using ModelBuild.Converter.Tests.Infrastructure;
using IrDataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Converter.Tests.Ops;

/// <summary>Ops whose parameters arrive as run-time inputs, mixed types, and extra outputs.</summary>
[TestClass]
public sealed class RuntimeInputOpTests : OpTestBase
{
    [TestMethod]
    [DataRow(4)]
    [DataRow(2)]
    public void BatchNormalizationRuntimeParameters(int rank)
    {
        long[] shape = rank == 4 ? [2, 3, 4, 5] : [4, 3];
        var model = new OnnxModelBuilder(15)
            .Input("x", IrDataType.Float, OpModels.Dims(shape))
            .Input("s", IrDataType.Float, 3).Input("bias", IrDataType.Float, 3)
            .Input("mean", IrDataType.Float, 3).Input("var", IrDataType.Float, 3)
            .Node("BatchNormalization", ["x", "s", "bias", "mean", "var"], ["y"], attrs: a => a.Float("epsilon", 1e-2f))
            .Output("y", IrDataType.Float).Build();
        var inputs = RandomInputs(model);
        inputs["var"] = (new float[] { 0.5f, 1.5f, 2f }, new long[] { 3 });
        AssertMatchesOnnxRuntime(model, inputs);
    }

    [TestMethod]
    public void CastLikeTakesTheTargetType()
    {
        var model = new OnnxModelBuilder(15)
            .Input("x", IrDataType.Float, 2, 4).Input("like", IrDataType.Int64, 1)
            .Node("CastLike", ["x", "like"], ["i"])
            .Node("Cast", ["i"], ["y"], attrs: a => a.Int("to", (long)IrDataType.Float))
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput>
        {
            ["x"] = (TestTensors.Random(1, [2L, 4], -5f, 5f), new long[] { 2, 4 }),
            ["like"] = (new long[] { 0 }, new long[] { 1 }),
        });
    }

    [TestMethod]
    public void PowWithIntegerExponent()
    {
        var model = new OnnxModelBuilder(15)
            .Input("a", IrDataType.Float, 2, 3).Input("b", IrDataType.Int64, 3)
            .Node("Pow", ["a", "b"], ["y"])
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model);
    }

    [TestMethod]
    public void LayerNormalizationMeanAndInvStdDevOutputs()
    {
        var model = new OnnxModelBuilder(17)
            .Input("x", IrDataType.Float, 2, 3, 4)
            .Initializer("s", TestTensors.Random(3, [3L, 4], 0.5f, 1.5f), 3, 4)
            .Initializer("bias", TestTensors.Random(4, [3L, 4]), 3, 4)
            .Node("LayerNormalization", ["x", "s", "bias"], ["y", "mean", "inv"], attrs: a => a.Int("axis", 1).Float("epsilon", 1e-3f))
            .Output("y", IrDataType.Float).Output("mean", IrDataType.Float).Output("inv", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model);
    }

    [TestMethod]
    [DataRow("ReduceMean")]
    [DataRow("ReduceL2")]
    [DataRow("ReduceLogSumExp")]
    public void ReduceRuntimeAxes(string op)
    {
        var model = new OnnxModelBuilder(18)
            .Input("x", IrDataType.Float, 2, 3, 4).Input("axes", IrDataType.Int64, 1)
            .Node(op, ["x", "axes"], ["y"], attrs: a => a.Int("keepdims", 0))
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput>
        {
            ["x"] = (TestTensors.Random(1, [2L, 3, 4]), new long[] { 2, 3, 4 }),
            ["axes"] = (new long[] { -2 }, new long[] { 1 }),
        });
    }

    [TestMethod]
    public void ReduceRuntimeAxesThatMayBeEmptyAreRefused()
    {
        var model = new OnnxModelBuilder(18)
            .Input("x", IrDataType.Float, 2, 3).Input("axes", IrDataType.Int64, "K")
            .Node("ReduceSum", ["x", "axes"], ["y"])
            .Output("y", IrDataType.Float).Build();
        var e = Assert.ThrowsExactly<ModelBuildException>(() => ModelConverter.Convert(SaveModel(model)));
        Assert.AreEqual(ErrorCodes.UnsupportedAttribute, e.Code);
    }

    [TestMethod]
    [DataRow("linear", "half_pixel", 1.7f, 0.6f)]
    [DataRow("nearest", "asymmetric", 0.6f, 2.5f)]
    [DataRow("cubic", "pytorch_half_pixel", 1.3f, 0.75f)]
    [DataRow("nearest", "tf_half_pixel_for_nn", 2f, 0.4f)]
    public void ResizeRuntimeScales(string mode, string coordinates, float scaleH, float scaleW)
    {
        // Fractional input·scale on purpose: coordinates must follow 1/scale, not the rounded size ratio.
        var model = new OnnxModelBuilder(13)
            .Input("x", IrDataType.Float, 1, 2, 5, 7).Input("scales", IrDataType.Float, 4)
            .Node("Resize", ["x", "", "scales"], ["y"], attrs: a => a.String("mode", mode).String("coordinate_transformation_mode", coordinates))
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput>
        {
            ["x"] = (TestTensors.Random(1, [1L, 2, 5, 7]), new long[] { 1, 2, 5, 7 }),
            ["scales"] = (new float[] { 1, 1, scaleH, scaleW }, new long[] { 4 }),
        });
    }

    [TestMethod]
    public void ResizeRuntimeScalesWithAlignCorners()
    {
        // Written as interpolation matrices computed at run time from the scales (Interp cannot align to in·scale).
        var model = new OnnxModelBuilder(13)
            .Input("x", IrDataType.Float, 1, 1, 4, 4).Input("scales", IrDataType.Float, 4)
            .Node("Resize", ["x", "", "scales"], ["y"], attrs: a => a.String("mode", "linear").String("coordinate_transformation_mode", "align_corners"))
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput>
        {
            ["x"] = (TestTensors.Random(1, [1L, 1, 4, 4]), new long[] { 1, 1, 4, 4 }),
            ["scales"] = (new float[] { 1, 1, 2, 0.5f }, new long[] { 4 }),
        });
    }

    [TestMethod]
    public void ResizeRuntimeScalesOverTheChannelsFailAtRunTime()
    {
        var model = new OnnxModelBuilder(13)
            .Input("x", IrDataType.Float, 1, 2, 4, 4).Input("scales", IrDataType.Float, 4)
            .Node("Resize", ["x", "", "scales"], ["y"], attrs: a => a.String("mode", "nearest"))
            .Output("y", IrDataType.Float).Build();
        var converted = ModelConverter.Convert(SaveModel(model));
        using var session = new ModelBuild.Runtime.MnnSession(ModelBuild.Runtime.MnnModel.FromBytes(converted.Bytes));
        var e = Assert.ThrowsExactly<ModelBuildException>(() => session.Run(new Dictionary<string, ModelBuild.Runtime.Tensor>
        {
            ["x"] = ModelBuild.Runtime.Tensor.FromFloats(new float[32], [1, 2, 4, 4]),
            ["scales"] = ModelBuild.Runtime.Tensor.FromFloats([1, 2, 2, 2], [4]),
        }));
        StringAssert.Contains(e.Message, "batch or channel");
    }

    [TestMethod]
    public void ResizeRuntimeSizes()
    {
        var model = new OnnxModelBuilder(13)
            .Input("x", IrDataType.Float, 1, 2, 4, 4).Input("sizes", IrDataType.Int64, 4)
            .Node("Resize", ["x", "", "", "sizes"], ["y"], attrs: a => a.String("mode", "linear"))
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput>
        {
            ["x"] = (TestTensors.Random(1, [1L, 2, 4, 4]), new long[] { 1, 2, 4, 4 }),
            ["sizes"] = (new long[] { 1, 2, 6, 3 }, new long[] { 4 }),
        });
    }

    [TestMethod]
    public void IntegerModWithFmodTruncates()
    {
        var model = new OnnxModelBuilder(13)
            .Input("a", IrDataType.Int64, 4).Input("b", IrDataType.Int64, 4)
            .Node("Mod", ["a", "b"], ["y"], attrs: a => a.Int("fmod", 1))
            .Output("y", IrDataType.Int64).Build();
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput>
        {
            ["a"] = (new long[] { -7, 7, -7, 7 }, new long[] { 4 }),
            ["b"] = (new long[] { 3, -3, -3, 3 }, new long[] { 4 }),
        });
    }

    [TestMethod]
    public void IntegerModFloored()
    {
        var model = new OnnxModelBuilder(13)
            .Input("a", IrDataType.Int64, 4).Input("b", IrDataType.Int64, 4)
            .Node("Mod", ["a", "b"], ["y"])
            .Output("y", IrDataType.Int64).Build();
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput>
        {
            ["a"] = (new long[] { -7, 7, -7, 7 }, new long[] { 4 }),
            ["b"] = (new long[] { 3, -3, -3, 3 }, new long[] { 4 }),
        });
    }
}
