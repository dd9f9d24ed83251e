using ModelBuild.Converter.Tests.Infrastructure;
using ModelBuild.Runtime.Format.Schema;
using IrDataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Converter.Tests.Ops;

/// <summary>Conv / ConvTranspose whose weight (and bias) are graph inputs: MNN's multi-input convolution.</summary>
[TestClass]
public sealed class RuntimeWeightConvOpTests : OpTestBase
{
    [TestMethod]
    [DataRow(2, 1, true)]
    [DataRow(2, 2, false)]
    [DataRow(1, 1, true)]
    public void ConvWithWeightInput(int spatial, int group, bool bias)
    {
        long[] x = spatial == 2 ? [2, 4, 7, 6] : [2, 4, 9];
        long[] w = spatial == 2 ? [6, 4 / group, 3, 2] : [6, 4 / group, 3];
        var b = new OnnxModelBuilder(13).Input("x", IrDataType.Float, OpModels.Dims(x)).Input("w", IrDataType.Float, OpModels.Dims(w));
        if (bias)
        {
            b.Input("b", IrDataType.Float, 6);
        }

        var model = b.Node("Conv", bias ? ["x", "w", "b"] : ["x", "w"], ["y"], attrs: a =>
            {
                a.Int("group", group).Ints("strides", spatial == 2 ? [2, 1] : [2]).Ints("pads", spatial == 2 ? [1, 0, 1, 1] : [1, 2]);
            })
            .Output("y", IrDataType.Float).Build();
        var result = AssertMatchesOnnxRuntime(model);
        // Grouped: one convolution per group (upstream's multi-input kernels ignore group).
        var convs = result.Net.Oplists.Where(o => o.Type == OpType.Convolution).ToList();
        Assert.HasCount(group, convs, Describe(result));
        foreach (var conv in convs)
        {
            Assert.AreEqual(bias ? 3 : 2, conv.InputIndexes.Count, Describe(result));
            Assert.IsEmpty(conv.Main.AsConvolution2D().Weight ?? [], "weights stay a tensor");
            Assert.AreEqual(1, conv.Main.AsConvolution2D().Common.Group);
        }
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(2)]
    public void ConvTransposeWithWeightInput(int group)
    {
        var model = new OnnxModelBuilder(13).Input("x", IrDataType.Float, 1, 4, 5, 4).Input("w", IrDataType.Float, 4, 6 / group, 3, 3)
            .Initializer("b", TestTensors.Random(3, [6L]), 6)
            .Input("bias_scale", IrDataType.Float, 6)
            .Node("Mul", ["b", "bias_scale"], ["bias"])
            .Node("ConvTranspose", ["x", "w", "bias"], ["y"], attrs: a => a.Int("group", group).Ints("strides", 2, 2).Ints("pads", 1, 1, 0, 0))
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model);
    }

    [TestMethod]
    public void WeightOfUnknownShapeNamesWhatToFix()
    {
        var model = new OnnxModelBuilder(13).Input("x", IrDataType.Float, 1, 2, 5, 5).Input("w", IrDataType.Float, "m", 2, "k", "k")
            .Node("Conv", ["x", "w"], ["y"], name: "conv")
            .Output("y", IrDataType.Float).Build();
        var e = AssertCode.Throws("MB3005", () => Conversion.ModelConverter.Convert(SaveModel(model), new Conversion.ConversionOptions()));
        StringAssert.Contains(e.Message, "kernel");
    }
}
