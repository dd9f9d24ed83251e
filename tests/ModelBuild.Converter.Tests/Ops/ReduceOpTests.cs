using ModelBuild.Converter.Tests.Infrastructure;
using IrDataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Converter.Tests.Ops;

[TestClass]
public sealed class ReduceOpTests : OpTestBase
{
    private static readonly string[] s_ops =
        ["ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2", "ReduceLogSumExp", "ReduceSumSquare"];

    public static IEnumerable<object[]> Cases() =>
        s_ops.SelectMany(op => new[] { new object[] { op, 1L }, new object[] { op, 0L } });

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void ReduceAxesAttributeOpset11(string op, long keepDims) =>
        AssertMatchesOnnxRuntime(OpModels.Unary(op, [2, 3, 4], 11, a => a.Ints("axes", 1, -1).Int("keepdims", keepDims)));

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void ReduceAxesInputOpset18(string op, long keepDims)
    {
        var model = new OnnxModelBuilder(18)
            .Input("x", IrDataType.Float, 2, 3, 4)
            .Initializer("axes", new long[] { 0, 2 }, 2)
            .Node(op, ["x", "axes"], ["y"], attrs: a => a.Int("keepdims", keepDims))
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model);
    }

    [TestMethod]
    [DataRow("ReduceMean")]
    [DataRow("ReduceMax")]
    public void ReduceAllAxes(string op) => AssertMatchesOnnxRuntime(OpModels.Unary(op, [2, 3, 4], 13, a => a.Int("keepdims", 0)));

    [TestMethod]
    public void ReduceSumAxesInputOpset13()
    {
        var model = new OnnxModelBuilder(13)
            .Input("x", IrDataType.Float, 2, 3, 4)
            .Initializer("axes", new long[] { 1 }, 1)
            .Node("ReduceSum", ["x", "axes"], ["y"])
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model);
    }

    [TestMethod]
    public void ReduceSumNoopWithEmptyAxes() =>
        AssertMatchesOnnxRuntime(OpModels.Unary("ReduceSum", [2, 3], 13, a => a.Int("noop_with_empty_axes", 1)));

    [TestMethod]
    public void ReduceLogSumExpLargeValues()
    {
        var model = OpModels.Unary("ReduceLogSumExp", [2, 3], 13, a => a.Ints("axes", 1));
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput> { ["x"] = (new float[] { 500, 501, 499, -3, -2, -1 }, new long[] { 2, 3 }) });
    }

    [TestMethod]
    [DataRow("ArgMax", 1L, 1L)]
    [DataRow("ArgMax", -1L, 0L)]
    [DataRow("ArgMin", 0L, 1L)]
    [DataRow("ArgMin", 2L, 0L)]
    public void ArgMaxMin(string op, long axis, long keepDims)
    {
        var model = new OnnxModelBuilder(13)
            .Input("x", IrDataType.Float, 3, 4, 5)
            .Node(op, ["x"], ["y"], attrs: a => a.Int("axis", axis).Int("keepdims", keepDims))
            .Output("y", IrDataType.Int64).Build();
        AssertMatchesOnnxRuntime(model);
    }

    [TestMethod]
    [DataRow("ArgMax", 1L, 1L)]
    [DataRow("ArgMin", -1L, 0L)]
    public void ArgMaxMinSelectLastIndex(string op, long axis, long keepDims)
    {
        var model = new OnnxModelBuilder(13)
            .Input("x", IrDataType.Float, 2, 4, 3)
            .Node(op, ["x"], ["y"], attrs: a => a.Int("axis", axis).Int("keepdims", keepDims).Int("select_last_index", 1))
            .Output("y", IrDataType.Int64).Build();
        var data = Enumerable.Range(0, 24).Select(i => (float)((i * 7) % 3)).ToArray(); // many ties
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput> { ["x"] = (data, new long[] { 2, 4, 3 }) });
    }

    [TestMethod]
    public void ArgMaxSelectLastIndexSymbolicShape()
    {
        var model = new OnnxModelBuilder(13)
            .Input("x", IrDataType.Float, 2, "N")
            .Node("ArgMax", ["x"], ["y"], attrs: a => a.Int("axis", 1).Int("select_last_index", 1))
            .Output("y", IrDataType.Int64).Build();
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput> { ["x"] = (new float[] { 1, 3, 3, 0, 2, 2, 1, 2 }, new long[] { 2, 4 }) });
    }
}
