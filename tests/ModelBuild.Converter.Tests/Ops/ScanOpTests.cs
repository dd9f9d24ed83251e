using ModelBuild.Converter.Onnx.Proto;
using ModelBuild.Converter.Tests.Infrastructure;
using ModelBuild.Runtime.Format.Schema;
using static ModelBuild.Converter.Tests.Infrastructure.Subgraphs;
using IrDataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Converter.Tests.Ops;

/// <summary>
/// Scan (opset 9+) lowered to Loop → MNN While, compared with ONNX Runtime: several states and scan inputs, scan
/// axes other than 0, reversed inputs and outputs, an output stacked on another axis, an enclosing-scope value.
/// </summary>
[TestClass]
public sealed class ScanOpTests : OpTestBase
{
    /// <summary>s = s * decay + x_t · y_t; outputs tanh(s) per step (x scanned on axis 1, y on axis 0).</summary>
    private static ModelProto Model(long[] inputDirections, long outputAxis, long outputDirection)
    {
        var body = Body(b => b.Input("s", IrDataType.Float, 2).Input("xt", IrDataType.Float, 2).Input("yt", IrDataType.Float, 2)
            .Node("Mul", ["s", "decay"], ["sd"]).Node("Mul", ["xt", "yt"], ["xy"]).Node("Add", ["sd", "xy"], ["s_next"])
            .Node("Tanh", ["s_next"], ["t"])
            .Output("s_next", IrDataType.Float, 2).Output("t", IrDataType.Float, 2));
        return new OnnxModelBuilder(16).Input("x", IrDataType.Float, 2, 5).Input("y", IrDataType.Float, 5, 2).Input("decay", IrDataType.Float, 2)
            .Initializer("s0", new[] { 0.1f, -0.2f }, 2)
            .Node("Scan", ["s0", "x", "y"], ["s", "trace"], name: "scan", attrs: a => a.Graph("body", body).Int("num_scan_inputs", 2)
                .Ints("scan_input_axes", 1, 0).Ints("scan_input_directions", inputDirections)
                .Ints("scan_output_axes", outputAxis).Ints("scan_output_directions", outputDirection))
            .Output("s", IrDataType.Float, 2).Output("trace", IrDataType.Float)
            .Build();
    }

    private static Dictionary<string, TestInput> Inputs() => new()
    {
        ["x"] = (TestTensors.Random(1, [2L, 5]), new long[] { 2, 5 }),
        ["y"] = (TestTensors.Random(2, [5L, 2]), new long[] { 5, 2 }),
        ["decay"] = (new[] { 0.9f, 0.5f }, new long[] { 2 }),
    };

    [TestMethod]
    [DataRow(0L, 0L, 0L, 0L)]
    [DataRow(1L, 0L, 0L, 0L)]
    [DataRow(0L, 1L, 0L, 1L)]
    [DataRow(1L, 1L, 1L, 0L)]
    [DataRow(0L, 0L, 1L, 1L)]
    [DataRow(0L, 0L, -1L, 0L)]
    public void ScanAxesAndDirections(long xReversed, long yReversed, long outputAxis, long outputReversed)
    {
        var result = AssertMatchesOnnxRuntime(Model([xReversed, yReversed], outputAxis, outputReversed), Inputs());
        Assert.AreEqual(1, result.Net.Oplists.Count(o => o.Type == OpType.While), Describe(result));
        Assert.AreEqual(0, result.Net.Oplists.Count(o => o.Type == OpType.Extra), "no custom op");
    }

    [TestMethod]
    public void ScanOutputAxisOutsideTheRangeIsRejected()
    {
        var e = AssertCode.Throws("MB1008", () => Conversion.ModelConverter.Convert(SaveModel(Model([0, 0], 3, 0)), new Conversion.ConversionOptions()));
        StringAssert.Contains(e.Message, "scan_output_axes");
    }

    private static ModelBuild.Converter.Onnx.Proto.ModelProto Scan8(long batch, long direction)
    {
        var body = Body(b => b.Input("s", IrDataType.Float, 2).Input("xt", IrDataType.Float, 2)
            .Node("Add", ["s", "xt"], ["s_next"]).Node("Sigmoid", ["s_next"], ["t"])
            .Output("s_next", IrDataType.Float, 2).Output("t", IrDataType.Float, 2));
        return new OnnxModelBuilder(8).Input("s0", IrDataType.Float, batch, 2).Input("x", IrDataType.Float, batch, 3, 2)
            .Node("Scan", ["", "s0", "x"], ["s", "trace"], name: "old_scan", attrs: a => a.Graph("body", body).Int("num_scan_inputs", 1).Ints("directions", direction))
            .Output("s", IrDataType.Float, batch, 2).Output("trace", IrDataType.Float, batch, 3, 2).Build();
    }

    [TestMethod]
    [DataRow(0L)]
    [DataRow(1L)]
    public void Scan8WithABatchOfOne(long direction) => AssertMatchesOnnxRuntime(Scan8(1, direction));

    [TestMethod]
    public void Scan8WithALargerBatchIsNamedAsUnsupported()
    {
        var e = AssertCode.Throws("MB3002", () => Conversion.ModelConverter.Convert(SaveModel(Scan8(2, 0)), new Conversion.ConversionOptions()));
        StringAssert.Contains(e.Message, "batch axis of size 1");
    }
}
