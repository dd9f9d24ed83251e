using ModelBuild.Converter.Tests.Infrastructure;
using ModelBuild.Runtime.Format.Schema;
using IrDataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Converter.Tests.Ops;

/// <summary>MaxUnpool → ScatterNd into zeros + Reshape, as upstream writes it; compared with ONNX Runtime.</summary>
[TestClass]
public sealed class UnpoolOpTests : OpTestBase
{
    // Flat indices into a [1, 2, 4, 4] tensor, one per 2x2 window (the positions a 2x2 stride-2 MaxPool would pick).
    private static readonly long[] s_indices = [5, 2, 8, 15, 16 + 0, 16 + 3, 16 + 13, 16 + 10];

    [TestMethod]
    [DataRow(false, DisplayName = "shape from kernel and strides")]
    [DataRow(true, DisplayName = "explicit output_shape")]
    public void ValuesLandAtTheirIndices(bool withOutputShape)
    {
        var builder = new OnnxModelBuilder(11).Input("x", IrDataType.Float, 1, 2, 2, 2)
            .Initializer("i", s_indices, 1, 2, 2, 2);
        string[] inputs = ["x", "i"];
        if (withOutputShape)
        {
            builder.Initializer("shape", new long[] { 1, 2, 4, 4 }, 4);
            inputs = ["x", "i", "shape"];
        }

        var model = builder
            .Node("MaxUnpool", inputs, ["y"], attrs: a => a.Ints("kernel_shape", 2, 2).Ints("strides", 2, 2))
            .Output("y", IrDataType.Float).Build();
        var result = AssertMatchesOnnxRuntime(model);
        Assert.ContainsSingle(result.Net.Oplists.Where(o => o.Type == OpType.ScatterNd));
    }

    [TestMethod]
    public void RunTimeOutputShape()
    {
        var model = new OnnxModelBuilder(11).Input("x", IrDataType.Float, 1, 2, 2, 2).Input("shape", IrDataType.Int64, 4)
            .Initializer("i", s_indices, 1, 2, 2, 2)
            .Node("MaxUnpool", ["x", "i", "shape"], ["y"], attrs: a => a.Ints("kernel_shape", 2, 2).Ints("strides", 2, 2))
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput>
        {
            ["x"] = (TestTensors.Random(3, [1L, 2, 2, 2]), new long[] { 1, 2, 2, 2 }),
            ["shape"] = (new long[] { 1, 2, 5, 4 }, new long[] { 4 }),
        });
    }
}
