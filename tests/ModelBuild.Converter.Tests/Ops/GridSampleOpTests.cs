using ModelBuild.Converter.Tests.Infrastructure;
using ModelBuild.Runtime.Format.Schema;
using IrDataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Converter.Tests.Ops;

/// <summary>GridSample: every mode × padding × align_corners, 2-D and 3-D, compared with ONNX Runtime.</summary>
[TestClass]
public sealed class GridSampleOpTests : OpTestBase
{
    [TestMethod]
    [DataRow("bilinear", "zeros", 0L)]
    [DataRow("bilinear", "border", 1L)]
    [DataRow("bilinear", "reflection", 0L)]
    [DataRow("bilinear", "reflection", 1L)]
    [DataRow("nearest", "zeros", 1L)]
    [DataRow("nearest", "border", 0L)]
    [DataRow("nearest", "reflection", 0L)]
    public void GridSample2d(string mode, string padding, long alignCorners)
    {
        var model = new OnnxModelBuilder(16).Input("x", IrDataType.Float, 2, 3, 4, 5).Input("grid", IrDataType.Float, 2, 3, 6, 2)
            .Node("GridSample", ["x", "grid"], ["y"], attrs: a => a.String("mode", mode).String("padding_mode", padding).Int("align_corners", alignCorners))
            .Output("y", IrDataType.Float).Build();
        var inputs = RandomInputs(model);

        // Grid points well outside [-1, 1] exercise the padding modes (reflection folds more than once).
        inputs["grid"] = (TestTensors.Random(7, [2L, 3, 6, 2], -2.7f, 2.7f), new long[] { 2, 3, 6, 2 });
        var result = AssertMatchesOnnxRuntime(model, inputs);
        Assert.IsTrue(result.Net.Oplists.Any(o => o.Type == OpType.GridSample));
    }

    [TestMethod]
    [DataRow("linear", "zeros", 1L)]
    [DataRow("nearest", "border", 0L)]
    [DataRow("linear", "reflection", 0L)]
    public void GridSample3d(string mode, string padding, long alignCorners)
    {
        var model = new OnnxModelBuilder(20).Input("x", IrDataType.Float, 1, 2, 3, 4, 5).Input("grid", IrDataType.Float, 1, 2, 3, 4, 3)
            .Node("GridSample", ["x", "grid"], ["y"], attrs: a => a.String("mode", mode).String("padding_mode", padding).Int("align_corners", alignCorners))
            .Output("y", IrDataType.Float).Build();
        var inputs = RandomInputs(model);
        inputs["grid"] = (TestTensors.Random(8, [1L, 2, 3, 4, 3], -1.6f, 1.6f), new long[] { 1, 2, 3, 4, 3 });
        AssertMatchesOnnxRuntime(model, inputs);
    }

    [TestMethod]
    public void CubicModeIsRejected()
    {
        var model = new OnnxModelBuilder(20).Input("x", IrDataType.Float, 1, 1, 4, 4).Input("grid", IrDataType.Float, 1, 2, 2, 2)
            .Node("GridSample", ["x", "grid"], ["y"], attrs: a => a.String("mode", "cubic"))
            .Output("y", IrDataType.Float).Build();
        var e = AssertCode.Throws("MB3002", () => Conversion.ModelConverter.Convert(SaveModel(model), new Conversion.ConversionOptions()));
        StringAssert.Contains(e.Message, "mode 'cubic'");
    }
}
