using ModelBuild.Runtime.Kernels;
using static ModelBuild.Runtime.Tests.Kernels.KernelTestUtil;

namespace ModelBuild.Runtime.Tests.Kernels;

/// <summary>Our float transcendental functions (scalar reference) against System.Math in double.</summary>
[TestClass]
public sealed class PrecisionTests
{
    private static double Erf(double x)
    {
        // Abramowitz-Stegun 7.1.5 series for |x| < 3, continued fraction for erfc otherwise (double accurate ~1e-15)
        double ax = Math.Abs(x);
        if (ax < 3)
        {
            double sum = x, term = x, x2 = x * x;
            for (int n = 1; n < 200; n++)
            {
                term *= -x2 / n;
                double add = term / ((2 * n) + 1);
                sum += add;
                if (Math.Abs(add) < 1e-17 * Math.Abs(sum))
                {
                    break;
                }
            }

            return 2 / Math.Sqrt(Math.PI) * sum;
        }

        // erfc(x) = exp(-x^2)/(x sqrt(pi)) * 1/(1+ 1/(2x^2)/(1+2/(2x^2)/(1+...))) — Lentz
        double f = 0;
        for (int n = 60; n >= 1; n--)
        {
            f = n / 2.0 / (ax + f);
        }

        double erfc = Math.Exp(-ax * ax) / Math.Sqrt(Math.PI) / (ax + f);
        return Math.Sign(x) * (1 - erfc);
    }

    private static double Log1p(double u) => u < 1e-5 ? u - (u * u / 2) + (u * u * u / 3) : Math.Log(1 + u);

    private static void Check(UnaryFunction op, Func<double, double> exact, float lo, float hi, long maxUlp, double absFloor, float alpha = 0f, float beta = 0f)
    {
        const int n = 20000;
        float[] x = new float[n];
        for (int i = 0; i < n; i++)
        {
            x[i] = lo + ((hi - lo) * i / (n - 1));
        }

        float[] y = new float[n];
        Elementwise.Unary(IsaLevel.Scalar, op, x, y, alpha, beta);
        long worst = 0;
        for (int i = 0; i < n; i++)
        {
            double e = exact(x[i]);
            float ef = (float)e;
            if (Math.Abs(e - y[i]) <= absFloor)
            {
                continue;
            }

            long u = UlpDiff(ef, y[i]);
            worst = Math.Max(worst, u);
            if (u > maxUlp)
            {
                Assert.Fail($"{op}({x[i]:R}) = {y[i]:R}, exact {e:R}: {u} ulp > {maxUlp}");
            }
        }
    }

    [TestMethod] public void Exp() => Check(UnaryFunction.Exp, Math.Exp, -103f, 88.7f, 2, 0);
    [TestMethod] public void Log() => Check(UnaryFunction.Log, Math.Log, 1e-38f, 1e6f, 2, 0);
    [TestMethod] public void LogSmall() => Check(UnaryFunction.Log, Math.Log, 0.1f, 4f, 2, 0);
    [TestMethod] public void Tanh() => Check(UnaryFunction.Tanh, Math.Tanh, -12f, 12f, 4, 1e-9);
    [TestMethod] public void Sigmoid() => Check(UnaryFunction.Sigmoid, v => 1 / (1 + Math.Exp(-v)), -60f, 30f, 4, 1e-40);
    [TestMethod] public void Erf() => Check(UnaryFunction.Erf, Erf, -6f, 6f, 4, 1e-9);
    [TestMethod] public void Softplus() => Check(UnaryFunction.Softplus, v => Math.Max(v, 0) + Log1p(Math.Exp(-Math.Abs(v))), -40f, 40f, 4, 1e-40);
    [TestMethod] public void Sin() => Check(UnaryFunction.Sin, Math.Sin, -100f, 100f, 4, 2e-7);
    [TestMethod] public void Cos() => Check(UnaryFunction.Cos, Math.Cos, -100f, 100f, 4, 2e-7);
    [TestMethod] public void Elu() => Check(UnaryFunction.Elu, v => v > 0 ? v : 0.5 * (Math.Exp(v) - 1), -20f, 5f, 4, 1e-12, alpha: 0.5f);
    [TestMethod] public void GeluErf() => Check(UnaryFunction.GeluErf, v => 0.5 * v * (1 + Erf(v / Math.Sqrt(2))), -8f, 8f, 8, 1e-7);
    [TestMethod] public void GeluTanh() => Check(UnaryFunction.GeluTanh, v => 0.5 * v * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (v + (0.044715 * v * v * v)))), -8f, 8f, 8, 1e-7);

    [TestMethod]
    public void Pow()
    {
        var rng = new Random(3);
        for (int i = 0; i < 20000; i++)
        {
            float xv = (float)(rng.NextDouble() * 20), yv = (float)((rng.NextDouble() * 8) - 4);
            float[] r = new float[1];
            Elementwise.Binary(IsaLevel.Scalar, BinaryFunction.Pow, [xv], [yv], r);
            double e = Math.Pow(xv, yv);
            double tol = (1 + Math.Abs(yv * Math.Log(xv))) * 3e-7 * Math.Abs(e);
            Assert.IsTrue(Math.Abs(e - r[0]) <= tol + 1e-30, $"pow({xv},{yv}) = {r[0]} vs {e}");
        }
    }
}
