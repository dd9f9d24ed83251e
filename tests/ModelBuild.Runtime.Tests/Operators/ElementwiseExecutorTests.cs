using ModelBuild.Runtime.Format.Schema;
using static ModelBuild.Runtime.Tests.Operators.OpHarness;

namespace ModelBuild.Runtime.Tests.Operators;

[TestClass]
internal sealed class BinaryOpExecutorTests
{
    private static OpT Binary(BinaryOpOperation op, int activation = 0) =>
        Op(OpType.BinaryOp, new BinaryOpT { OpType = op, T = DataType.DT_FLOAT, ActivationType = activation });

    /// <summary>Numpy broadcasting reference: applies f to every output position.</summary>
    private static (int[] Shape, double[] Values) Broadcast(float[] a, int[] sa, float[] b, int[] sb, Func<double, double, double> f)
    {
        int rank = Math.Max(sa.Length, sb.Length);
        int[] pa = [.. Enumerable.Repeat(1, rank - sa.Length), .. sa];
        int[] pb = [.. Enumerable.Repeat(1, rank - sb.Length), .. sb];
        var so = pa.Zip(pb, Math.Max).ToArray();
        var y = new double[Count(so)];
        for (int i = 0; i < y.Length; i++)
        {
            int rest = i, ia = 0, ib = 0, stA = 1, stB = 1;
            for (int d = rank - 1; d >= 0; d--)
            {
                int idx = rest % so[d];
                rest /= so[d];
                ia += (pa[d] == 1 ? 0 : idx) * stA;
                ib += (pb[d] == 1 ? 0 : idx) * stB;
                stA *= pa[d];
                stB *= pb[d];
            }

            y[i] = f(a[ia], b[ib]);
        }

        return (so, y);
    }

    public static IEnumerable<object[]> FloatCases()
    {
        int[][][] shapes =
        [
            [[2, 3, 4, 5], [2, 3, 4, 5]],
            [[2, 3, 4, 5], [1]],
            [[1], [2, 3, 4]],
            [[2, 3, 1, 5], [3, 4, 1]],
            [[4, 1], [1, 6]],
            [[2, 1, 4], [2, 3, 1]],
        ];
        foreach (var op in new[] { BinaryOpOperation.ADD, BinaryOpOperation.SUB, BinaryOpOperation.MUL, BinaryOpOperation.REALDIV, BinaryOpOperation.DIV,
                     BinaryOpOperation.MAXIMUM, BinaryOpOperation.MINIMUM, BinaryOpOperation.SquaredDifference, BinaryOpOperation.POW,
                     BinaryOpOperation.FLOORDIV, BinaryOpOperation.FLOORMOD, BinaryOpOperation.MOD, BinaryOpOperation.ATAN2 })
        {
            for (int s = 0; s < shapes.Length; s++)
            {
                yield return [op, shapes[s][0], shapes[s][1]];
            }
        }
    }

    private static double Reference(BinaryOpOperation op, double x, double y) => op switch
    {
        BinaryOpOperation.ADD => x + y,
        BinaryOpOperation.SUB => x - y,
        BinaryOpOperation.MUL => x * y,
        BinaryOpOperation.REALDIV or BinaryOpOperation.DIV => x / y,
        BinaryOpOperation.MAXIMUM => Math.Max(x, y),
        BinaryOpOperation.MINIMUM => Math.Min(x, y),
        BinaryOpOperation.SquaredDifference => (x - y) * (x - y),
        BinaryOpOperation.POW => Math.Pow(x, y),
        BinaryOpOperation.FLOORDIV => Math.Floor(x / y),
        BinaryOpOperation.FLOORMOD => x - Math.Floor(x / y) * y,
        BinaryOpOperation.MOD => x % y, // C fmod
        BinaryOpOperation.ATAN2 => Math.Atan2(x, y),
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    [TestMethod]
    [DynamicData(nameof(FloatCases))]
    public void FloatOpsBroadcastLikeNumpy(BinaryOpOperation op, int[] sa, int[] sb)
    {
        bool positiveBase = op == BinaryOpOperation.POW;
        var a = Random(Count(sa), 41, positiveBase ? 0.1f : -3f, 3f);
        var b = Random(Count(sb), 42, positiveBase ? -2f : 0.5f, 2.5f);
        if (op is BinaryOpOperation.REALDIV or BinaryOpOperation.FLOORMOD or BinaryOpOperation.MOD or BinaryOpOperation.FLOORDIV)
        {
            // Mix signs of the divisor too.
            for (int i = 0; i < b.Length; i += 2)
            {
                b[i] = -b[i];
            }
        }

        var (shape, expected) = Broadcast(a, sa, b, sb, (x, y) => Reference(op, x, y));
        var got = Run(Binary(op), Tensor.FromFloats(a, sa), Tensor.FromFloats(b, sb));
        // Floor-type ops may flip by one step at exact boundaries in float; the data avoids those.
        AssertClose(got, shape, expected, abs: 2e-5, rel: 2e-5, what: op.ToString());
    }

    [TestMethod]
    public void PowOfNegativeBaseWithIntegerExponent()
    {
        var got = Run(Binary(BinaryOpOperation.POW), Tensor.FromFloats([-2f, -2f, -3f, 4f, 0f], 5), Tensor.FromFloats([2f, 3f, 0.5f, -0.5f, 0f], 5));
        AssertClose(got, [5], [4, -8, double.NaN, 0.5, 1]);
    }

    [TestMethod]
    public void ModSemanticsFollowUpstream()
    {
        float[] a = [5.5f, -5.5f, 5.5f, -5.5f];
        float[] b = [2f, 2f, -2f, -2f];
        // MOD on float is C fmod (sign of dividend); FLOORMOD has the sign of the divisor.
        AssertClose(Run(Binary(BinaryOpOperation.MOD), Tensor.FromFloats(a, 4), Tensor.FromFloats(b, 4)), [4], [1.5, -1.5, 1.5, -1.5]);
        AssertClose(Run(Binary(BinaryOpOperation.FLOORMOD), Tensor.FromFloats(a, 4), Tensor.FromFloats(b, 4)), [4], [1.5, 0.5, -0.5, -1.5]);
        // Int MOD (ONNX Mod fmod=0): sign of the divisor. Int FLOORMOD is upstream's x - floor(x / y) * y in integer
        // arithmetic: the truncated remainder (sign of the dividend, ONNX Mod fmod=1). Int division truncates; x/0 gives 0.
        int[] ia = [7, -7, 7, -7, 7];
        int[] ib = [3, 3, -3, -3, 0];
        AssertInts(Run(Binary(BinaryOpOperation.MOD), Tensor.FromInts(ia, 5), Tensor.FromInts(ib, 5)), [5], [1, 2, -2, -1, 0]);
        AssertInts(Run(Binary(BinaryOpOperation.FLOORMOD), Tensor.FromInts(ia, 5), Tensor.FromInts(ib, 5)), [5], [1, -1, 1, -1, 0]);
        AssertInts(Run(Binary(BinaryOpOperation.REALDIV), Tensor.FromInts(ia, 5), Tensor.FromInts(ib, 5)), [5], [2, -2, -2, 2, 0]);
        AssertInts(Run(Binary(BinaryOpOperation.FLOORDIV), Tensor.FromInts(ia, 5), Tensor.FromInts(ib, 5)), [5], [2, -3, -3, 2, 0]);
    }

    [TestMethod]
    public void IntArithmeticAndBitOps()
    {
        int[] a = [1, -2, 3, 40, 5, 6];
        int[] b = [2, 3];
        var ta = Tensor.FromInts(a, 3, 2);
        var tb = Tensor.FromInts(b, 2);
        AssertInts(Run(Binary(BinaryOpOperation.ADD), ta, tb), [3, 2], [3, 1, 5, 43, 7, 9]);
        AssertInts(Run(Binary(BinaryOpOperation.MUL), ta, tb), [3, 2], [2, -6, 6, 120, 10, 18]);
        AssertInts(Run(Binary(BinaryOpOperation.POW), ta, tb), [3, 2], [1, -8, 9, 64000, 25, 216]);
        AssertInts(Run(Binary(BinaryOpOperation.MAXIMUM), ta, tb), [3, 2], [2, 3, 3, 40, 5, 6]);
        AssertInts(Run(Binary(BinaryOpOperation.BITWISE_AND), ta, tb), [3, 2], [0, 2, 2, 0, 0, 2]);
        AssertInts(Run(Binary(BinaryOpOperation.LEFTSHIFT), ta, tb), [3, 2], [4, -16, 12, 320, 20, 48]);
    }

    [TestMethod]
    public void ComparisonsProduceInt32()
    {
        float[] a = [1f, 2f, 3f, float.NaN];
        float[] b = [2f];
        var ta = Tensor.FromFloats(a, 4);
        var tb = Tensor.FromFloats(b, 1);
        AssertInts(Run(Binary(BinaryOpOperation.GREATER), ta, tb), [4], [0, 0, 1, 0]);
        AssertInts(Run(Binary(BinaryOpOperation.GREATER_EQUAL), ta, tb), [4], [0, 1, 1, 0]);
        AssertInts(Run(Binary(BinaryOpOperation.LESS), ta, tb), [4], [1, 0, 0, 0]);
        AssertInts(Run(Binary(BinaryOpOperation.LESS_EQUAL), ta, tb), [4], [1, 1, 0, 0]);
        AssertInts(Run(Binary(BinaryOpOperation.EQUAL), ta, tb), [4], [0, 1, 0, 0]);
        AssertInts(Run(Binary(BinaryOpOperation.NOTEQUAL), ta, tb), [4], [1, 0, 1, 1]);
        AssertInts(Run(Binary(BinaryOpOperation.LOGICALOR), Tensor.FromFloats([0f, 0f, 1f], 3), Tensor.FromFloats([0f, 2f, 0f], 3)), [3], [0, 1, 1]);
        AssertInts(Run(Binary(BinaryOpOperation.LESS), Tensor.FromInts([1, 5, 3], 3), Tensor.FromInts([3], 1)), [3], [1, 0, 0]);
    }

    [TestMethod]
    public void ReluActivationAndErrors()
    {
        var got = Run(Binary(BinaryOpOperation.SUB, activation: 1), Tensor.FromFloats([1f, 5f], 2), Tensor.FromFloats([3f], 1));
        AssertClose(got, [2], [0, 2]);
        Assert.ThrowsExactly<ModelBuildException>(() => Run(Binary(BinaryOpOperation.ADD), RandomTensor(1, 2, 3), RandomTensor(1, 4)));
        Assert.ThrowsExactly<ModelBuildException>(() => Run(Binary(BinaryOpOperation.ADD), RandomTensor(1, 2), Tensor.FromInts([1, 2], 2)));
    }
}

[TestClass]
public sealed class EltwiseExecutorTests
{
    [TestMethod]
    public void SumWithCoefficientsProdMaxSub()
    {
        var a = Random(24, 51);
        var b = Random(24, 52);
        var c = Random(24, 53);
        Tensor T(float[] v) => Tensor.FromFloats(v, 2, 3, 4);
        double[] Ref(Func<int, double> f) => Enumerable.Range(0, 24).Select(f).ToArray();
        AssertClose(Run(Op(OpType.Eltwise, new EltwiseT { Type = EltwiseType.SUM, Coeff = [0.5f, -2f, 3f] }), T(a), T(b), T(c)), [2, 3, 4], Ref(i => 0.5 * a[i] - 2.0 * b[i] + 3.0 * c[i]));
        AssertClose(Run(Op(OpType.Eltwise, new EltwiseT { Type = EltwiseType.SUM }), T(a), T(b)), [2, 3, 4], Ref(i => (double)a[i] + b[i]));
        AssertClose(Run(Op(OpType.Eltwise, new EltwiseT { Type = EltwiseType.PROD }), T(a), T(b), T(c)), [2, 3, 4], Ref(i => (double)a[i] * b[i] * c[i]));
        AssertClose(Run(Op(OpType.Eltwise, new EltwiseT { Type = EltwiseType.MAXIMUM }), T(a), T(b), T(c)), [2, 3, 4], Ref(i => Math.Max(a[i], Math.Max(b[i], c[i]))));
        AssertClose(Run(Op(OpType.Eltwise, new EltwiseT { Type = EltwiseType.SUB }), T(a), T(b)), [2, 3, 4], Ref(i => (double)a[i] - b[i]));
    }
}
