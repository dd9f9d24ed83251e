using ModelBuild.Runtime.Format.Schema;
using ModelBuild.Runtime.Kernels;
using static ModelBuild.Runtime.Tests.Engine.TestRun;

namespace ModelBuild.Runtime.Tests.Engine;

/// <summary>
/// Sessions with <see cref="SessionPrecision.EmulatedFp16"/>: inputs, constants, weights and every op output are fp16
/// values, convolutions accumulate in fp16 (the HalfConv chain), the model itself is left unchanged, and the results
/// are the same bits at every ISA level.
/// </summary>
[TestClass]
public sealed class Fp16EmulationSessionTests
{
    private static float R(float x) => HalfRounding.Round(x);

    private static NetBuilder AddConstant(float c) => new NetBuilder()
        .Input("x", [1, 4])
        .Const("c", [c], 1)
        .Op(OpType.BinaryOp, OpParameterUnion.FromBinaryOp(new BinaryOpT { OpType = BinaryOpOperation.ADD, T = DataType.DT_FLOAT }), ["x", "c"], ["y"])
        .Output("y");

    [TestMethod]
    public void InputsConstantsAndOutputsAreRoundedToHalf()
    {
        float[] x = [1.0001f, 3.14159f, -70000f, 1e-9f];
        const float c = 1e-4f;
        var model = AddConstant(c).Model();
        using var emulated = new MnnSession(model, new MnnSessionOptions { Precision = SessionPrecision.EmulatedFp16 });
        var y = emulated.Run(Inputs(("x", Floats(x, 1, 4))))["y"].Floats.ToArray();
        CollectionAssert.AreEqual(x.Select(v => R(R(v) + R(c))).ToArray(), y);
        Assert.AreEqual(float.NegativeInfinity, y[2], "-70000 is past fp16's range");

        // the model is shared and unchanged: a float session still computes in float
        using var plain = new MnnSession(model);
        CollectionAssert.AreEqual(x.Select(v => v + c).ToArray(), plain.Run(Inputs(("x", Floats(x, 1, 4))))["y"].Floats.ToArray());
    }

    private static NetBuilder Conv(int c, int oc, int group, float[] weight, float[] bias) => new NetBuilder()
        .Input("x", [1, c, 9, 10])
        .Op(OpType.Convolution, OpParameterUnion.FromConvolution2D(new Convolution2DT
        {
            Common = new Convolution2DCommonT { KernelX = 3, KernelY = 3, PadX = 1, PadY = 1, StrideX = 1, StrideY = 1, DilateX = 1, DilateY = 1, InputCount = c, OutputCount = oc, Group = group, Relu = true, Pads = [1, 1, 1, 1] },
            Weight = [.. weight],
            Bias = [.. bias],
        }), ["x"], ["y"])
        .Output("y");

    [TestMethod]
    public void ConvolutionAccumulatesInHalfAtEveryIsaLevel()
    {
        const int c = 6, oc = 4, group = 2;
        float[] w = Kernels.KernelTestUtil.Random(oc * (c / group) * 9, 21, -0.5f, 0.5f);
        float[] b = Kernels.KernelTestUtil.Random(oc, 22);
        float[] x = Kernels.KernelTestUtil.Random(c * 90, 23, -4, 4);
        var model = Conv(c, oc, group, w, b).Model();

        // expected: the kernel on rounded operands (the session rounds its copy of the weights and its input)
        float[] rw = [.. w.Select(R)], rb = [.. b.Select(R)], rx = [.. x.Select(R)];
        var p = new Conv2DParams { C = c, H = 9, W = 10, OC = oc, KH = 3, KW = 3, PadTop = 1, PadLeft = 1, PadBottom = 1, PadRight = 1, Group = group, Activation = ModelBuild.Runtime.Kernels.FusedActivation.Relu };
        var expected = new float[oc * 90];
        HalfConv.Conv2D(IsaLevel.Scalar, p, rx, rw, rb, expected, 1);

        foreach (var isa in new[] { IsaLevel.Scalar, IsaLevel.V128, IsaLevel.V256, IsaLevel.V512 })
        {
            using var s = new MnnSession(model, new MnnSessionOptions { Precision = SessionPrecision.EmulatedFp16, Isa = isa, Threads = 2 });
            Kernels.KernelTestUtil.AssertBitEqual(expected, s.Run(Inputs(("x", Floats(x, 1, c, 9, 10))))["y"].Floats, $"emulated conv at {isa}");
        }

        // and it differs from float32 by fp16 rounding, not more
        using var plain = new MnnSession(model);
        var f = plain.Run(Inputs(("x", Floats(x, 1, c, 9, 10))))["y"].Floats.ToArray();
        double peak = f.Max(v => Math.Abs(v)), err = f.Zip(expected, (a, e) => Math.Abs(a - e)).Max();
        Assert.IsTrue(err > 0 && err / peak < 1e-2, $"fp16 emulation vs float32: relative error {err / peak}");
    }
}
