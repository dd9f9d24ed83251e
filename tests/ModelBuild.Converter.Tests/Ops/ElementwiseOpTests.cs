using ModelBuild.Converter.Tests.Infrastructure;
using IrDataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Converter.Tests.Ops;

[TestClass]
public sealed class ElementwiseOpTests : OpTestBase
{
    [TestMethod]
    [DataRow("Add")]
    [DataRow("Sub")]
    [DataRow("Mul")]
    [DataRow("Div")]
    [DataRow("Min")]
    [DataRow("Max")]
    [DataRow("Sum")]
    [DataRow("Mean")]
    public void BinaryBroadcast(string op) => AssertMatchesOnnxRuntime(OpModels.Binary(op, [2, 3, 4], [3, 1]));

    [TestMethod]
    [DataRow(7)]
    [DataRow(13)]
    public void AddOpsets(int opset) => AssertMatchesOnnxRuntime(OpModels.Binary("Add", [2, 3], [2, 3], opset));

    [TestMethod]
    public void PowPositiveBase()
    {
        var model = OpModels.Binary("Pow", [2, 5], [5]);
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput>
        {
            ["a"] = (TestTensors.Random(1, [2L, 5], 0.1f, 3f), new long[] { 2, 5 }),
            ["b"] = (TestTensors.Random(2, [5L], -2f, 2f), new long[] { 5 }),
        });
    }

    [TestMethod]
    [DataRow("Min")]
    [DataRow("Max")]
    [DataRow("Sum")]
    [DataRow("Mean")]
    public void VariadicThreeInputs(string op)
    {
        var model = new OnnxModelBuilder(13)
            .Input("a", IrDataType.Float, 2, 3).Input("b", IrDataType.Float, 3).Input("c", IrDataType.Float, 2, 1)
            .Node(op, ["a", "b", "c"], ["y"]).Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model);
    }

    [TestMethod]
    [DataRow("Max")]
    [DataRow("Mean")]
    public void VariadicSingleInput(string op) => AssertMatchesOnnxRuntime(OpModels.Unary(op, [2, 3]));

    [TestMethod]
    [DataRow("Abs")]
    [DataRow("Neg")]
    [DataRow("Floor")]
    [DataRow("Ceil")]
    [DataRow("Exp")]
    [DataRow("Erf")]
    [DataRow("Sin")]
    [DataRow("Cos")]
    public void UnaryMath(string op) => AssertMatchesOnnxRuntime(OpModels.Unary(op, [3, 4, 5]));

    [TestMethod]
    [DataRow("Sqrt")]
    [DataRow("Log")]
    [DataRow("Reciprocal")]
    public void UnaryMathPositive(string op)
    {
        var model = OpModels.Unary(op, [3, 4]);
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput> { ["x"] = (TestTensors.Random(4, [3L, 4], 0.1f, 5f), new long[] { 3, 4 }) });
    }

    [TestMethod]
    [DataRow("Equal")]
    [DataRow("Less")]
    [DataRow("Greater")]
    [DataRow("LessOrEqual")]
    [DataRow("GreaterOrEqual")]
    public void ComparisonsFeedWhere(string op)
    {
        // Bool results are checked through Where so the graph output stays float.
        var model = new OnnxModelBuilder(16)
            .Input("a", IrDataType.Float, 2, 5).Input("b", IrDataType.Float, 5)
            .Node(op, ["a", "b"], ["m"])
            .Node("Where", ["m", "a", "b"], ["y"])
            .Output("y", IrDataType.Float).Build();
        var a = new float[] { 1, 2, 3, 4, 5, 5, 4, 3, 2, 1 };
        var b = new float[] { 3, 3, 3, 3, 3 };
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput> { ["a"] = (a, new long[] { 2, 5 }), ["b"] = (b, new long[] { 5 }) });
    }

    [TestMethod]
    [DataRow("And")]
    [DataRow("Or")]
    [DataRow("Xor")]
    public void LogicalOps(string op)
    {
        var model = new OnnxModelBuilder(13)
            .Input("a", IrDataType.Float, 6).Input("b", IrDataType.Float, 6)
            .Initializer("zero", [0f])
            .Node("Greater", ["a", "zero"], ["pa"]).Node("Greater", ["b", "zero"], ["pb"])
            .Node(op, ["pa", "pb"], ["m"]).Node("Not", ["m"], ["nm"])
            .Node("Where", ["nm", "a", "b"], ["y"])
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model);
    }

    [TestMethod]
    public void CastFloatToIntAndBack()
    {
        var model = new OnnxModelBuilder(13)
            .Input("x", IrDataType.Float, 2, 6)
            .Node("Cast", ["x"], ["i"], attrs: a => a.Int("to", (long)IrDataType.Int64))
            .Node("Cast", ["i"], ["y"], attrs: a => a.Int("to", (long)IrDataType.Float))
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput> { ["x"] = (TestTensors.Random(9, [2L, 6], -5f, 5f), new long[] { 2, 6 }) });
    }

    [TestMethod]
    public void CastToBool()
    {
        var model = new OnnxModelBuilder(13)
            .Input("x", IrDataType.Float, 8)
            .Node("Cast", ["x"], ["m"], attrs: a => a.Int("to", (long)IrDataType.Bool))
            .Node("Cast", ["m"], ["y"], attrs: a => a.Int("to", (long)IrDataType.Float))
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput> { ["x"] = (new float[] { 0, 0.5f, -0.25f, 2, 0, -3, 1e-3f, 0 }, new long[] { 8 }) });
    }

    [TestMethod]
    public void IntegerArithmeticOutput()
    {
        var model = OpModels.Binary("Mul", [2, 3], [3], type: IrDataType.Int64, outType: IrDataType.Int64);
        AssertMatchesOnnxRuntime(model);
    }

    [TestMethod]
    public void WhereBroadcast()
    {
        var model = new OnnxModelBuilder(13)
            .Input("c", IrDataType.Bool, 3, 1).Input("a", IrDataType.Float, 3, 4).Input("b", IrDataType.Float, 4)
            .Node("Where", ["c", "a", "b"], ["y"]).Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model);
    }

    [TestMethod]
    public void IdentityOfInput() => AssertMatchesOnnxRuntime(OpModels.Unary("Identity", [2, 3]));
}
