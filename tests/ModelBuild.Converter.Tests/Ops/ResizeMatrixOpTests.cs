using ModelBuild.Converter.Tests.Infrastructure;
using IrDataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Converter.Tests.Ops;

/// <summary>
/// Resize modes MNN's Interp cannot express, written as per-axis interpolation matrices (Graph/Passes/ResizeLowering):
/// with constant and with run-time scales / sizes / roi, compared with ONNX Runtime.
/// </summary>
[TestClass]
public sealed class ResizeMatrixOpTests : OpTestBase
{
    private static readonly long[] s_shape = [1, 2, 5, 7];

    /// <summary>Resize-19 of x [1,2,5,7] by scales or sizes for axes 2 and 3 (input or initializer), attributes from <paramref name="attrs"/>.</summary>
    private static void Check(Action<AttributeBuilder> attrs, float[]? scales = null, long[]? sizes = null, bool constant = false, float[]? roi = null, long[]? axes = null)
    {
        var b = new OnnxModelBuilder(19).Input("x", IrDataType.Float, s_shape[0], s_shape[1], s_shape[2], s_shape[3]);
        var feeds = new Dictionary<string, TestInput> { ["x"] = (TestTensors.Random(3, s_shape), s_shape) };
        var inputs = new List<string> { "x", roi is null ? "" : "roi" };
        void Operand(string name, TestInput value)
        {
            if (constant && value.Floats is { } f)
            {
                b.Initializer(name, f, f.Length);
            }
            else if (constant)
            {
                b.Initializer(name, value.Ints!, value.Ints!.Length);
            }
            else
            {
                b.Input(name, value.Floats is null ? IrDataType.Int64 : IrDataType.Float, value.Shape[0]);
                feeds[name] = value;
            }
        }

        if (roi is not null)
        {
            Operand("roi", (roi, new long[] { roi.Length }));
        }

        if (scales is not null)
        {
            Operand("scales", (scales, new long[] { scales.Length }));
            inputs.Add("scales");
        }
        else
        {
            Operand("sizes", (sizes!, new long[] { sizes!.Length }));
            inputs.AddRange(["", "sizes"]);
        }

        var model = b.Node("Resize", [.. inputs], ["y"], attrs: a =>
        {
            attrs(a);
            if (axes is not null)
            {
                a.Ints("axes", axes);
            }
        }).Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model, feeds);
    }

    [TestMethod]
    [DataRow("linear", false)]
    [DataRow("linear", true)]
    [DataRow("cubic", false)]
    [DataRow("cubic", true)]
    public void AntialiasDownsampling(string mode, bool constant) =>
        Check(a => a.String("mode", mode).Int("antialias", 1), scales: [1f, 1f, 0.6f, 0.45f], constant: constant);

    [TestMethod]
    [DataRow("linear")]
    [DataRow("cubic")]
    public void AntialiasWithSizesUpAndDown(string mode) =>
        Check(a => a.String("mode", mode).Int("antialias", 1).String("coordinate_transformation_mode", "pytorch_half_pixel"), sizes: [1, 2, 3, 11]);

    [TestMethod]
    [DataRow(1.6f, false)]
    [DataRow(0.7f, false)]
    [DataRow(0.7f, true)]
    public void CubicExcludeOutside(float scale, bool constant) =>
        Check(a => a.String("mode", "cubic").Int("exclude_outside", 1).Float("cubic_coeff_a", -0.5f), scales: [1f, 1f, scale, scale], constant: constant);

    [TestMethod]
    [DataRow("linear")]
    [DataRow("cubic")]
    [DataRow("nearest")]
    public void HalfPixelSymmetric(string mode) =>
        Check(a => a.String("mode", mode).String("coordinate_transformation_mode", "half_pixel_symmetric"), scales: [1f, 1f, 1.7f, 0.55f]); // no source coordinate on a rounding tie

    [TestMethod]
    [DataRow("linear", 0f)]
    [DataRow("linear", 10f)]
    [DataRow("nearest", -3f)]
    [DataRow("cubic", 2f)]
    public void TfCropAndResize(string mode, float extrapolation) =>
        Check(a => a.String("mode", mode).String("coordinate_transformation_mode", "tf_crop_and_resize").Float("extrapolation_value", extrapolation),
            sizes: [1, 2, 4, 6], roi: [0f, 0f, -0.2f, 0.3f, 1f, 1f, 0.9f, 1.4f]);

    [TestMethod]
    public void TfCropAndResizeWithSwappedAxesAndConstantRoi() =>
        Check(a => a.String("mode", "linear").String("coordinate_transformation_mode", "tf_crop_and_resize").Float("extrapolation_value", 5f),
            sizes: [8, 3], roi: [0.1f, -0.3f, 0.8f, 0.6f], axes: [3, 2], constant: true);

    [TestMethod]
    [DataRow("ceil", "half_pixel")]
    [DataRow("ceil", "asymmetric")]
    [DataRow("round_prefer_ceil", "asymmetric")]
    [DataRow("round_prefer_ceil", "align_corners")]
    public void NearestRoundingUp(string nearest, string coordinates) =>
        Check(a => a.String("mode", "nearest").String("nearest_mode", nearest).String("coordinate_transformation_mode", coordinates), sizes: [1, 2, 8, 12]);

    [TestMethod]
    [DataRow("not_larger", "nearest")]
    [DataRow("not_smaller", "linear")]
    public void KeepAspectRatioWithRunTimeSizes(string policy, string mode) =>
        Check(a => a.String("mode", mode).String("keep_aspect_ratio_policy", policy), sizes: [3, 9], axes: [2, 3]);

    [TestMethod]
    public void ScalesOverTheChannelAxis() =>
        Check(a => a.String("mode", "nearest"), scales: [1f, 2f, 1f, 0.5f], constant: true);

    [TestMethod]
    public void TwoDimensionalInputWithRunTimeScales()
    {
        var model = new OnnxModelBuilder(19).Input("x", IrDataType.Float, 5, 7).Input("scales", IrDataType.Float, 2)
            .Node("Resize", ["x", "", "scales"], ["y"], attrs: a => a.String("mode", "linear").Int("antialias", 1))
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput>
        {
            ["x"] = (TestTensors.Random(4, [5L, 7]), new long[] { 5, 7 }),
            ["scales"] = (new float[] { 0.5f, 1.5f }, new long[] { 2 }),
        });
    }

    [TestMethod]
    public void ThreeDimensionalNearestWithAxesPermutation()
    {
        var model = new OnnxModelBuilder(19).Input("x", IrDataType.Float, 3, 4, 5).Input("sizes", IrDataType.Int64, 2)
            .Node("Resize", ["x", "", "", "sizes"], ["y"], attrs: a => a.String("mode", "nearest").Ints("axes", 2, 0))
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput>
        {
            ["x"] = (TestTensors.Random(5, [3L, 4, 5]), new long[] { 3, 4, 5 }),
            ["sizes"] = (new long[] { 8, 2 }, new long[] { 2 }),
        });
    }

    [TestMethod]
    public void UnknownInputExtentIsMB3005()
    {
        var model = new OnnxModelBuilder(19).Input("x", IrDataType.Float, 1, 1, "h", 4).Input("scales", IrDataType.Float, 4)
            .Node("Resize", ["x", "", "scales"], ["y"], attrs: a => a.String("mode", "linear").Int("antialias", 1))
            .Output("y", IrDataType.Float).Build();
        var e = AssertCode.Throws("MB3005", () => Conversion.ModelConverter.Convert(SaveModel(model), new Conversion.ConversionOptions()));
        StringAssert.Contains(e.Message, "--input-shape");
        StringAssert.Contains(e.Message, "axis 2");
    }
}
