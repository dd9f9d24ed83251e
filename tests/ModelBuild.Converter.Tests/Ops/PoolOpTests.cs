using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Converter.Tests.Ops;

[TestClass]
public sealed class PoolOpTests : OpTestBase
{
    [TestMethod]
    [DataRow("MaxPool")]
    [DataRow("AveragePool")]
    public void Pool2dBasic(string op) =>
        AssertMatchesOnnxRuntime(OpModels.Unary(op, [2, 3, 6, 6], 13, a => a.Ints("kernel_shape", 2, 2).Ints("strides", 2, 2)));

    [TestMethod]
    [DataRow("MaxPool")]
    [DataRow("AveragePool")]
    public void Pool2dPadsStrides(string op) =>
        AssertMatchesOnnxRuntime(OpModels.Unary(op, [1, 2, 7, 8], 11, a => a.Ints("kernel_shape", 3, 2).Ints("strides", 2, 1).Ints("pads", 1, 0, 1, 1)));

    [TestMethod]
    public void AveragePoolCountIncludePad() =>
        AssertMatchesOnnxRuntime(OpModels.Unary("AveragePool", [1, 2, 5, 5], 11, a => a.Ints("kernel_shape", 3, 3).Ints("pads", 1, 1, 1, 1).Int("count_include_pad", 1)));

    /// <summary>Uneven pads counted in the average are written as explicit zero padding (upstream counts padX/padY twice).</summary>
    [TestMethod]
    [DataRow(new long[] { 1, 2, 7, 6 }, new long[] { 3, 2 }, new long[] { 1, 0, 2, 1 })]
    [DataRow(new long[] { 1, 2, 9 }, new long[] { 3 }, new long[] { 0, 2 })]
    public void AveragePoolCountIncludeUnevenPads(long[] shape, long[] kernel, long[] pads)
    {
        var result = AssertMatchesOnnxRuntime(OpModels.Unary("AveragePool", shape, 11, a => a.Ints("kernel_shape", kernel).Ints("pads", pads).Int("count_include_pad", 1)));
        StringAssert.Contains(Describe(result), "Padding");
    }

    [TestMethod]
    [DataRow("MaxPool")]
    [DataRow("AveragePool")]
    public void Pool2dCeilMode(string op) =>
        AssertMatchesOnnxRuntime(OpModels.Unary(op, [1, 2, 7, 7], 11, a => a.Ints("kernel_shape", 3, 3).Ints("strides", 2, 2).Int("ceil_mode", 1)));

    /// <summary>
    /// The file says ceil mode only where ONNX's ceil size differs from the floor size: ONNX drops a last window that
    /// starts in the end padding and upstream MNN's ceil mode does not, so there the file says floor mode.
    /// </summary>
    [TestMethod]
    [DataRow("MaxPool", new long[] { 1, 1, 4, 4 }, new long[] { 1, 1 }, new long[] { 0, 0, 0, 0 }, new long[] { 2, 2 }, false)]
    [DataRow("AveragePool", new long[] { 1, 3, 2, 2 }, new long[] { 3, 3 }, new long[] { 1, 1, 1, 1 }, new long[] { 3, 3 }, false)]
    [DataRow("MaxPool", new long[] { 1, 2, 8, 8 }, new long[] { 3, 3 }, new long[] { 0, 0, 0, 0 }, new long[] { 2, 2 }, true)]
    [DataRow("AveragePool", new long[] { 1, 2, 8, 7 }, new long[] { 3, 3 }, new long[] { 1, 1, 1, 1 }, new long[] { 2, 2 }, true)]
    public void Pool2dCeilModeWrittenOnlyWhereItAddsAWindow(string op, long[] shape, long[] kernel, long[] pads, long[] strides, bool ceil)
    {
        var model = OpModels.Unary(op, shape, 19, a =>
        {
            a.Ints("kernel_shape", kernel).Ints("pads", pads).Ints("strides", strides).Int("ceil_mode", 1);
            if (op == "AveragePool")
            {
                a.Int("count_include_pad", 1);
            }
        });
        var result = AssertMatchesOnnxRuntime(model);
        var pool = result.Net.Oplists.Single(o => o.Type == OpType.Pooling).Main.AsPool();
        Assert.AreEqual(ceil, pool.CeilModel, Describe(result));
    }

    [TestMethod]
    [DataRow("SAME_UPPER")]
    [DataRow("SAME_LOWER")]
    [DataRow("VALID")]
    public void Pool2dAutoPad(string autoPad) =>
        AssertMatchesOnnxRuntime(OpModels.Unary("MaxPool", [1, 2, 7, 6], 11, a => a.Ints("kernel_shape", 2, 3).Ints("strides", 2, 2).String("auto_pad", autoPad)));

    [TestMethod]
    [DataRow("MaxPool")]
    [DataRow("AveragePool")]
    public void Pool1d(string op) =>
        AssertMatchesOnnxRuntime(OpModels.Unary(op, [2, 3, 10], 13, a => a.Ints("kernel_shape", 3).Ints("strides", 2).Ints("pads", 1, 1)));

    [TestMethod]
    [DataRow("GlobalAveragePool", 4)]
    [DataRow("GlobalMaxPool", 4)]
    [DataRow("GlobalAveragePool", 3)]
    [DataRow("GlobalMaxPool", 5)]
    public void GlobalPool(string op, int rank)
    {
        long[] shape = rank switch { 3 => [2, 3, 7], 4 => [2, 3, 5, 4], _ => [1, 2, 3, 4, 2] };
        AssertMatchesOnnxRuntime(OpModels.Unary(op, shape));
    }

    /// <summary>Dilated pools (MNN's Pooling has none) are written as gathers of the padded input.</summary>
    [TestMethod]
    [DataRow("MaxPool", 0L, 0L)]
    [DataRow("MaxPool", 0L, 1L)]
    [DataRow("AveragePool", 0L, 0L)]
    [DataRow("AveragePool", 1L, 0L)]
    [DataRow("AveragePool", 0L, 1L)]
    [DataRow("AveragePool", 1L, 1L)]
    public void Pool2dDilated(string op, long countIncludePad, long ceil)
    {
        var result = AssertMatchesOnnxRuntime(OpModels.Unary(op, [2, 3, 9, 10], 19, a =>
        {
            a.Ints("kernel_shape", 3, 2).Ints("strides", 2, 3).Ints("dilations", 2, 3).Ints("pads", 1, 1, 2, 1).Int("ceil_mode", ceil);
            if (op == "AveragePool")
            {
                a.Int("count_include_pad", countIncludePad);
            }
        }));
        Assert.IsFalse(result.Net.Oplists.Any(o => o.Type == OpType.Pooling), Describe(result));
    }

    /// <summary>
    /// VALID only: with SAME_* and dilations, ONNX Runtime sizes the padding without the dilation (8×7 input, kernel
    /// 2×3, dilations 3×2, strides 2×1 gives 3×5 there, 4×7 by the ONNX reference, which we follow).
    /// </summary>
    [TestMethod]
    [DataRow("MaxPool")]
    [DataRow("AveragePool")]
    public void Pool2dDilatedValid(string op) =>
        AssertMatchesOnnxRuntime(OpModels.Unary(op, [1, 2, 8, 7], 19, a => a.Ints("kernel_shape", 2, 3).Ints("strides", 2, 1).Ints("dilations", 3, 2).String("auto_pad", "VALID")));

    [TestMethod]
    [DataRow("MaxPool")]
    [DataRow("AveragePool")]
    public void Pool1dDilated(string op) =>
        AssertMatchesOnnxRuntime(OpModels.Unary(op, [2, 3, 17], 19, a => a.Ints("kernel_shape", 3).Ints("strides", 2).Ints("dilations", 4).Ints("pads", 2, 1)));

    [TestMethod]
    public void DilatedPoolWithUnknownShapeIsMB3005()
    {
        var model = new Infrastructure.OnnxModelBuilder(19).Input("x", ModelBuild.Converter.Graph.DataType.Float, 1, 2, "h", 8)
            .Node("MaxPool", ["x"], ["y"], attrs: a => a.Ints("kernel_shape", 2, 2).Ints("dilations", 2, 2))
            .Output("y", ModelBuild.Converter.Graph.DataType.Float).Build();
        var e = Infrastructure.AssertCode.Throws("MB3005", () => Conversion.ModelConverter.Convert(SaveModel(model), new Conversion.ConversionOptions()));
        StringAssert.Contains(e.Message, "--input-shape");
    }

    /// <summary>8-bit MaxPool runs on a float copy (MNN's pooling is float-only) and is cast back: exact.</summary>
    [TestMethod]
    [DataRow(ModelBuild.Converter.Graph.DataType.UInt8)]
    [DataRow(ModelBuild.Converter.Graph.DataType.Int8)]
    public void MaxPoolOfBytes(ModelBuild.Converter.Graph.DataType type)
    {
        var model = new Infrastructure.OnnxModelBuilder(12).Input("x", type, 1, 2, 5, 6)
            .Node("MaxPool", ["x"], ["y"], attrs: a => a.Ints("kernel_shape", 2, 3).Ints("strides", 1, 2).Ints("pads", 1, 1, 0, 1))
            .Output("y", type).Build();
        var values = Enumerable.Range(0, 60).Select(i => (long)((i * 37 % 101) - (type == ModelBuild.Converter.Graph.DataType.Int8 ? 50 : 0))).ToArray();
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput> { ["x"] = (values, new long[] { 1, 2, 5, 6 }) });
    }
}
