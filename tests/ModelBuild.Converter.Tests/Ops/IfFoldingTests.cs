using ModelBuild.Converter.Tests.Infrastructure;
using ModelBuild.Runtime.Format.Schema;
using static ModelBuild.Converter.Tests.Infrastructure.Subgraphs;
using IrDataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Converter.Tests.Ops;

/// <summary>
/// If whose condition is decided at conversion time (shape comparisons of static shapes, as exporters emit them):
/// the taken branch is inlined, reading outer values, its own initializers and nested Ifs; compared with ONNX Runtime.
/// </summary>
[TestClass]
public sealed class IfFoldingTests : OpTestBase
{
    /// <summary>x [2, 3]; cond = Shape(x)[0] == <paramref name="batch"/>.</summary>
    private static OnnxModelBuilder WithShapeCondition(long batch) =>
        new OnnxModelBuilder(13).Input("x", IrDataType.Float, 2, 3)
            .Initializer("zero", new long[] { 0 }, 1).Initializer("batch", new long[] { batch }, 1)
            .Node("Shape", ["x"], ["shape"])
            .Node("Gather", ["shape", "zero"], ["dim0"])
            .Node("Equal", ["dim0", "batch"], ["cond1"])
            .Node("Squeeze", ["cond1", "zero"], ["cond"]);

    [TestMethod]
    [DataRow(2L)]
    [DataRow(5L)]
    public void ConstantConditionInlinesTheTakenBranch(long batch)
    {
        var then = Branch(b => b.Initializer("c", new float[] { 1.5f }, 1).Node("Mul", ["x", "x"], ["t"]).Node("Add", ["t", "c"], ["y_then"]).Node("Identity", ["x"], ["z_then"]), "y_then", "z_then");
        // The else branch returns its own initializer as an output (an Identity is inserted for it).
        var otherwise = Branch(b => b.Initializer("c", new float[] { 0.25f }, 1).Node("Sub", ["x", "c"], ["y_else"]), "y_else", "c");
        var model = WithShapeCondition(batch)
            .Node("If", ["cond"], ["y", "z"], name: "choose", attrs: a => a.Graph("then_branch", then).Graph("else_branch", otherwise))
            .Node("Relu", ["z"], ["w"])
            .Output("y", IrDataType.Float).Output("w", IrDataType.Float).Build();
        var result = AssertMatchesOnnxRuntime(model);
        Assert.IsFalse(result.Net.Oplists.Any(o => o.Type == OpType.If), Describe(result));
    }

    [TestMethod]
    public void NestedIfsFold()
    {
        var innerThen = Branch(b => b.Node("Neg", ["x"], ["n"]), "n");
        var innerElse = Branch(b => b.Node("Abs", ["x"], ["m"]), "m");
        var then = Branch(
            b => b.Initializer("five", new long[] { 5 }, 1)
                .Node("Greater", ["dim0", "five"], ["inner_cond1"])
                .Node("Squeeze", ["inner_cond1", "zero"], ["inner_cond"])
                .Node("If", ["inner_cond"], ["inner"], attrs: a => a.Graph("then_branch", innerThen).Graph("else_branch", innerElse))
                .Node("Add", ["inner", "x"], ["y_then"]),
            "y_then");
        var otherwise = Branch(b => b.Node("Sigmoid", ["x"], ["y_else"]), "y_else");
        var model = WithShapeCondition(2)
            .Node("If", ["cond"], ["y"], attrs: a => a.Graph("then_branch", then).Graph("else_branch", otherwise))
            .Output("y", IrDataType.Float).Build();
        var result = AssertMatchesOnnxRuntime(model);
        Assert.IsTrue(result.Net.Oplists.Any(o => o.Type == OpType.UnaryOp), Describe(result));
    }
}
