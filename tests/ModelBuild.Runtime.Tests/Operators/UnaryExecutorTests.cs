using ModelBuild.Runtime.Format.Schema;
using static ModelBuild.Runtime.Tests.Operators.OpHarness;

namespace ModelBuild.Runtime.Tests.Operators;

[TestClass]
internal sealed class UnaryExecutorTests
{
    private static double Erf(double x)
    {
        // Abramowitz–Stegun 7.1.26 is too coarse; integrate exp(−t²) with composite Simpson instead.
        int n = 2000;
        double h = x / n, s = 0;
        for (int i = 0; i <= n; i++)
        {
            double t = i * h;
            double f = Math.Exp(-t * t);
            s += (i == 0 || i == n ? 1 : i % 2 == 1 ? 4 : 2) * f;
        }

        return s * h / 3 * 2 / Math.Sqrt(Math.PI);
    }

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    public static IEnumerable<object[]> Cases() =>
        Enum.GetValues<UnaryOpOperation>().Where(o => o != UnaryOpOperation.ERFINV).Select(o => new object[] { o });

    private static (float Lo, float Hi) Domain(UnaryOpOperation op) => op switch
    {
        UnaryOpOperation.SQRT or UnaryOpOperation.RSQRT or UnaryOpOperation.LOG => (0.05f, 4f),
        UnaryOpOperation.ASIN or UnaryOpOperation.ACOS or UnaryOpOperation.ATANH => (-0.95f, 0.95f),
        UnaryOpOperation.ACOSH => (1.05f, 4f),
        UnaryOpOperation.LOG1P => (-0.9f, 4f),
        UnaryOpOperation.RECIPROCAL => (0.2f, 3f),
        UnaryOpOperation.TAN => (-1.3f, 1.3f),
        _ => (-4f, 4f),
    };

    private static double Reference(UnaryOpOperation op, double x) => op switch
    {
        UnaryOpOperation.ABS => Math.Abs(x),
        UnaryOpOperation.NEG => -x,
        UnaryOpOperation.FLOOR => Math.Floor(x),
        UnaryOpOperation.CEIL => Math.Ceiling(x),
        UnaryOpOperation.SQUARE => x * x,
        UnaryOpOperation.SQRT => Math.Sqrt(x),
        UnaryOpOperation.RSQRT => 1 / Math.Sqrt(x),
        UnaryOpOperation.EXP => Math.Exp(x),
        UnaryOpOperation.LOG => Math.Log(x),
        UnaryOpOperation.SIN => Math.Sin(x),
        UnaryOpOperation.COS => Math.Cos(x),
        UnaryOpOperation.TAN => Math.Tan(x),
        UnaryOpOperation.ASIN => Math.Asin(x),
        UnaryOpOperation.ACOS => Math.Acos(x),
        UnaryOpOperation.ATAN => Math.Atan(x),
        UnaryOpOperation.RECIPROCAL => 1 / x,
        UnaryOpOperation.LOG1P => Math.Log(1 + x),
        UnaryOpOperation.BNLL => Math.Log(1 + Math.Exp(x)),
        UnaryOpOperation.ACOSH => Math.Acosh(x),
        UnaryOpOperation.SINH => Math.Sinh(x),
        UnaryOpOperation.ASINH => Math.Asinh(x),
        UnaryOpOperation.ATANH => Math.Atanh(x),
        UnaryOpOperation.SIGN => Math.Sign(x),
        UnaryOpOperation.ROUND => Math.Round(x, MidpointRounding.AwayFromZero),
        UnaryOpOperation.COSH => Math.Cosh(x),
        UnaryOpOperation.ERF => Erf(x),
        UnaryOpOperation.ERFC => 1 - Erf(x),
        UnaryOpOperation.EXPM1 => Math.Exp(x) - 1,
        UnaryOpOperation.SIGMOID => Sigmoid(x),
        UnaryOpOperation.TANH => Math.Tanh(x),
        UnaryOpOperation.HARDSWISH => x * Math.Clamp(x + 3, 0, 6) / 6,
        UnaryOpOperation.GELU => 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x))),
        UnaryOpOperation.GELU_STANDARD => 0.5 * x * (1 + Erf(x / Math.Sqrt(2))),
        UnaryOpOperation.SILU => x * Sigmoid(x),
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void FloatMatchesReference(UnaryOpOperation op)
    {
        var (lo, hi) = Domain(op);
        var x = Random(3 * 67, 61, lo, hi);
        if (op == UnaryOpOperation.ROUND)
        {
            x[0] = 2.5f;
            x[1] = -2.5f;
            x[2] = 0.5f;
        }

        var got = Run(Op(OpType.UnaryOp, new UnaryOpT { OpType = op, T = DataType.DT_FLOAT }), Tensor.FromFloats(x, 3, 67));
        AssertClose(got, [3, 67], x.Select(v => Reference(op, v)).ToArray(), abs: 2e-6, rel: 2e-5, what: op.ToString());
    }

    [TestMethod]
    public void ErfInvInvertsErf()
    {
        var x = Random(100, 62, -0.99f, 0.99f);
        var got = Run(Op(OpType.UnaryOp, new UnaryOpT { OpType = UnaryOpOperation.ERFINV }), Tensor.FromFloats(x, 100));
        var y = got.Floats.ToArray();
        for (int i = 0; i < x.Length; i++)
        {
            Assert.AreEqual(x[i], Erf(y[i]), 2e-6, $"erf(erfinv({x[i]}))");
        }
    }

    [TestMethod]
    public void IntOpsAndUnsupportedIntOp()
    {
        var t = Tensor.FromInts([-3, 0, 4], 3);
        AssertInts(Run(Op(OpType.UnaryOp, new UnaryOpT { OpType = UnaryOpOperation.ABS }), t), [3], [3, 0, 4]);
        AssertInts(Run(Op(OpType.UnaryOp, new UnaryOpT { OpType = UnaryOpOperation.NEG }), t), [3], [3, 0, -4]);
        AssertInts(Run(Op(OpType.UnaryOp, new UnaryOpT { OpType = UnaryOpOperation.SQUARE }), t), [3], [9, 0, 16]);
        AssertInts(Run(Op(OpType.UnaryOp, new UnaryOpT { OpType = UnaryOpOperation.SIGN }), t), [3], [-1, 0, 1]);
        var e = Assert.ThrowsExactly<ModelBuildException>(() => Run(Op(OpType.UnaryOp, new UnaryOpT { OpType = UnaryOpOperation.EXP }), t));
        Assert.AreEqual(ErrorCodes.RuntimeTypeMismatch, e.Code);
    }
}

[TestClass]
public sealed class ActivationExecutorTests
{
    private static readonly float[] X = Random(2 * 3 * 4 * 5, 71, -5f, 5f);

    private static void Check(OpT op, Func<double, double> f) =>
        AssertClose(Run(op, Tensor.FromFloats(X, 2, 3, 4, 5)), [2, 3, 4, 5], X.Select(v => f(v)).ToArray(), abs: 2e-6, rel: 2e-5, what: op.Type.ToString());

    [TestMethod]
    public void ReluLeakyClipEluSeluSigmoidTanh()
    {
        Check(Op(OpType.ReLU, new ReluT { Slope = 0f }), x => Math.Max(x, 0));
        Check(Op(OpType.ReLU, new ReluT { Slope = 0.1f }), x => x < 0 ? 0.1f * x : x);
        Check(Op(OpType.ReLU6, new Relu6T { MinValue = -0.5f, MaxValue = 2f }), x => Math.Clamp(x, -0.5, 2));
        Check(Op(OpType.ReLU6, new Relu6T()), x => Math.Clamp(x, 0, 6));
        Check(Op(OpType.ELU, new ELUT { Alpha = 2f }), x => x > 0 ? x : 2 * (Math.Exp(x) - 1));
        Check(Op(OpType.Selu, new SeluT { Alpha = 1.6732632f, Scale = 1.050701f }), x => 1.050701f * (x > 0 ? x : 1.6732632f * (Math.Exp(x) - 1)));
        Check(Op(OpType.Sigmoid, null), x => 1 / (1 + Math.Exp(-x)));
        Check(Op(OpType.TanH, null), Math.Tanh);
    }

    [TestMethod]
    public void ReluOnInt32()
    {
        AssertInts(Run(Op(OpType.ReLU, new ReluT()), Tensor.FromInts([-2, 3], 2)), [2], [0, 3]);
    }

    [TestMethod]
    public void PreluPerChannelAndShared()
    {
        float[] slopes = [0.1f, -0.5f, 2f];
        var exp = X.Select((v, i) => v < 0 ? v * (double)slopes[i / 20 % 3] : v).ToArray();
        AssertClose(Run(Op(OpType.PReLU, new PReluT { SlopeCount = 3, Slope = [.. slopes] }), Tensor.FromFloats(X, 2, 3, 4, 5)), [2, 3, 4, 5], exp);
        Check(Op(OpType.PReLU, new PReluT { SlopeCount = 1, Slope = [0.25f] }), x => x < 0 ? 0.25 * x : x);
        Assert.ThrowsExactly<ModelBuildException>(() => Run(Op(OpType.PReLU, new PReluT { SlopeCount = 2, Slope = [1f, 2f] }), Tensor.FromFloats(X, 2, 3, 4, 5)));
    }
}
