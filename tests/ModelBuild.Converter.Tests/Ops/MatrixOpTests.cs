using ModelBuild.Converter.Tests.Infrastructure;
using ModelBuild.Runtime.Format.Schema;
using IrDataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Converter.Tests.Ops;

/// <summary>Det: written at upstream's [batch, M, M] rank whatever the input's, compared with ONNX Runtime.</summary>
[TestClass]
public sealed class MatrixOpTests : OpTestBase
{
    [TestMethod]
    [DataRow(new long[] { 3, 3 }, DisplayName = "one matrix")]
    [DataRow(new long[] { 4, 5, 5 }, DisplayName = "a batch")]
    [DataRow(new long[] { 2, 3, 4, 4 }, DisplayName = "two batch axes")]
    [DataRow(new long[] { 2, 1, 1 }, DisplayName = "1x1")]
    public void Determinants(long[] shape)
    {
        var model = new OnnxModelBuilder(11).Input("x", IrDataType.Float, [.. shape.Cast<object>()])
            .Node("Det", ["x"], ["y"]).Output("y", IrDataType.Float).Build();
        var result = AssertMatchesOnnxRuntime(model);
        var det = result.Net.Oplists.Single(o => o.Type == OpType.Det);
        var producer = result.Net.Oplists.SingleOrDefault(o => o.OutputIndexes.Contains(det.InputIndexes[0]))?.Type;
        var expected = shape.Length switch { 3 => OpType.Input, 2 => OpType.Unsqueeze, _ => OpType.Reshape };
        Assert.AreEqual(expected, producer, "upstream's kernel reads [batch, M, M]: other ranks are brought to it");
    }

    [TestMethod]
    public void PivotingAndSingularMatrices()
    {
        // a zero leading pivot (needs a row swap, which flips the sign) and an exactly singular matrix
        float[] data =
        [
            0, 2, 1, 3, 1, 4, 5, 6, 0,
            1, 2, 3, 2, 4, 6, 1, 1, 1,
        ];
        var model = new OnnxModelBuilder(11).Input("x", IrDataType.Float, 2, 3, 3)
            .Node("Det", ["x"], ["y"]).Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput> { ["x"] = (data, new long[] { 2, 3, 3 }) });
    }

    [TestMethod]
    public void RankOneIsACodedError()
    {
        var model = new OnnxModelBuilder(11).Input("x", IrDataType.Float, 4)
            .Node("Det", ["x"], ["y"]).Output("y", IrDataType.Float).Build();
        AssertCode.Throws("MB1008", () => Conversion.ModelConverter.Convert(SaveModel(model), new Conversion.ConversionOptions()));
    }
}
