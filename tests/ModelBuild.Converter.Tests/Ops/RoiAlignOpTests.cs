using ModelBuild.Converter.Tests.Infrastructure;
using ModelBuild.Runtime.Format.Schema;
using IrDataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Converter.Tests.Ops;

/// <summary>RoiAlign → ROIAlign (NC4HW4 input, as upstream), both coordinate rules, both modes, vs ONNX Runtime.</summary>
[TestClass]
public sealed class RoiAlignOpTests : OpTestBase
{
    // Regions inside, across the border and beyond the 8x10 image; one of them smaller than a pixel.
    private static readonly float[] s_rois = [0, 0, 9, 7, 2.5f, 1.2f, 6.1f, 5.9f, -2, -1, 4, 3, 7, 6, 12, 11, 3, 3, 3.4f, 3.2f];

    [TestMethod]
    [DataRow(16, "avg", "half_pixel", 0L, DisplayName = "avg, half_pixel, adaptive sampling")]
    [DataRow(16, "avg", "output_half_pixel", 2L, DisplayName = "avg, output_half_pixel, 2x2 sampling")]
    [DataRow(16, "max", "half_pixel", 2L, DisplayName = "max, half_pixel")]
    [DataRow(10, "avg", null, 0L, DisplayName = "opset 10 (output_half_pixel)")]
    public void Regions(int opset, string mode, string? transform, long ratio)
    {
        var model = new OnnxModelBuilder(opset).Input("x", IrDataType.Float, 2, 3, 8, 10)
            .Initializer("rois", s_rois, 5, 4).Initializer("batch", new long[] { 0, 1, 1, 0, 1 }, 5)
            .Node("RoiAlign", ["x", "rois", "batch"], ["y"], attrs: a =>
            {
                a.String("mode", mode).Int("output_height", 3).Int("output_width", 4).Int("sampling_ratio", ratio).Float("spatial_scale", 0.9f);
                if (transform is not null)
                {
                    a.String("coordinate_transformation_mode", transform);
                }
            })
            .Output("y", IrDataType.Float).Build();
        var result = AssertMatchesOnnxRuntime(model);
        var op = result.Net.Oplists.Single(o => o.Type == OpType.ROIAlign);
        Assert.AreEqual(transform != "output_half_pixel" && opset >= 16, op.Main.AsRoiParameters().Aligned);
    }
}
