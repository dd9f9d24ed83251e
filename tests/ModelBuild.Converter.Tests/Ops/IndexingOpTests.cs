using ModelBuild.Converter.Tests.Infrastructure;
using ModelBuild.Runtime.Format.Schema;
using IrDataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Converter.Tests.Ops;

/// <summary>TopK, CumSum, ScatterND, ScatterElements and OneHot: converted, run, compared with ONNX Runtime.</summary>
[TestClass]
public sealed class IndexingOpTests : OpTestBase
{
    [TestMethod]
    [DataRow(1L, -1L)]
    [DataRow(0L, 1L)]
    [DataRow(1L, 0L)]
    public void TopKAlongAxis(long largest, long axis)
    {
        var model = new OnnxModelBuilder(11).Input("x", IrDataType.Float, 3, 5, 4)
            .Initializer("k", [2L], 1)
            .Node("TopK", ["x", "k"], ["values", "indices"], attrs: a => a.Int("axis", axis).Int("largest", largest))
            .Output("values", IrDataType.Float).Output("indices", IrDataType.Int64).Build();
        var result = AssertMatchesOnnxRuntime(model);
        Assert.IsTrue(result.Net.Oplists.Any(o => o.Type == OpType.TopKV2), "TopK must become TopKV2");
    }

    [TestMethod]
    public void TopKTiesKeepTheLowerIndexFirst()
    {
        var model = new OnnxModelBuilder(11).Input("x", IrDataType.Float, 2, 6)
            .Initializer("k", [4L], 1)
            .Node("TopK", ["x", "k"], ["values", "indices"])
            .Output("values", IrDataType.Float).Output("indices", IrDataType.Int64).Build();
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput>
        {
            ["x"] = (new float[] { 1, 3, 3, 0, 3, 1, 2, 2, 2, 2, 5, 2 }, new long[] { 2, 6 }),
        });
    }

    [TestMethod]
    public void TopKOpset1TakesKFromTheAttribute()
    {
        var model = new OnnxModelBuilder(9).Input("x", IrDataType.Float, 4, 7)
            .Node("TopK", ["x"], ["values", "indices"], attrs: a => a.Int("k", 3))
            .Output("values", IrDataType.Float).Output("indices", IrDataType.Int64).Build();
        AssertMatchesOnnxRuntime(model);
    }

    [TestMethod]
    [DataRow(0L, 0L, 1L)]
    [DataRow(1L, 0L, 0L)]
    [DataRow(0L, 1L, -1L)]
    [DataRow(1L, 1L, 1L)]
    public void CumSumVariants(long exclusive, long reverse, long axis)
    {
        var model = new OnnxModelBuilder(14).Input("x", IrDataType.Float, 3, 4)
            .Initializer("axis", [axis])
            .Node("CumSum", ["x", "axis"], ["y"], attrs: a => a.Int("exclusive", exclusive).Int("reverse", reverse))
            .Output("y", IrDataType.Float).Build();
        var result = AssertMatchesOnnxRuntime(model);
        Assert.IsTrue(result.Net.Oplists.Any(o => o.Type == OpType.CumSum));
    }

    [TestMethod]
    public void CumSumOfIntegersWithRuntimeAxis()
    {
        var model = new OnnxModelBuilder(14).Input("x", IrDataType.Int32, 2, 5).Input("axis", IrDataType.Int64)
            .Node("CumSum", ["x", "axis"], ["y"])
            .Output("y", IrDataType.Int32).Build();
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput>
        {
            ["x"] = (new long[] { 1, 2, 3, 4, 5, -1, -2, 7, 9, 0 }, new long[] { 2, 5 }),
            ["axis"] = (new long[] { 1 }, Array.Empty<long>()),
        });
    }

    [TestMethod]
    public void ScatterNdWithConstantNegativeIndices()
    {
        var model = new OnnxModelBuilder(13).Input("data", IrDataType.Float, 4, 3).Input("updates", IrDataType.Float, 2, 3)
            .Initializer("indices", [-1L, 1L], 2, 1)
            .Node("ScatterND", ["data", "indices", "updates"], ["y"])
            .Output("y", IrDataType.Float).Build();
        var result = AssertMatchesOnnxRuntime(model);
        Assert.IsTrue(result.Net.Oplists.Any(o => o.Type == OpType.ScatterNd && o.InputIndexes.Count == 4));
    }

    [TestMethod]
    [DataRow("add")]
    [DataRow("mul")]
    [DataRow("max")]
    [DataRow("min")]
    public void ScatterNdWithRuntimeIndicesAndReduction(string reduction)
    {
        var model = new OnnxModelBuilder(18).Input("data", IrDataType.Float, 2, 3, 2).Input("indices", IrDataType.Int64, 3, 2)
            .Input("updates", IrDataType.Float, 3, 2)
            .Node("ScatterND", ["data", "indices", "updates"], ["y"], attrs: a => a.String("reduction", reduction))
            .Output("y", IrDataType.Float).Build();
        var inputs = RandomInputs(model);
        inputs["indices"] = (new long[] { 0, -1, 1, 2, 0, 2 }, new long[] { 3, 2 });
        AssertMatchesOnnxRuntime(model, inputs);
    }

    [TestMethod]
    [DataRow(0L, "none")]
    [DataRow(1L, "none")]
    [DataRow(-1L, "add")]
    [DataRow(0L, "mul")]
    public void ScatterElementsWithConstantIndices(long axis, string reduction)
    {
        var model = new OnnxModelBuilder(18).Input("data", IrDataType.Float, 3, 3).Input("updates", IrDataType.Float, 2, 3)
            .Initializer("indices", [1L, 0L, 2L, -1L, 2L, 1L], 2, 3)
            .Node("ScatterElements", ["data", "indices", "updates"], ["y"], attrs: a => a.Int("axis", axis).String("reduction", reduction))
            .Output("y", IrDataType.Float).Build();
        var result = AssertMatchesOnnxRuntime(model);
        Assert.IsTrue(result.Net.Oplists.Any(o => o.Type == OpType.ScatterElements));
    }

    [TestMethod]
    public void ScatterElementsWithRuntimeNegativeIndices()
    {
        var model = new OnnxModelBuilder(13).Input("data", IrDataType.Float, 2, 5).Input("indices", IrDataType.Int64, 2, 2)
            .Input("updates", IrDataType.Float, 2, 2)
            .Node("ScatterElements", ["data", "indices", "updates"], ["y"], attrs: a => a.Int("axis", 1))
            .Output("y", IrDataType.Float).Build();
        var inputs = RandomInputs(model);
        inputs["indices"] = (new long[] { -1, 3, 0, -5 }, new long[] { 2, 2 });
        AssertMatchesOnnxRuntime(model, inputs);
    }

    [TestMethod]
    [DataRow(-1L)]
    [DataRow(0L)]
    [DataRow(1L)]
    public void OneHotWithConstantValues(long axis)
    {
        var model = new OnnxModelBuilder(11).Input("indices", IrDataType.Int64, 2, 3)
            .Initializer("depth", [5L]).Initializer("values", [-2f, 7f], 2)
            .Node("OneHot", ["indices", "depth", "values"], ["y"], attrs: a => a.Int("axis", axis))
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput>
        {
            ["indices"] = (new long[] { 0, 4, -1, 2, 9, -5 }, new long[] { 2, 3 }),
        });
    }

    [TestMethod]
    public void OneHotWithRuntimeValues()
    {
        var model = new OnnxModelBuilder(11).Input("indices", IrDataType.Int64, 4).Input("values", IrDataType.Float, 2)
            .Initializer("depth", [3L], 1)
            .Node("OneHot", ["indices", "depth", "values"], ["y"])
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput>
        {
            ["indices"] = (new long[] { 2, 0, 1, 3 }, new long[] { 4 }),
            ["values"] = (new float[] { 0.5f, 3f }, new long[] { 2 }),
        });
    }

    [TestMethod]
    public void OneHotWithFloatIndicesAndRuntimeDepth()
    {
        // Indices and depth as float run-time inputs: made int32 for upstream's kernel, negatives counted from depth.
        var model = new OnnxModelBuilder(11).Input("indices", IrDataType.Float, 5).Input("depth", IrDataType.Float)
            .Initializer("values", [0f, 1f], 2)
            .Node("OneHot", ["indices", "depth", "values"], ["y"], attrs: a => a.Int("axis", 0))
            .Output("y", IrDataType.Float).Build();
        var result = AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput>
        {
            ["indices"] = (new float[] { 0f, -1f, 2f, -4f, 9f }, new long[] { 5 }),
            ["depth"] = (new float[] { 3f }, Array.Empty<long>()),
        });
        Assert.AreEqual(2, result.Net.Oplists.Count(o => o.Type == OpType.Cast), "indices and depth are cast to int32");
    }
}
