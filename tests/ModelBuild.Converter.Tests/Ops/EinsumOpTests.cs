using ModelBuild.Converter.Tests.Infrastructure;
using ModelBuild.Runtime.Format.Schema;
using IrDataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Converter.Tests.Ops;

/// <summary>Einsum: one- and two-operand equations lowered to Reduction/Permute/Reshape/MatMul, compared with ONNX Runtime.</summary>
[TestClass]
public sealed class EinsumOpTests : OpTestBase
{
    [TestMethod]
    [DataRow("bij,bjk->bik", new long[] { 2, 3, 4 }, new long[] { 2, 4, 5 })]
    [DataRow("bhid,bhjd->bhij", new long[] { 2, 3, 4, 8 }, new long[] { 2, 3, 5, 8 })]
    [DataRow("bhij,bhjd->bhid", new long[] { 1, 2, 4, 5 }, new long[] { 1, 2, 5, 3 })]
    [DataRow("ij,kj->ik", new long[] { 3, 4 }, new long[] { 5, 4 })]
    [DataRow("i,i", new long[] { 6 }, new long[] { 6 })]
    [DataRow("i,j->ij", new long[] { 3 }, new long[] { 4 })]
    [DataRow("bnd,dhk->bnhk", new long[] { 2, 3, 4 }, new long[] { 4, 2, 5 })]
    [DataRow("abc,cde->abde", new long[] { 2, 3, 4 }, new long[] { 4, 2, 3 })]
    [DataRow("ijk,jl->li", new long[] { 2, 3, 4 }, new long[] { 3, 5 })]
    public void TwoOperands(string equation, long[] a, long[] b)
    {
        var model = new OnnxModelBuilder(12).Input("a", IrDataType.Float, [.. a.Cast<object>()]).Input("b", IrDataType.Float, [.. b.Cast<object>()])
            .Node("Einsum", ["a", "b"], ["y"], attrs: x => x.String("equation", equation))
            .Output("y", IrDataType.Float).Build();
        var result = AssertMatchesOnnxRuntime(model);
        Assert.ContainsSingle(result.Net.Oplists.Where(o => o.Type == OpType.MatMul), "one MatMul per contraction");
    }

    [TestMethod]
    public void AttentionScoresWithRuntimeSequenceLength()
    {
        var model = new OnnxModelBuilder(12).Input("q", IrDataType.Float, 1, 2, "S", 8).Input("k", IrDataType.Float, 1, 2, "T", 8)
            .Node("Einsum", ["q", "k"], ["y"], attrs: x => x.String("equation", "bhqd,bhkd->bhqk"))
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput>
        {
            ["q"] = (TestTensors.Random(1, [1L, 2, 3, 8]), new long[] { 1, 2, 3, 8 }),
            ["k"] = (TestTensors.Random(2, [1L, 2, 5, 8]), new long[] { 1, 2, 5, 8 }),
        });
    }

    [TestMethod]
    public void OutputShapeIsInferredForLaterOps()
    {
        // Trilu needs its input's rank: known only through Einsum's shape rule.
        var model = new OnnxModelBuilder(14).Input("a", IrDataType.Float, 2, 3, 4).Input("b", IrDataType.Float, 2, 4, 3)
            .Node("Einsum", ["a", "b"], ["p"], attrs: x => x.String("equation", "bij,bjk->bik"))
            .Node("Trilu", ["p"], ["y"])
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model);
    }

    [TestMethod]
    [DataRow("ij->ji", new long[] { 3, 4 })]
    [DataRow("ij->i", new long[] { 3, 4 })]
    [DataRow("ijk->kj", new long[] { 2, 3, 4 })]
    [DataRow("ji", new long[] { 3, 4 })]
    public void OneOperand(string equation, long[] shape)
    {
        var model = new OnnxModelBuilder(12).Input("x", IrDataType.Float, [.. shape.Cast<object>()])
            .Node("Einsum", ["x"], ["y"], attrs: x => x.String("equation", equation))
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model);
    }

    [TestMethod]
    [DataRow("ii->i", "diagonal")]
    [DataRow("...ij,...jk->...ik", "ellipsis")]
    public void UnsupportedEquationsAreMB3002(string equation, string why)
    {
        var model = new OnnxModelBuilder(12).Input("x", IrDataType.Float, 3, 3)
            .Node("Einsum", ["x"], ["y"], attrs: x => x.String("equation", equation))
            .Output("y", IrDataType.Float).Build();
        var e = AssertCode.Throws("MB3002", () => Conversion.ModelConverter.Convert(SaveModel(model), new Conversion.ConversionOptions()));
        StringAssert.Contains(e.Message, why);
    }

    [TestMethod]
    public void ThreeOperandsAreMB3002()
    {
        var model = new OnnxModelBuilder(12).Input("a", IrDataType.Float, 2, 3).Input("b", IrDataType.Float, 3, 4).Input("c", IrDataType.Float, 4, 5)
            .Node("Einsum", ["a", "b", "c"], ["y"], attrs: x => x.String("equation", "ij,jk,kl->il"))
            .Output("y", IrDataType.Float).Build();
        var e = AssertCode.Throws("MB3002", () => Conversion.ModelConverter.Convert(SaveModel(model), new Conversion.ConversionOptions()));
        StringAssert.Contains(e.Message, "3 operands");
    }
}
