using ModelBuild.Converter.Tests.Infrastructure;
using ModelBuild.Runtime.Format.Schema;
using IrDataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Converter.Tests.Ops;

/// <summary>ReverseSequence → upstream's ReverseSequence op, time-major and batch-major, lengths constant or run-time.</summary>
[TestClass]
public sealed class ReverseSequenceOpTests : OpTestBase
{
    [TestMethod]
    [DataRow(0L, 1L, DisplayName = "time-major [T, B, C]")]
    [DataRow(1L, 0L, DisplayName = "batch-major [B, T, C]")]
    public void ConstantLengths(long timeAxis, long batchAxis)
    {
        long[] shape = timeAxis == 0 ? [5, 4, 3] : [4, 5, 3];
        var model = new OnnxModelBuilder(10).Input("x", IrDataType.Float, [.. shape.Cast<object>()])
            .Initializer("lens", new long[] { 5, 0, 3, 1 }, 4)
            .Node("ReverseSequence", ["x", "lens"], ["y"], attrs: a => a.Int("time_axis", timeAxis).Int("batch_axis", batchAxis))
            .Output("y", IrDataType.Float).Build();
        var result = AssertMatchesOnnxRuntime(model);
        Assert.ContainsSingle(result.Net.Oplists.Where(o => o.Type == OpType.ReverseSequence));
    }

    [TestMethod]
    public void RunTimeLengthsOfInts()
    {
        var model = new OnnxModelBuilder(10).Input("x", IrDataType.Int64, 3, 6).Input("lens", IrDataType.Int64, 3)
            .Node("ReverseSequence", ["x", "lens"], ["y"], attrs: a => a.Int("time_axis", 1).Int("batch_axis", 0))
            .Output("y", IrDataType.Int64).Build();
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput>
        {
            ["x"] = (Enumerable.Range(0, 18).Select(i => (long)i).ToArray(), new long[] { 3, 6 }),
            ["lens"] = (new long[] { 6, 2, 4 }, new long[] { 3 }),
        });
    }

    [TestMethod]
    public void SameAxesAreACodedError()
    {
        var model = new OnnxModelBuilder(10).Input("x", IrDataType.Float, 3, 3).Input("lens", IrDataType.Int64, 3)
            .Node("ReverseSequence", ["x", "lens"], ["y"], attrs: a => a.Int("time_axis", 1).Int("batch_axis", 1))
            .Output("y", IrDataType.Float).Build();
        AssertCode.Throws("MB1008", () => Conversion.ModelConverter.Convert(SaveModel(model), new Conversion.ConversionOptions()));
    }
}
