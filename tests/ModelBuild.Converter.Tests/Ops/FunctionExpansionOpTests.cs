using ModelBuild.Converter.Conversion;
using ModelBuild.Converter.Tests.Infrastructure;
using IrDataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Converter.Tests.Ops;

/// <summary>Function ops written as their ONNX definitions' primitive ops (Graph/Passes/FunctionExpansion), and InstanceNormalization with run-time affine inputs.</summary>
[TestClass]
public sealed class FunctionExpansionOpTests : OpTestBase
{
    [TestMethod]
    public void Mish() => Check(18, "Mish", -20f, 20f);

    [TestMethod]
    [DataRow(1f)]
    [DataRow(-0.25f)]
    public void ThresholdedRelu(float alpha) => Check(10, "ThresholdedRelu", -3f, 3f, a => a.Float("alpha", alpha));

    [TestMethod]
    [DataRow(0.5f, 0f)]
    [DataRow(1.5f, 1.5f)]
    public void Shrink(float lambd, float bias) => Check(9, "Shrink", -3f, 3f, a => a.Float("lambd", lambd).Float("bias", bias));

    [TestMethod]
    [DataRow(13, null)]
    [DataRow(18, new long[] { 1, 3 })]
    public void MeanVarianceNormalization(int opset, long[]? axes)
    {
        var model = new OnnxModelBuilder(opset)
            .Input("x", IrDataType.Float, 2, 3, 4, 5)
            .Node("MeanVarianceNormalization", ["x"], ["y"], attrs: a => { if (axes is not null) { a.Ints("axes", axes); } })
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model);
    }

    [TestMethod]
    public void RoundHalvesToEven()
    {
        // Ties of both parities and signs, values near and beyond 2^23 (where every float is integral), ±inf.
        float[] x =
        [
            0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f, 0.49999997f, 1.4999999f, -3.7f, 4.2f,
            8388607.5f, 8388606.5f, -8388607.5f, 8388608f, 8388609f, 16777218f, -16777218f, 1e30f,
            float.PositiveInfinity, float.NegativeInfinity, 0f, 123456.5f, 123457.5f, -0.4f,
        ];
        var model = new OnnxModelBuilder(11)
            .Input("x", IrDataType.Float, x.Length)
            .Node("Round", ["x"], ["y"])
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput> { ["x"] = (x, new long[] { x.Length }) });
    }

    [TestMethod]
    [DataRow(21, 3L, DisplayName = "per channel (21)")]
    [DataRow(18, 3L, DisplayName = "per group (18)")]
    [DataRow(21, 1L, DisplayName = "one group")]
    public void GroupNormalization(int opset, long groups)
    {
        var affine = opset >= 21 ? 6 : (int)groups;
        var model = new OnnxModelBuilder(opset)
            .Input("x", IrDataType.Float, 2, 6, 4, 5)
            .Initializer("s", TestTensors.Random(3, [(long)affine], 0.5f, 1.5f), affine)
            .Initializer("b", TestTensors.Random(4, [(long)affine]), affine)
            .Node("GroupNormalization", ["x", "s", "b"], ["y"], attrs: a => a.Int("num_groups", groups).Float("epsilon", 1e-3f))
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model);
    }

    [TestMethod]
    [DataRow(2L, "NOTSET")]
    [DataRow(1L, "SAME_LOWER")]
    [DataRow(3L, "NOTSET")]
    public void LpPool(long p, string autoPad)
    {
        var model = new OnnxModelBuilder(18)
            .Input("x", IrDataType.Float, 1, 3, 7, 6)
            .Node("LpPool", ["x"], ["y"], attrs: a =>
            {
                a.Int("p", p).Ints("kernel_shape", 3, 2).Ints("strides", 2, 1).String("auto_pad", autoPad);
                if (autoPad == "NOTSET")
                {
                    a.Ints("pads", 1, 0, 1, 1);
                }
            })
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model);
    }

    [TestMethod]
    [DataRow(2L)]
    [DataRow(3L)]
    public void GlobalLpPool(long p)
    {
        var model = new OnnxModelBuilder(13)
            .Input("x", IrDataType.Float, 2, 3, 4, 5)
            .Node("GlobalLpPool", ["x"], ["y"], attrs: a => a.Int("p", p))
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model);
    }

    [TestMethod]
    public void InstanceNormalizationWithRunTimeScaleAndBias()
    {
        var model = new OnnxModelBuilder(13)
            .Input("x", IrDataType.Float, 2, 3, 4, 5).Input("s", IrDataType.Float, 3).Input("b", IrDataType.Float, 3)
            .Node("InstanceNormalization", ["x", "s", "b"], ["y"], attrs: a => a.Float("epsilon", 1e-2f))
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model);
    }

    [TestMethod]
    [DataRow(0L, null)]
    [DataRow(2L, 1L)]
    [DataRow(-1L, 7L)]
    public void EyeLike(long k, long? dtype)
    {
        var model = new OnnxModelBuilder(9)
            .Input("x", IrDataType.Float, 3, 5)
            .Node("EyeLike", ["x"], ["y"], attrs: a => { a.Int("k", k); if (dtype is { } t) { a.Int("dtype", t); } })
            .Output("y", dtype == 7 ? IrDataType.Int64 : IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model);
    }

    [TestMethod]
    public void IntegerInputIsRefusedWithItsType()
    {
        var model = new OnnxModelBuilder(11)
            .Input("x", IrDataType.Int32, 4)
            .Node("Shrink", ["x"], ["y"])
            .Output("y", IrDataType.Int32).Build();
        var e = Assert.ThrowsExactly<ModelBuildException>(() => ModelConverter.Convert(SaveModel(model)));
        Assert.AreEqual(ErrorCodes.UnsupportedAttribute, e.Code);
        StringAssert.Contains(e.Message, "Int32 input");
    }

    /// <summary>One op on a [3, 17] input of seeded random values in [lo, hi).</summary>
    private static void Check(int opset, string op, float lo, float hi, Action<AttributeBuilder>? attrs = null, [System.Runtime.CompilerServices.CallerMemberName] string test = "")
    {
        var model = new OnnxModelBuilder(opset)
            .Input("x", IrDataType.Float, 3, 17)
            .Node(op, ["x"], ["y"], attrs: attrs)
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput> { ["x"] = (TestTensors.Random(7, [3L, 17], lo, hi), new long[] { 3, 17 }) }, test: test);
    }
}
