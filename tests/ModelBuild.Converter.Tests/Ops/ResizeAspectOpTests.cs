using ModelBuild.Converter.Tests.Infrastructure;
using IrDataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Converter.Tests.Ops;

/// <summary>Resize-18 keep_aspect_ratio_policy with constant sizes: one scale for both spatial axes, vs ONNX Runtime.</summary>
[TestClass]
public sealed class ResizeAspectOpTests : OpTestBase
{
    private static ModelBuild.Converter.Onnx.Proto.ModelProto Model(string policy, long[] sizes, long[]? axes, string mode = "nearest") =>
        new OnnxModelBuilder(18)
            .Input("x", IrDataType.Float, 1, 2, 4, 6)
            .Initializer("sizes", sizes, sizes.Length)
            .Node("Resize", ["x", "", "", "sizes"], ["y"], attrs: a =>
            {
                a.String("mode", mode).String("keep_aspect_ratio_policy", policy);
                if (axes is not null)
                {
                    a.Ints("axes", axes);
                }
            })
            .Output("y", IrDataType.Float).Build();

    [TestMethod]
    [DataRow("not_larger", new long[] { 1, 2, 8, 20 }, null, "nearest")] // N and C ratios (1) take part: scale 1
    [DataRow("not_smaller", new long[] { 8, 3 }, new long[] { 2, 3 }, "nearest")]
    [DataRow("not_larger", new long[] { 2, 9 }, new long[] { 2, 3 }, "linear")]
    [DataRow("not_smaller", new long[] { 12, 2 }, new long[] { 3, 2 }, "nearest")]
    public void OneScaleForBothAxes(string policy, long[] sizes, long[]? axes, string mode) =>
        AssertMatchesOnnxRuntime(Model(policy, sizes, axes, mode));

    /// <summary>not_larger: scale = min(5/4, 9/6) = 1.25 → width 7.5, beyond Interp's size-ratio mapping: interpolation matrices.</summary>
    [TestMethod]
    [DataRow("nearest")]
    [DataRow("linear")]
    public void FractionalOutputSize(string mode) => AssertMatchesOnnxRuntime(Model("not_larger", [5, 9], [2, 3], mode));
}
