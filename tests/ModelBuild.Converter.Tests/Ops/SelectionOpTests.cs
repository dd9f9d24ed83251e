using ModelBuild.Converter.Conversion;
using ModelBuild.Converter.Tests.Infrastructure;
using IrDataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Converter.Tests.Ops;

/// <summary>GatherND, NonZero and Compress: outputs whose rows are picked by index tuples or by a mask.</summary>
[TestClass]
public sealed class SelectionOpTests : OpTestBase
{
    [TestMethod]
    [DataRow(new long[] { 3, 2 }, new long[] { 2, 1, 0, 0, -1, 0 }, DisplayName = "pairs, negative index")]
    [DataRow(new long[] { 4, 1 }, new long[] { 3, 0, 1, 2 }, DisplayName = "rows")]
    [DataRow(new long[] { 2, 3 }, new long[] { 3, 2, 4, 0, 0, -5 }, DisplayName = "elements")]
    public void GatherNd(long[] indicesShape, long[] indices)
    {
        var model = new OnnxModelBuilder(13)
            .Input("x", IrDataType.Float, 4, 3, 5).Input("i", IrDataType.Int64, OpModels.Dims(indicesShape))
            .Node("GatherND", ["x", "i"], ["y"])
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput>
        {
            ["x"] = (TestTensors.Random(1, [4L, 3, 5]), new long[] { 4, 3, 5 }),
            ["i"] = (indices, indicesShape),
        });
    }

    [TestMethod]
    [DataRow(1, new long[] { 2, 3, 4 }, new long[] { 2, 1 }, new long[] { 1, -1 }, DisplayName = "one batch axis, rows")]
    [DataRow(1, new long[] { 2, 3, 4 }, new long[] { 2, 2, 2 }, new long[] { 0, 3, 2, -1, 1, 1, -3, 0 }, DisplayName = "one batch axis, element pairs")]
    [DataRow(2, new long[] { 2, 3, 4, 5 }, new long[] { 2, 3, 2, 1 }, new long[] { 0, 3, 1, 2, -1, 0, 2, 2, 1, 1, 3, 0 }, DisplayName = "two batch axes")]
    public void GatherNdBatchDims(int batchDims, long[] dataShape, long[] indicesShape, long[] indices)
    {
        var model = new OnnxModelBuilder(13)
            .Input("x", IrDataType.Float, OpModels.Dims(dataShape)).Input("i", IrDataType.Int64, OpModels.Dims(indicesShape))
            .Node("GatherND", ["x", "i"], ["y"], attrs: a => a.Int("batch_dims", batchDims))
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput>
        {
            ["x"] = (TestTensors.Random(1, dataShape), dataShape),
            ["i"] = (indices, indicesShape),
        });
    }

    [TestMethod]
    public void GatherNdBatchDimsNeedsStaticShapes()
    {
        var model = new OnnxModelBuilder(13)
            .Input("x", IrDataType.Float, 2, 3).Input("i", IrDataType.Int64, "n", 1)
            .Node("GatherND", ["x", "i"], ["y"], attrs: a => a.Int("batch_dims", 1))
            .Output("y", IrDataType.Float).Build();
        var e = Assert.ThrowsExactly<ModelBuildException>(() => ModelConverter.Convert(SaveModel(model)));
        Assert.AreEqual(ErrorCodes.UnsupportedDynamicShape, e.Code);
        StringAssert.Contains(e.Message, "batch_dims");
    }

    [TestMethod]
    public void GatherNdIndexOutOfRangeIsACodedError()
    {
        var model = new OnnxModelBuilder(13)
            .Input("x", IrDataType.Float, 2, 3).Input("i", IrDataType.Int64, 1, 2)
            .Node("GatherND", ["x", "i"], ["y"])
            .Output("y", IrDataType.Float).Build();
        var converted = ModelConverter.Convert(SaveModel(model));
        using var session = new ModelBuild.Runtime.MnnSession(ModelBuild.Runtime.MnnModel.FromBytes(converted.Bytes));
        var e = Assert.ThrowsExactly<ModelBuildException>(() => session.Run(new Dictionary<string, ModelBuild.Runtime.Tensor>
        {
            ["x"] = ModelBuild.Runtime.Tensor.FromFloats(new float[6], [2, 3]),
            ["i"] = ModelBuild.Runtime.Tensor.FromInts([1, 3], [1, 2]),
        }));
        StringAssert.Contains(e.Message, "index 3 is outside axis 1 of size 3");
    }

    [TestMethod]
    public void NonZeroCountsNegativesAndSkipsNegativeZero()
    {
        float[] x = [0f, -2f, 3f, -0f, 0.5f, 0f, 0f, -1e-30f];
        var model = new OnnxModelBuilder(13)
            .Input("x", IrDataType.Float, 2, 4)
            .Node("NonZero", ["x"], ["y"])
            .Output("y", IrDataType.Int64).Build();
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput> { ["x"] = (x, new long[] { 2, 4 }) });
    }

    [TestMethod]
    [DataRow(0L)]
    [DataRow(-1L)]
    [DataRow(null)]
    public void Compress(long? axis)
    {
        var length = axis is null ? 12 : axis == 0 ? 3 : 4;
        var model = new OnnxModelBuilder(11)
            .Input("x", IrDataType.Float, 3, 4).Input("c", IrDataType.Bool, length)
            .Node("Compress", ["x", "c"], ["y"], attrs: a => { if (axis is { } v) { a.Int("axis", v); } })
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput>
        {
            ["x"] = (TestTensors.Random(1, [3L, 4]), new long[] { 3, 4 }),
            ["c"] = (Enumerable.Range(0, length).Select(i => (long)(i % 3 == 1 ? 0 : 1)).ToArray(), new long[] { length }),
        });
    }
}
