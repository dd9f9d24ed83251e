using ModelBuild.Converter.Tests.Infrastructure;
using IrDataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Converter.Tests.Ops;

[TestClass]
public sealed class PadResizeOpTests : OpTestBase
{
    [TestMethod]
    [DataRow("constant", 0f)]
    [DataRow("constant", 3.5f)]
    [DataRow("reflect", 0f)]
    [DataRow("edge", 0f)]
    public void PadAttributesOpset2(string mode, float value) =>
        AssertMatchesOnnxRuntime(OpModels.Unary("Pad", [2, 3, 4, 4], 7, a => a.String("mode", mode).Ints("pads", 0, 0, 1, 3, 0, 0, 2, 1).Float("value", value)));

    [TestMethod]
    [DataRow("constant", true)]
    [DataRow("constant", false)]
    [DataRow("reflect", false)]
    [DataRow("edge", false)]
    public void PadInputsOpset13(string mode, bool withValue)
    {
        var b = new OnnxModelBuilder(13)
            .Input("x", IrDataType.Float, 2, 3, 4, 4)
            .Initializer("pads", new long[] { 0, 1, 2, 1, 0, 0, 1, 3 }, 8);
        var inputs = new List<string> { "x", "pads" };
        if (withValue)
        {
            b.Initializer("value", [-1.25f]);
            inputs.Add("value");
        }

        AssertMatchesOnnxRuntime(b.Node("Pad", [.. inputs], ["y"], attrs: a => a.String("mode", mode)).Output("y", IrDataType.Float).Build());
    }

    [TestMethod]
    public void PadRuntimePads()
    {
        var model = new OnnxModelBuilder(13)
            .Input("x", IrDataType.Float, 2, 3)
            .Input("pads", IrDataType.Int64, 4)
            .Node("Pad", ["x", "pads"], ["y"])
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput>
        {
            ["x"] = (TestTensors.Random(1, [2L, 3]), new long[] { 2, 3 }),
            ["pads"] = (new long[] { 1, 0, 2, 3 }, new long[] { 4 }),
        });
    }

    [TestMethod]
    public void PadAxesOpset18()
    {
        var model = new OnnxModelBuilder(18)
            .Input("x", IrDataType.Float, 2, 3, 4)
            .Initializer("pads", new long[] { 1, 2, 3, 0 }, 4)
            .Initializer("value", [0.5f])
            .Initializer("axes", new long[] { -1, 0 }, 2)
            .Node("Pad", ["x", "pads", "value", "axes"], ["y"])
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model);
    }

    private static ModelBuild.Converter.Onnx.Proto.ModelProto Resize(string mode, string coordinates, string nearest, float[]? scales, long[]? sizes, float cubic = -0.75f)
    {
        var b = new OnnxModelBuilder(13).Input("x", IrDataType.Float, 1, 2, 4, 6);
        var inputs = new List<string> { "x", "" };
        if (scales is not null)
        {
            b.Initializer("scales", scales, 4);
            inputs.Add("scales");
        }
        else
        {
            b.Initializer("sizes", sizes!, 4);
            inputs.Add("");
            inputs.Add("sizes");
        }

        return b.Node("Resize", [.. inputs], ["y"], attrs: a => a.String("mode", mode).String("coordinate_transformation_mode", coordinates).String("nearest_mode", nearest).Float("cubic_coeff_a", cubic))
            .Output("y", IrDataType.Float).Build();
    }

    [TestMethod]
    [DataRow("nearest", "asymmetric", "floor")]
    [DataRow("nearest", "half_pixel", "round_prefer_floor")]
    [DataRow("nearest", "align_corners", "round_prefer_floor")]
    [DataRow("nearest", "tf_half_pixel_for_nn", "floor")]
    [DataRow("linear", "half_pixel", "floor")]
    [DataRow("linear", "pytorch_half_pixel", "floor")]
    [DataRow("linear", "align_corners", "floor")]
    [DataRow("linear", "asymmetric", "floor")]
    [DataRow("cubic", "half_pixel", "floor")]
    [DataRow("cubic", "align_corners", "floor")]
    [DataRow("cubic", "asymmetric", "floor")]
    public void ResizeScales(string mode, string coordinates, string nearest) =>
        AssertMatchesOnnxRuntime(Resize(mode, coordinates, nearest, [1f, 1f, 2f, 1.5f], null));

    [TestMethod]
    [DataRow("nearest", "half_pixel", "round_prefer_floor")]
    [DataRow("linear", "half_pixel", "floor")]
    [DataRow("linear", "align_corners", "floor")]
    [DataRow("cubic", "pytorch_half_pixel", "floor")]
    public void ResizeSizes(string mode, string coordinates, string nearest) =>
        AssertMatchesOnnxRuntime(Resize(mode, coordinates, nearest, null, [1, 2, 7, 3]));

    [TestMethod]
    public void ResizeDownscale() => AssertMatchesOnnxRuntime(Resize("linear", "half_pixel", "floor", [1f, 1f, 0.5f, 0.5f], null));

    [TestMethod]
    [DataRow("linear", "half_pixel")]
    [DataRow("nearest", "asymmetric")]
    public void ResizeFractionalOutputSize(string mode, string coordinates) =>
        AssertMatchesOnnxRuntime(Resize(mode, coordinates, "floor", [1f, 1f, 2f, 1.25f], null));

    /// <summary>
    /// With a fractional in·scale, ONNX's reference Resize (and the backend suite's data) divides by the unrounded
    /// width − 1: 4 · 0.6 = 2.4 gives 2 outputs at x = 0 and 3 / 1.4 on the ramp 0..3. ONNX Runtime divides by the
    /// rounded width − 1 (x = 3) instead; we follow the reference, which Interp cannot, so this is written as matrices.
    /// </summary>
    [TestMethod]
    public void ResizeAlignCornersWithFractionalOutputSizeFollowsTheOnnxReference()
    {
        var model = new OnnxModelBuilder(13).Input("x", IrDataType.Float, 1, 1, 1, 4).Initializer("scales", [1f, 1f, 1f, 0.6f], 4)
            .Node("Resize", ["x", "", "scales"], ["y"], attrs: a => a.String("mode", "linear").String("coordinate_transformation_mode", "align_corners"))
            .Output("y", IrDataType.Float).Build();
        var converted = ModelBuild.Converter.Conversion.ModelConverter.Convert(SaveModel(model));
        using var session = new ModelBuild.Runtime.MnnSession(ModelBuild.Runtime.MnnModel.FromBytes(converted.Bytes));
        var y = session.Run(new Dictionary<string, ModelBuild.Runtime.Tensor> { ["x"] = ModelBuild.Runtime.Tensor.FromFloats([0f, 1f, 2f, 3f], [1, 1, 1, 4]) })["y"];
        CollectionAssert.AreEqual(new[] { 1, 1, 1, 2 }, y.Shape.ToArray());
        Assert.AreEqual(0f, y.Floats[0], 1e-6f);
        Assert.AreEqual(3f / 1.4f, y.Floats[1], 1e-5f);
    }

    [TestMethod]
    public void ResizeCubicCoefficient() => AssertMatchesOnnxRuntime(Resize("cubic", "half_pixel", "floor", [1f, 1f, 2f, 2f], null, -0.5f));

    [TestMethod]
    [DataRow("nearest")]
    [DataRow("linear")]
    public void ResizeOpset10(string mode)
    {
        var model = new OnnxModelBuilder(10).Input("x", IrDataType.Float, 1, 2, 3, 4)
            .Initializer("scales", [1f, 1f, 2f, 3f], 4)
            .Node("Resize", ["x", "scales"], ["y"], attrs: a => a.String("mode", mode))
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model);
    }

    [TestMethod]
    [DataRow("nearest")]
    [DataRow("linear")]
    public void UpsampleOpset9(string mode)
    {
        var model = new OnnxModelBuilder(9).Input("x", IrDataType.Float, 1, 2, 3, 4)
            .Initializer("scales", [1f, 1f, 2f, 2f], 4)
            .Node("Upsample", ["x", "scales"], ["y"], attrs: a => a.String("mode", mode))
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model);
    }
}
