using ModelBuild.Runtime.Format.Schema;
using ModelBuild.Runtime.Kernels;

namespace ModelBuild.Runtime.Engine.Operators.Compute;

/// <summary>
/// Element functions of UnaryOp (upstream CPU semantics: ROUND rounds half away from zero, GELU is the tanh
/// approximation, GELU_STANDARD the erf form, HARDSWISH x·relu6(x+3)/6, BNLL log(1+e^x)). Scalar reference math in
/// .NET's MathF plus our own erf / erfinv (the Kernels library has no transcendental unary kernels yet).
/// </summary>
internal static class UnaryMath
{
    public static bool SupportsFloat(UnaryOpOperation op) => op is >= UnaryOpOperation.ABS and <= UnaryOpOperation.SILU;

    public static bool SupportsInt(UnaryOpOperation op) =>
        op is UnaryOpOperation.ABS or UnaryOpOperation.NEG or UnaryOpOperation.SQUARE or UnaryOpOperation.SIGN;

    /// <summary>The Kernels library's function for <paramref name="op"/>, or null when only the scalar path has it.</summary>
    public static UnaryFunction? KernelFunction(UnaryOpOperation op) => op switch
    {
        UnaryOpOperation.ABS => UnaryFunction.Abs,
        UnaryOpOperation.NEG => UnaryFunction.Neg,
        UnaryOpOperation.FLOOR => UnaryFunction.Floor,
        UnaryOpOperation.CEIL => UnaryFunction.Ceil,
        UnaryOpOperation.SQUARE => UnaryFunction.Square,
        UnaryOpOperation.SQRT => UnaryFunction.Sqrt,
        UnaryOpOperation.RSQRT => UnaryFunction.Rsqrt,
        UnaryOpOperation.EXP => UnaryFunction.Exp,
        UnaryOpOperation.LOG => UnaryFunction.Log,
        UnaryOpOperation.SIN => UnaryFunction.Sin,
        UnaryOpOperation.COS => UnaryFunction.Cos,
        UnaryOpOperation.RECIPROCAL => UnaryFunction.Reciprocal,
        UnaryOpOperation.BNLL => UnaryFunction.Softplus,
        UnaryOpOperation.SIGN => UnaryFunction.Sign,
        UnaryOpOperation.ERF => UnaryFunction.Erf,
        UnaryOpOperation.SIGMOID => UnaryFunction.Sigmoid,
        UnaryOpOperation.TANH => UnaryFunction.Tanh,
        UnaryOpOperation.HARDSWISH => UnaryFunction.HardSwish,
        UnaryOpOperation.GELU => UnaryFunction.GeluTanh,
        UnaryOpOperation.GELU_STANDARD => UnaryFunction.GeluErf,
        UnaryOpOperation.SILU => UnaryFunction.Silu,
        _ => null,
    };

    public static float Apply(UnaryOpOperation op, float x) => op switch
    {
        UnaryOpOperation.ABS => MathF.Abs(x),
        UnaryOpOperation.NEG => -x,
        UnaryOpOperation.FLOOR => MathF.Floor(x),
        UnaryOpOperation.CEIL => MathF.Ceiling(x),
        UnaryOpOperation.SQUARE => x * x,
        UnaryOpOperation.SQRT => MathF.Sqrt(x),
        UnaryOpOperation.RSQRT => 1f / MathF.Sqrt(x),
        UnaryOpOperation.EXP => MathF.Exp(x),
        UnaryOpOperation.LOG => MathF.Log(x),
        UnaryOpOperation.SIN => MathF.Sin(x),
        UnaryOpOperation.COS => MathF.Cos(x),
        UnaryOpOperation.TAN => MathF.Tan(x),
        UnaryOpOperation.ASIN => MathF.Asin(x),
        UnaryOpOperation.ACOS => MathF.Acos(x),
        UnaryOpOperation.ATAN => MathF.Atan(x),
        UnaryOpOperation.RECIPROCAL => 1f / x,
        UnaryOpOperation.LOG1P => (float)Math.Log(1.0 + x),
        UnaryOpOperation.BNLL => x > 0f ? x + (float)Math.Log(1.0 + Math.Exp(-x)) : (float)Math.Log(1.0 + Math.Exp(x)),
        UnaryOpOperation.ACOSH => MathF.Acosh(x),
        UnaryOpOperation.SINH => MathF.Sinh(x),
        UnaryOpOperation.ASINH => MathF.Asinh(x),
        UnaryOpOperation.ATANH => MathF.Atanh(x),
        UnaryOpOperation.SIGN => x > 0f ? 1f : x < 0f ? -1f : 0f,
        UnaryOpOperation.ROUND => MathF.Round(x, MidpointRounding.AwayFromZero),
        UnaryOpOperation.COSH => MathF.Cosh(x),
        UnaryOpOperation.ERF => (float)Erf(x),
        UnaryOpOperation.ERFC => (float)Erfc(x),
        UnaryOpOperation.ERFINV => (float)ErfInv(x),
        UnaryOpOperation.EXPM1 => (float)(Math.Abs(x) < 1e-5 ? x + 0.5 * x * (double)x : Math.Exp(x) - 1.0),
        UnaryOpOperation.SIGMOID => Sigmoid(x),
        UnaryOpOperation.TANH => MathF.Tanh(x),
        UnaryOpOperation.HARDSWISH => x * Math.Clamp(x + 3f, 0f, 6f) / 6f,
        UnaryOpOperation.GELU => (float)(0.5 * x * (1.0 + Math.Tanh(0.7978845608028654 * (x + 0.044715 * (double)x * x * x)))),
        UnaryOpOperation.GELU_STANDARD => (float)(0.5 * x * (1.0 + Erf(x * 0.7071067811865476))),
        UnaryOpOperation.SILU => x * Sigmoid(x),
        _ => throw new ModelBuildException(ErrorCodes.UnsupportedMnnOperator, $"UnaryOp {op} is not supported"),
    };

    public static int Apply(UnaryOpOperation op, int x) => op switch
    {
        UnaryOpOperation.ABS => x < 0 ? unchecked(-x) : x,
        UnaryOpOperation.NEG => unchecked(-x),
        UnaryOpOperation.SQUARE => unchecked(x * x),
        UnaryOpOperation.SIGN => Math.Sign(x),
        _ => throw new ModelBuildException(ErrorCodes.UnsupportedMnnOperator, $"UnaryOp {op} is not supported on int32"),
    };

    public static float Sigmoid(float x) => (float)(1.0 / (1.0 + Math.Exp(-(double)x)));

    /// <summary>erf in double: Maclaurin series for |x| ≤ 3, 1 − erfc (continued fraction) beyond.</summary>
    public static double Erf(double x)
    {
        if (double.IsNaN(x))
        {
            return x;
        }

        double ax = Math.Abs(x);
        if (ax > 3.0)
        {
            return Math.Sign(x) * (1.0 - ErfcTail(ax));
        }

        // erf(x) = 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1))
        double x2 = x * x, term = x, sum = x;
        for (int n = 1; n < 80; n++)
        {
            term *= -x2 / n;
            double add = term / (2 * n + 1);
            sum += add;
            if (Math.Abs(add) < 1e-17 * Math.Abs(sum))
            {
                break;
            }
        }

        return sum * 1.1283791670955126;
    }

    public static double Erfc(double x)
    {
        if (double.IsNaN(x))
        {
            return x;
        }

        if (x > 3.0)
        {
            return ErfcTail(x);
        }

        return 1.0 - Erf(x);
    }

    /// <summary>erfc(x) for x &gt; 3 by the Laplace continued fraction, evaluated bottom-up.</summary>
    private static double ErfcTail(double x)
    {
        if (x > 27.0)
        {
            return 0.0;
        }

        double f = x;
        for (int k = 60; k >= 1; k--)
        {
            f = x + k / 2.0 / f;
        }

        return Math.Exp(-x * x) / (f * 1.7724538509055159);
    }

    /// <summary>Inverse erf: Giles' single-precision approximation refined by two Newton steps.</summary>
    public static double ErfInv(double x)
    {
        if (double.IsNaN(x) || x < -1.0 || x > 1.0)
        {
            return double.NaN;
        }

        if (x == 1.0)
        {
            return double.PositiveInfinity;
        }

        if (x == -1.0)
        {
            return double.NegativeInfinity;
        }

        double w = -Math.Log((1.0 - x) * (1.0 + x)), p;
        if (w < 5.0)
        {
            w -= 2.5;
            p = 2.81022636e-08;
            p = 3.43273939e-07 + p * w;
            p = -3.5233877e-06 + p * w;
            p = -4.39150654e-06 + p * w;
            p = 0.00021858087 + p * w;
            p = -0.00125372503 + p * w;
            p = -0.00417768164 + p * w;
            p = 0.246640727 + p * w;
            p = 1.50140941 + p * w;
        }
        else
        {
            w = Math.Sqrt(w) - 3.0;
            p = -0.000200214257;
            p = 0.000100950558 + p * w;
            p = 0.00134934322 + p * w;
            p = -0.00367342844 + p * w;
            p = 0.00573950773 + p * w;
            p = -0.0076224613 + p * w;
            p = 0.00943887047 + p * w;
            p = 1.00167406 + p * w;
            p = 2.83297682 + p * w;
        }

        double y = p * x;
        for (int i = 0; i < 2; i++)
        {
            double err = Erf(y) - x;
            y -= err / (1.1283791670955126 * Math.Exp(-y * y));
        }

        return y;
    }
}
