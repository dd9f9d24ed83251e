using ModelBuild.Converter.Conversion;
using ModelBuild.Converter.Tests.Infrastructure;
using IrDataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Converter.Tests.Ops;

/// <summary>Quantized ONNX ops as float arithmetic with ONNX's rounding and saturation (Graph/Passes/QuantizationExpansion).</summary>
[TestClass]
public sealed class QuantizedOpTests : OpTestBase
{
    /// <summary>
    /// A QDQ convolution block as ONNX Runtime's quantization tool writes it: activations quantized and dequantized
    /// (uint8), int8 weights per output channel, int32 bias, ReLU, and the output quantized again.
    /// </summary>
    [TestMethod]
    public void QdqConvolutionBlock()
    {
        const int c = 3, m = 4;
        var rng = new Random(3);
        var weights = Enumerable.Range(0, m * c * 9).Select(_ => (long)rng.Next(-127, 128)).ToArray();
        var model = new OnnxModelBuilder(13)
            .Input("x", IrDataType.Float, 1, c, 6, 6)
            .Initializer("x_scale", new float[] { 0.02f }).Initializer(Bytes("x_zp", IrDataType.UInt8, [128]))
            .Initializer(Bytes("w_q", IrDataType.Int8, weights, m, c, 3, 3))
            .Initializer("w_scale", new float[] { 0.01f, 0.02f, 0.005f, 0.015f }, m).Initializer(Bytes("w_zp", IrDataType.Int8, [0, 0, 0, 0], m))
            .Initializer("b_q", new int[] { 100, -50, 0, 25 }, m).Initializer("b_scale", new float[] { 2e-4f, 4e-4f, 1e-4f, 3e-4f }, m)
            .Initializer("y_scale", new float[] { 0.05f }).Initializer(Bytes("y_zp", IrDataType.UInt8, [0]))
            .Node("QuantizeLinear", ["x", "x_scale", "x_zp"], ["xq"])
            .Node("DequantizeLinear", ["xq", "x_scale", "x_zp"], ["xf"])
            .Node("DequantizeLinear", ["w_q", "w_scale", "w_zp"], ["wf"], attrs: a => a.Int("axis", 0))
            .Node("DequantizeLinear", ["b_q", "b_scale"], ["bf"], attrs: a => a.Int("axis", 0))
            .Node("Conv", ["xf", "wf", "bf"], ["conv"], attrs: a => a.Ints("pads", 1, 1, 1, 1))
            .Node("Relu", ["conv"], ["relu"])
            .Node("QuantizeLinear", ["relu", "y_scale", "y_zp"], ["yq"])
            .Node("DequantizeLinear", ["yq", "y_scale", "y_zp"], ["y"])
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput> { ["x"] = (TestTensors.Random(4, [1L, c, 6, 6], -2f, 2f), new long[] { 1, c, 6, 6 }) });
    }

    [TestMethod]
    [DataRow(IrDataType.UInt8, 128L)]
    [DataRow(IrDataType.Int8, -3L)]
    public void QuantizeLinearRoundsHalvesToEvenAndSaturates(IrDataType type, long zeroPoint)
    {
        // x / 0.5 lands on exact halves (ties) and far outside the type's range (saturation)
        float[] x = [0.25f, 0.75f, -0.25f, -0.75f, 1.25f, 100f, -100f, 0f, 63.75f, -64.25f];
        var model = new OnnxModelBuilder(13)
            .Input("x", IrDataType.Float, x.Length)
            .Initializer("s", new float[] { 0.5f }).Initializer(Bytes("zp", type, [zeroPoint]))
            .Node("QuantizeLinear", ["x", "s", "zp"], ["q"])
            .Output("q", type).Build();
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput> { ["x"] = (x, new long[] { x.Length }) });
    }

    [TestMethod]
    public void BlockedQuantizationIsRefused()
    {
        var model = new OnnxModelBuilder(21)
            .Input("x", IrDataType.Float, 2, 4)
            .Initializer("s", new float[] { 0.5f, 0.25f, 0.5f, 0.25f }, 2, 2)
            .Node("QuantizeLinear", ["x", "s"], ["q"], attrs: a => a.Int("axis", 1).Int("block_size", 2))
            .Output("q", IrDataType.UInt8).Build();
        var e = Assert.ThrowsExactly<ModelBuildException>(() => ModelConverter.Convert(SaveModel(model)));
        Assert.AreEqual(ErrorCodes.UnsupportedAttribute, e.Code);
        StringAssert.Contains(e.Message, "block_size=2");
    }

    /// <summary>An 8-bit initializer (raw bytes; int8 values as two's complement), a scalar when no dims are given.</summary>
    private static ModelBuild.Converter.Onnx.Proto.TensorProto Bytes(string name, IrDataType type, long[] values, params long[] dims) =>
        OnnxModelBuilder.MakeRawTensor(name, type, [.. values.Select(v => unchecked((byte)v))], dims);
}
