using System.Runtime.CompilerServices;
using ModelBuild.Runtime.Format.Schema;
using ModelBuild.Runtime.Kernels;

namespace ModelBuild.Runtime.Engine.Operators.Compute;

/// <summary>
/// Element functions of BinaryOp / Eltwise and the broadcast row loop that applies them (scalar; a generic
/// struct per operation so the JIT specializes each loop).
/// </summary>
internal static class BinaryMath
{
    public static bool IsPredicate(BinaryOpOperation op) => op is BinaryOpOperation.GREATER or BinaryOpOperation.GREATER_EQUAL
        or BinaryOpOperation.LESS or BinaryOpOperation.LESS_EQUAL or BinaryOpOperation.EQUAL or BinaryOpOperation.NOTEQUAL
        or BinaryOpOperation.LOGICALOR or BinaryOpOperation.LOGICALXOR;

    public static bool IsIntegerOnly(BinaryOpOperation op) => op is BinaryOpOperation.BITWISE_AND or BinaryOpOperation.BITWISE_OR
        or BinaryOpOperation.BITWISE_XOR or BinaryOpOperation.LEFTSHIFT or BinaryOpOperation.RIGHTSHIFT;

    public static bool IsKnown(BinaryOpOperation op) => op is >= BinaryOpOperation.ADD and <= BinaryOpOperation.FLOORMOD
        or >= BinaryOpOperation.MOD and <= BinaryOpOperation.RIGHTSHIFT;

    /// <summary>The Kernels library's float function for <paramref name="op"/>, or null when only the scalar path has it.</summary>
    public static BinaryFunction? KernelFunction(BinaryOpOperation op) => op switch
    {
        BinaryOpOperation.ADD => BinaryFunction.Add,
        BinaryOpOperation.SUB => BinaryFunction.Sub,
        BinaryOpOperation.MUL => BinaryFunction.Mul,
        BinaryOpOperation.DIV or BinaryOpOperation.REALDIV => BinaryFunction.Div,
        BinaryOpOperation.POW => BinaryFunction.Pow,
        BinaryOpOperation.MIN_TEMP or BinaryOpOperation.MINIMUM => BinaryFunction.Min,
        BinaryOpOperation.MAX_TEMP or BinaryOpOperation.MAXIMUM => BinaryFunction.Max,
        BinaryOpOperation.SquaredDifference => BinaryFunction.SquaredDifference,
        BinaryOpOperation.FLOORMOD => BinaryFunction.Mod,
        BinaryOpOperation.MOD => BinaryFunction.FMod,
        _ => null,
    };

    /// <summary>The Kernels comparison for <paramref name="op"/>, or null for non-comparisons and logical ops.</summary>
    public static CompareOp? KernelCompare(BinaryOpOperation op) => op switch
    {
        BinaryOpOperation.GREATER => CompareOp.Greater,
        BinaryOpOperation.GREATER_EQUAL => CompareOp.GreaterOrEqual,
        BinaryOpOperation.LESS => CompareOp.Less,
        BinaryOpOperation.LESS_EQUAL => CompareOp.LessOrEqual,
        BinaryOpOperation.EQUAL => CompareOp.Equal,
        BinaryOpOperation.NOTEQUAL => CompareOp.NotEqual,
        _ => null,
    };

    public static void Float(BinaryOpOperation op, BroadcastPlan p, float[] a, float[] b, float[] o)
    {
        switch (op)
        {
            case BinaryOpOperation.ADD: Run<FAdd, float, float>(p, a, b, o); break;
            case BinaryOpOperation.SUB: Run<FSub, float, float>(p, a, b, o); break;
            case BinaryOpOperation.MUL: Run<FMul, float, float>(p, a, b, o); break;
            case BinaryOpOperation.DIV or BinaryOpOperation.REALDIV: Run<FDiv, float, float>(p, a, b, o); break;
            case BinaryOpOperation.MAX_TEMP or BinaryOpOperation.MAXIMUM: Run<FMax, float, float>(p, a, b, o); break;
            case BinaryOpOperation.MIN_TEMP or BinaryOpOperation.MINIMUM: Run<FMin, float, float>(p, a, b, o); break;
            case BinaryOpOperation.POW: Run<FPow, float, float>(p, a, b, o); break;
            case BinaryOpOperation.FLOORDIV: Run<FFloorDiv, float, float>(p, a, b, o); break;
            case BinaryOpOperation.SquaredDifference: Run<FSqd, float, float>(p, a, b, o); break;
            case BinaryOpOperation.FLOORMOD: Run<FFloorMod, float, float>(p, a, b, o); break;
            case BinaryOpOperation.MOD: Run<FMod, float, float>(p, a, b, o); break;
            case BinaryOpOperation.ATAN2: Run<FAtan2, float, float>(p, a, b, o); break;
            default: throw new ModelBuildException(ErrorCodes.UnsupportedMnnOperator, $"BinaryOp {op} is not supported on float32");
        }
    }

    public static void FloatPredicate(BinaryOpOperation op, BroadcastPlan p, float[] a, float[] b, int[] o)
    {
        switch (op)
        {
            case BinaryOpOperation.GREATER: Run<FGt, float, int>(p, a, b, o); break;
            case BinaryOpOperation.GREATER_EQUAL: Run<FGe, float, int>(p, a, b, o); break;
            case BinaryOpOperation.LESS: Run<FLt, float, int>(p, a, b, o); break;
            case BinaryOpOperation.LESS_EQUAL: Run<FLe, float, int>(p, a, b, o); break;
            case BinaryOpOperation.EQUAL: Run<FEq, float, int>(p, a, b, o); break;
            case BinaryOpOperation.NOTEQUAL: Run<FNe, float, int>(p, a, b, o); break;
            case BinaryOpOperation.LOGICALOR: Run<FOr, float, int>(p, a, b, o); break;
            case BinaryOpOperation.LOGICALXOR: Run<FXor, float, int>(p, a, b, o); break;
            default: throw new ModelBuildException(ErrorCodes.UnsupportedMnnOperator, $"BinaryOp {op} is not a predicate");
        }
    }

    public static void Int(BinaryOpOperation op, BroadcastPlan p, int[] a, int[] b, int[] o)
    {
        switch (op)
        {
            case BinaryOpOperation.ADD: Run<IAdd, int, int>(p, a, b, o); break;
            case BinaryOpOperation.SUB: Run<ISub, int, int>(p, a, b, o); break;
            case BinaryOpOperation.MUL: Run<IMul, int, int>(p, a, b, o); break;
            case BinaryOpOperation.DIV or BinaryOpOperation.REALDIV: Run<IDiv, int, int>(p, a, b, o); break;
            case BinaryOpOperation.MAX_TEMP or BinaryOpOperation.MAXIMUM: Run<IMax, int, int>(p, a, b, o); break;
            case BinaryOpOperation.MIN_TEMP or BinaryOpOperation.MINIMUM: Run<IMin, int, int>(p, a, b, o); break;
            case BinaryOpOperation.POW: Run<IPow, int, int>(p, a, b, o); break;
            case BinaryOpOperation.FLOORDIV: Run<IFloorDiv, int, int>(p, a, b, o); break;
            case BinaryOpOperation.SquaredDifference: Run<ISqd, int, int>(p, a, b, o); break;
            case BinaryOpOperation.MOD: Run<IFloorMod, int, int>(p, a, b, o); break;
            case BinaryOpOperation.FLOORMOD: Run<ITruncMod, int, int>(p, a, b, o); break;
            case BinaryOpOperation.GREATER: Run<IGt, int, int>(p, a, b, o); break;
            case BinaryOpOperation.GREATER_EQUAL: Run<IGe, int, int>(p, a, b, o); break;
            case BinaryOpOperation.LESS: Run<ILt, int, int>(p, a, b, o); break;
            case BinaryOpOperation.LESS_EQUAL: Run<ILe, int, int>(p, a, b, o); break;
            case BinaryOpOperation.EQUAL: Run<IEq, int, int>(p, a, b, o); break;
            case BinaryOpOperation.NOTEQUAL: Run<INe, int, int>(p, a, b, o); break;
            case BinaryOpOperation.LOGICALOR: Run<IOr, int, int>(p, a, b, o); break;
            case BinaryOpOperation.LOGICALXOR: Run<IXor, int, int>(p, a, b, o); break;
            case BinaryOpOperation.BITWISE_AND: Run<IBitAnd, int, int>(p, a, b, o); break;
            case BinaryOpOperation.BITWISE_OR: Run<IBitOr, int, int>(p, a, b, o); break;
            case BinaryOpOperation.BITWISE_XOR: Run<IBitXor, int, int>(p, a, b, o); break;
            case BinaryOpOperation.LEFTSHIFT: Run<IShl, int, int>(p, a, b, o); break;
            case BinaryOpOperation.RIGHTSHIFT: Run<IShr, int, int>(p, a, b, o); break;
            default: throw new ModelBuildException(ErrorCodes.UnsupportedMnnOperator, $"BinaryOp {op} is not supported on int32");
        }
    }

    public interface IOp<T, TOut>
    {
        static abstract TOut Apply(T x, T y);
    }

    public static void Run<TOp, T, TOut>(BroadcastPlan p, T[] a, T[] b, TOut[] o)
        where TOp : struct, IOp<T, TOut>
    {
        int inner = p.Inner, sa = p.StepA, sb = p.StepB;
        for (int r = 0; r < p.Rows; r++)
        {
            p.RowOffsets(r, out int ia, out int ib);
            int io = r * inner;
            if (sa == 1 && sb == 1)
            {
                var ra = a.AsSpan(ia, inner);
                var rb = b.AsSpan(ib, inner);
                var ro = o.AsSpan(io, inner);
                for (int i = 0; i < ro.Length; i++)
                {
                    ro[i] = TOp.Apply(ra[i], rb[i]);
                }
            }
            else
            {
                for (int i = 0; i < inner; i++, ia += sa, ib += sb)
                {
                    o[io + i] = TOp.Apply(a[ia], b[ib]);
                }
            }
        }
    }

    // Float element functions.
    public struct FAdd : IOp<float, float> { public static float Apply(float x, float y) => x + y; }
    public struct FSub : IOp<float, float> { public static float Apply(float x, float y) => x - y; }
    public struct FMul : IOp<float, float> { public static float Apply(float x, float y) => x * y; }
    public struct FDiv : IOp<float, float> { public static float Apply(float x, float y) => x / y; }
    public struct FMax : IOp<float, float> { public static float Apply(float x, float y) => MathF.Max(x, y); }
    public struct FMin : IOp<float, float> { public static float Apply(float x, float y) => MathF.Min(x, y); }
    public struct FPow : IOp<float, float> { public static float Apply(float x, float y) => MathF.Pow(x, y); }
    public struct FFloorDiv : IOp<float, float> { public static float Apply(float x, float y) => (float)Math.Floor((double)x / y); }
    public struct FSqd : IOp<float, float> { public static float Apply(float x, float y) => (x - y) * (x - y); }
    public struct FFloorMod : IOp<float, float> { public static float Apply(float x, float y) => x - MathF.Floor(x / y) * y; }
    public struct FMod : IOp<float, float> { public static float Apply(float x, float y) => x % y; /* C fmodf: truncated, sign of x */ }
    public struct FAtan2 : IOp<float, float> { public static float Apply(float x, float y) => MathF.Atan2(x, y); }
    public struct FGt : IOp<float, int> { public static int Apply(float x, float y) => x > y ? 1 : 0; }
    public struct FGe : IOp<float, int> { public static int Apply(float x, float y) => x >= y ? 1 : 0; }
    public struct FLt : IOp<float, int> { public static int Apply(float x, float y) => x < y ? 1 : 0; }
    public struct FLe : IOp<float, int> { public static int Apply(float x, float y) => x <= y ? 1 : 0; }
    public struct FEq : IOp<float, int> { public static int Apply(float x, float y) => x == y ? 1 : 0; }
    public struct FNe : IOp<float, int> { public static int Apply(float x, float y) => x != y ? 1 : 0; }
    public struct FOr : IOp<float, int> { public static int Apply(float x, float y) => x != 0f || y != 0f ? 1 : 0; }
    public struct FXor : IOp<float, int> { public static int Apply(float x, float y) => (x != 0f) != (y != 0f) ? 1 : 0; }

    // Int element functions (wrap-around arithmetic; division by zero yields 0 rather than a crash).
    public struct IAdd : IOp<int, int> { public static int Apply(int x, int y) => unchecked(x + y); }
    public struct ISub : IOp<int, int> { public static int Apply(int x, int y) => unchecked(x - y); }
    public struct IMul : IOp<int, int> { public static int Apply(int x, int y) => unchecked(x * y); }
    public struct IDiv : IOp<int, int> { public static int Apply(int x, int y) => y == 0 ? 0 : y == -1 ? unchecked(-x) : x / y; }
    public struct IMax : IOp<int, int> { public static int Apply(int x, int y) => Math.Max(x, y); }
    public struct IMin : IOp<int, int> { public static int Apply(int x, int y) => Math.Min(x, y); }
    public struct IFloorDiv : IOp<int, int> { public static int Apply(int x, int y) => y == 0 ? 0 : (int)Math.Floor((double)x / y); }
    public struct ISqd : IOp<int, int> { public static int Apply(int x, int y) => unchecked((x - y) * (x - y)); }

    public struct IFloorMod : IOp<int, int>
    {
        public static int Apply(int x, int y)
        {
            if (y == 0 || y == -1)
            {
                return 0;
            }

            int r = x % y;
            return (r < 0 && y > 0) || (r > 0 && y < 0) ? r + y : r;
        }
    }

    /// <summary>
    /// Upstream's int FLOORMOD computes x - floor(x / y) * y in integer arithmetic, where x / y already truncates:
    /// a truncated remainder (sign of the dividend). MNNConvert relies on it for ONNX Mod fmod=1 on integers.
    /// </summary>
    public struct ITruncMod : IOp<int, int>
    {
        public static int Apply(int x, int y) => y == 0 || y == -1 ? 0 : x % y;
    }

    public struct IPow : IOp<int, int>
    {
        public static int Apply(int x, int y)
        {
            if (y < 0)
            {
                return x == 1 ? 1 : x == -1 ? ((y & 1) == 0 ? 1 : -1) : 0;
            }

            int result = 1, b = x;
            while (y > 0)
            {
                if ((y & 1) != 0)
                {
                    result = unchecked(result * b);
                }

                b = unchecked(b * b);
                y >>= 1;
            }

            return result;
        }
    }

    public struct IGt : IOp<int, int> { public static int Apply(int x, int y) => x > y ? 1 : 0; }
    public struct IGe : IOp<int, int> { public static int Apply(int x, int y) => x >= y ? 1 : 0; }
    public struct ILt : IOp<int, int> { public static int Apply(int x, int y) => x < y ? 1 : 0; }
    public struct ILe : IOp<int, int> { public static int Apply(int x, int y) => x <= y ? 1 : 0; }
    public struct IEq : IOp<int, int> { public static int Apply(int x, int y) => x == y ? 1 : 0; }
    public struct INe : IOp<int, int> { public static int Apply(int x, int y) => x != y ? 1 : 0; }
    public struct IOr : IOp<int, int> { public static int Apply(int x, int y) => x != 0 || y != 0 ? 1 : 0; }
    public struct IXor : IOp<int, int> { public static int Apply(int x, int y) => (x != 0) != (y != 0) ? 1 : 0; }
    public struct IBitAnd : IOp<int, int> { public static int Apply(int x, int y) => x & y; }
    public struct IBitOr : IOp<int, int> { public static int Apply(int x, int y) => x | y; }
    public struct IBitXor : IOp<int, int> { public static int Apply(int x, int y) => x ^ y; }
    public struct IShl : IOp<int, int> { public static int Apply(int x, int y) => (uint)y < 32 ? x << y : 0; }
    public struct IShr : IOp<int, int> { public static int Apply(int x, int y) => (uint)y < 32 ? x >> y : (x < 0 ? -1 : 0); }
}
