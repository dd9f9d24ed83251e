using ModelBuild.Converter.Onnx.Proto;
using ModelBuild.Converter.Tests.Infrastructure;
using ModelBuild.Runtime.Format.Schema;
using static ModelBuild.Converter.Tests.Infrastructure.Subgraphs;
using IrDataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Converter.Tests.Ops;

/// <summary>
/// If with a condition computed at run time → MNN If over Net.subgraphs: both branches taken, enclosing-scope values
/// and an int64 scalar input (a sample rate, as voice-activity models have), nested run-time Ifs, a branch returning
/// its own constant; compared with ONNX Runtime.
/// </summary>
[TestClass]
public sealed class IfRunTimeTests : OpTestBase
{
    /// <summary>cond = (sr == 16000); then: x·w + 1 (w from the outer graph), else: constant-shaped x − c.</summary>
    private static ModelProto SampleRateModel()
    {
        var then = Branch(b => b.Initializer("one", new float[] { 1f }, 1).Node("MatMul", ["x", "w"], ["xw"]).Node("Add", ["xw", "one"], ["y_then"]), "y_then");
        var otherwise = Branch(b => b.Initializer("c", new float[] { 0.5f, -0.5f, 2f }, 3).Node("Mul", ["x", "c"], ["xc"]).Node("Sigmoid", ["xc"], ["y_else"]), "y_else");
        return new OnnxModelBuilder(13).Input("x", IrDataType.Float, 2, 3).Input("sr", IrDataType.Int64)
            .Initializer("w", TestTensors.Random(5, [3L, 3], -1f, 1f), 3, 3)
            .Initializer("rate", new long[] { 16000 })
            .Node("Equal", ["sr", "rate"], ["cond"])
            .Node("If", ["cond"], ["y"], name: "by_rate", attrs: a => a.Graph("then_branch", then).Graph("else_branch", otherwise))
            .Node("Tanh", ["y"], ["out"])
            .Output("out", IrDataType.Float).Build();
    }

    private static Dictionary<string, TestInput> Inputs(long sr) => new()
    {
        ["x"] = (TestTensors.Random(3, [2L, 3]), new long[] { 2, 3 }),
        ["sr"] = (new long[] { sr }, Array.Empty<long>()),
    };

    [TestMethod]
    [DataRow(16000L)]
    [DataRow(8000L)]
    public void RunTimeConditionTakesEitherBranch(long sampleRate)
    {
        var result = AssertMatchesOnnxRuntime(SampleRateModel(), Inputs(sampleRate));
        var ifOp = result.Net.Oplists.Single(o => o.Type == OpType.If);
        var p = ifOp.Main.AsIfParam();
        Assert.HasCount(2, result.Net.Subgraphs);
        CollectionAssert.AreEqual(new[] { p.ElseGraph, p.ThenGraph }.Order().ToArray(), result.Net.Subgraphs.Select(g => g.Name).Order().ToArray());
        Assert.AreEqual(0, p.AliasesInputs[0].Data.Count, "the condition has no alias");
        Assert.IsTrue(p.AliasesInputs.Skip(1).Any(a => a.Data.SequenceEqual(["x"])), Describe(result));
    }

    [TestMethod]
    [DataRow(1L, 1L)]
    [DataRow(1L, 0L)]
    [DataRow(0L, 1L)]
    public void NestedRunTimeIfs(long outer, long inner)
    {
        var innerThen = Branch(b => b.Node("Neg", ["x"], ["n"]), "n");
        var innerElse = Branch(b => b.Initializer("k", new float[] { 3f, 4f, 5f }, 3).Node("Identity", ["k"], ["m"]), "m");
        var then = Branch(
            b => b.Node("If", ["c2"], ["inner"], attrs: a => a.Graph("then_branch", innerThen).Graph("else_branch", innerElse))
                .Node("Add", ["inner", "x"], ["y_then"]),
            "y_then");
        var otherwise = Branch(b => b.Node("Exp", ["x"], ["y_else"]), "y_else");
        var model = new OnnxModelBuilder(13).Input("x", IrDataType.Float, 2, 3).Input("c1", IrDataType.Bool).Input("c2", IrDataType.Bool)
            .Node("If", ["c1"], ["y"], attrs: a => a.Graph("then_branch", then).Graph("else_branch", otherwise))
            .Output("y", IrDataType.Float).Build();
        var result = AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput>
        {
            ["x"] = (TestTensors.Random(4, [2L, 3]), new long[] { 2, 3 }),
            ["c1"] = (new long[] { outer }, Array.Empty<long>()),
            ["c2"] = (new long[] { inner }, Array.Empty<long>()),
        });
        Assert.HasCount(4, result.Net.Subgraphs, "inner bodies come first, then the outer ones");
        Assert.IsTrue(result.Net.Subgraphs.FindIndex(g => g.Nodes.Any(o => o.Type == OpType.If)) >= 2, Describe(result));
    }

    /// <summary>
    /// A run-time If whose branch outputs declare no shape (as in Silero VAD v5): Unsqueeze with a negative axis and a
    /// 1-D Conv (rank from its weight) still convert after it.
    /// </summary>
    [TestMethod]
    [DataRow(1L)]
    [DataRow(0L)]
    public void OpsAfterAnIfOfUnknownRank(long cond)
    {
        var then = Branch(b => b.Node("Relu", ["x"], ["t"]), "t");
        var otherwise = Branch(b => b.Node("Neg", ["x"], ["e"]), "e");
        var model = new OnnxModelBuilder(13).Input("x", IrDataType.Float, 1, 4, 8).Input("c", IrDataType.Bool)
            .Initializer("w", TestTensors.Random(6, [2L, 4, 3]), 2, 4, 3)
            .Initializer("axes", new long[] { -1 }, 1)
            .Node("If", ["c"], ["y"], attrs: a => a.Graph("then_branch", then).Graph("else_branch", otherwise))
            .Node("Conv", ["y", "w"], ["conv"], attrs: a => a.Ints("pads", 1, 1))
            .Node("Unsqueeze", ["conv", "axes"], ["u"])
            .Output("u", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput>
        {
            ["x"] = (TestTensors.Random(8, [1L, 4, 8]), new long[] { 1, 4, 8 }),
            ["c"] = (new long[] { cond }, Array.Empty<long>()),
        });
    }
}
