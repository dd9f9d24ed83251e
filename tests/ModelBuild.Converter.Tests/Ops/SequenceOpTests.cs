using ModelBuild.Converter.Tests.Infrastructure;
using ModelBuild.Runtime.Format.Schema;
using IrDataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Converter.Tests.Ops;

/// <summary>Static sequences resolved at conversion time into tensor ops (SequenceElimination), compared with ONNX Runtime.</summary>
[TestClass]
public sealed class SequenceOpTests : OpTestBase
{
    [TestMethod]
    public void ConstructInsertEraseAt()
    {
        var model = new OnnxModelBuilder(12).Input("a", IrDataType.Float, 2, 3).Input("b", IrDataType.Float, 2, 3).Input("c", IrDataType.Float, 2, 3)
            .Initializer("front", new long[] { 0 }).Initializer("minus_one", new long[] { -1 }).Initializer("one", new long[] { 1 })
            .Node("SequenceConstruct", ["a", "b"], ["s1"])
            .Node("SequenceInsert", ["s1", "c", "front"], ["s2"]) // [c, a, b]
            .Node("SequenceErase", ["s2", "minus_one"], ["s3"]) // [c, a]
            .Node("SequenceAt", ["s3", "one"], ["y"])
            .Node("SequenceLength", ["s3"], ["n"])
            .Output("y", IrDataType.Float).Output("n", IrDataType.Int64).Build();
        var result = AssertMatchesOnnxRuntime(model);
        Assert.IsFalse(result.Net.Oplists.Any(o => o.Type is OpType.TensorArray or OpType.TensorArrayInsert), "no sequence op is left");
    }

    [TestMethod]
    [DataRow(0L, 1L, DisplayName = "split into ones, squeezed, stacked on a new axis")]
    [DataRow(1L, 0L, DisplayName = "split into ones, kept, concatenated")]
    public void SplitThenConcat(long newAxis, long keepDims)
    {
        var model = new OnnxModelBuilder(12).Input("x", IrDataType.Float, 3, 4)
            .Node("SplitToSequence", ["x"], ["s"], attrs: a => a.Int("axis", 1).Int("keepdims", keepDims))
            .Node("ConcatFromSequence", ["s"], ["y"], attrs: a => a.Int("axis", 0).Int("new_axis", newAxis == 0 ? 1 : 0))
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model);
    }

    [TestMethod]
    [DataRow(2L, DisplayName = "scalar split: chunks of 2, the last smaller")]
    [DataRow(-1L, DisplayName = "1-D split sizes")]
    public void SplitSizes(long chunk)
    {
        var builder = new OnnxModelBuilder(12).Input("x", IrDataType.Float, 5, 2).Initializer("one", new long[] { 1 });
        builder = chunk > 0 ? builder.Initializer("split", new long[] { chunk }) : builder.Initializer("split", new long[] { 1, 4 }, 2);
        var model = builder
            .Node("SplitToSequence", ["x", "split"], ["s"], attrs: a => a.Int("axis", 0))
            .Node("ConcatFromSequence", ["s"], ["y"], attrs: a => a.Int("axis", 0))
            .Node("SequenceLength", ["s"], ["n"])
            .Node("SequenceAt", ["s", "one"], ["second"]) // the pieces' sizes, not only their order
            .Output("y", IrDataType.Float).Output("n", IrDataType.Int64).Output("second", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model);
    }

    [TestMethod]
    public void RunTimePositionIsMB3001SayingWhy()
    {
        var model = new OnnxModelBuilder(12).Input("a", IrDataType.Float, 2).Input("b", IrDataType.Float, 2).Input("at", IrDataType.Int64)
            .Node("SequenceConstruct", ["a", "b"], ["s"])
            .Node("SequenceAt", ["s", "at"], ["y"])
            .Output("y", IrDataType.Float).Build();
        var e = AssertCode.Throws("MB3001", () => Conversion.ModelConverter.Convert(SaveModel(model), new Conversion.ConversionOptions()));
        StringAssert.Contains(e.Message, "converted only when static");
    }
}
