using System.Globalization;

namespace ModelBuild.Conformance.Tests.Infrastructure;

/// <summary>The two comparison rules used by the conformance suites.</summary>
public static class Compare
{
    public const double AbsoluteTolerance = 1e-5;
    public const double RelativeTolerance = 1e-3;

    /// <summary>
    /// ONNX Runtime's backend-test rule: |got − exp| ≤ 1e-5 + 1e-3·|exp| per element, NaN matches NaN, infinities
    /// must match exactly. Returns null when equal, else a description of the first mismatch.
    /// </summary>
    public static string? Elementwise(double[] got, double[] expected)
    {
        if (got.Length != expected.Length)
        {
            return $"{got.Length} elements, expected {expected.Length}";
        }

        var bad = 0;
        var first = -1;
        for (var i = 0; i < got.Length; i++)
        {
            if (!Close(got[i], expected[i]))
            {
                bad++;
                if (first < 0)
                {
                    first = i;
                }
            }
        }

        return bad == 0
            ? null
            : string.Create(CultureInfo.InvariantCulture, $"{bad} of {got.Length} elements differ; first at {first}: got {got[first]:G7}, expected {expected[first]:G7}");
    }

    public static bool Close(double got, double expected)
    {
        if (double.IsNaN(expected) || double.IsNaN(got))
        {
            return double.IsNaN(expected) && double.IsNaN(got);
        }

        if (double.IsInfinity(expected) || double.IsInfinity(got))
        {
            return got == expected;
        }

        return Math.Abs(got - expected) <= AbsoluteTolerance + RelativeTolerance * Math.Abs(expected);
    }

    /// <summary>
    /// max|got − ref| / max|ref| over the finite reference elements (peak-relative error). Where the reference is
    /// NaN or infinite, <paramref name="got"/> must be the same non-finite value, else the error is +∞; a NaN or
    /// infinity in <paramref name="got"/> against a finite reference is +∞ too. An all-zero reference falls back to
    /// the absolute error.
    /// </summary>
    public static double PeakRelative(double[] got, double[] reference)
    {
        if (got.Length != reference.Length)
        {
            return double.PositiveInfinity;
        }

        double maxDiff = 0, peak = 0;
        for (var i = 0; i < got.Length; i++)
        {
            var r = reference[i];
            var g = got[i];
            if (!double.IsFinite(r) || !double.IsFinite(g))
            {
                var same = (double.IsNaN(r) && double.IsNaN(g)) || r == g;
                if (!same)
                {
                    return double.PositiveInfinity;
                }

                continue;
            }

            maxDiff = Math.Max(maxDiff, Math.Abs(g - r));
            peak = Math.Max(peak, Math.Abs(r));
        }

        return peak > 0 ? maxDiff / peak : maxDiff;
    }

    public static string Shape(IEnumerable<long> dims) => $"[{string.Join(",", dims)}]";
}
