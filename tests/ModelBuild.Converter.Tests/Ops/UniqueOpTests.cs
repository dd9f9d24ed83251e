using ModelBuild.Converter.Tests.Infrastructure;
using ModelBuild.Runtime.Format.Schema;
using IrDataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Converter.Tests.Ops;

/// <summary>Unique (flattened, sorted) → upstream's Unique with all four outputs whenever more than the values are asked.</summary>
[TestClass]
public sealed class UniqueOpTests : OpTestBase
{
    [TestMethod]
    [DataRow(1, DisplayName = "values only")]
    [DataRow(2, DisplayName = "values and first indices")]
    [DataRow(3, DisplayName = "and inverse indices")]
    [DataRow(4, DisplayName = "and counts")]
    public void FloatsIncludingNegatives(int outputs)
    {
        string[] names = ["y", "indices", "inverse", "counts"];
        var builder = new OnnxModelBuilder(11).Input("x", IrDataType.Float, 2, 5)
            .Node("Unique", ["x"], names[..outputs]).Output("y", IrDataType.Float);
        foreach (var name in names[1..outputs])
        {
            builder.Output(name, IrDataType.Int64);
        }

        var result = AssertMatchesOnnxRuntime(builder.Build(), new Dictionary<string, TestInput>
        {
            ["x"] = (new float[] { 2, -1, 1, 3, -1, 0, 2.5f, -3, 1, 3 }, new long[] { 2, 5 }),
        });
        Assert.AreEqual(outputs == 1 ? 1 : 4, result.Net.Oplists.Single(o => o.Type == OpType.Unique).OutputIndexes.Count);
    }

    [TestMethod]
    public void RunTimeInts()
    {
        var model = new OnnxModelBuilder(11).Input("x", IrDataType.Int64, 7)
            .Node("Unique", ["x"], ["y", "", "inverse"]).Output("y", IrDataType.Int64).Output("inverse", IrDataType.Int64).Build();
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput> { ["x"] = (new long[] { 5, 5, -2, 7, 0, -2, 5 }, new long[] { 7 }) });
    }

    [TestMethod]
    [DataRow("axis", DisplayName = "axis")]
    [DataRow("sorted=0", DisplayName = "unsorted")]
    public void UnsupportedFormsAreMB3002(string what)
    {
        var model = new OnnxModelBuilder(11).Input("x", IrDataType.Float, 2, 3)
            .Node("Unique", ["x"], ["y"], attrs: a => _ = what == "axis" ? a.Int("axis", 0) : a.Int("sorted", 0))
            .Output("y", IrDataType.Float).Build();
        var e = AssertCode.Throws("MB3002", () => Conversion.ModelConverter.Convert(SaveModel(model), new Conversion.ConversionOptions()));
        StringAssert.Contains(e.Message, what);
    }
}
