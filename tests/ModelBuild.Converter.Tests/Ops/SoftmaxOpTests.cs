namespace ModelBuild.Converter.Tests.Ops;

[TestClass]
public sealed class SoftmaxOpTests : OpTestBase
{
    [TestMethod]
    [DataRow("Softmax", 13, -1L)]
    [DataRow("Softmax", 13, 1L)]
    [DataRow("Softmax", 13, 0L)]
    [DataRow("LogSoftmax", 13, -1L)]
    [DataRow("LogSoftmax", 13, 1L)]
    [DataRow("Softmax", 11, 1L)]
    [DataRow("Softmax", 11, 2L)]
    [DataRow("Softmax", 11, 0L)]
    [DataRow("Softmax", 11, -1L)]
    [DataRow("LogSoftmax", 11, 1L)]
    [DataRow("LogSoftmax", 9, 2L)]
    [DataRow("Softmax", 9, 3L)]
    public void SoftmaxAxisSemantics(string op, int opset, long axis) =>
        AssertMatchesOnnxRuntime(OpModels.Unary(op, [2, 3, 4, 5], opset, a => a.Int("axis", axis)));

    [TestMethod]
    [DataRow("Softmax", 11)]
    [DataRow("Softmax", 13)]
    [DataRow("LogSoftmax", 11)]
    public void SoftmaxDefaultAxis(string op, int opset) => AssertMatchesOnnxRuntime(OpModels.Unary(op, [2, 3, 4], opset));

    [TestMethod]
    public void LogSoftmaxLargeValuesStayFinite()
    {
        var model = OpModels.Unary("LogSoftmax", [1, 4]);
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput> { ["x"] = (new float[] { 1000f, 0f, -1000f, 999f }, new long[] { 1, 4 }) });
    }

    [TestMethod]
    [DataRow(-1L)]
    [DataRow(0L)]
    [DataRow(1L)]
    public void HardmaxWithTies(long axis)
    {
        var model = OpModels.Unary("Hardmax", [3, 4, 2], 13, a => a.Int("axis", axis));
        var data = Enumerable.Range(0, 24).Select(i => (float)((i * 5) % 4)).ToArray();
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput> { ["x"] = (data, new long[] { 3, 4, 2 }) });
    }
}
