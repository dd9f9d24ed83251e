using System.Runtime.CompilerServices;

namespace ModelBuild.Runtime.Kernels;

/// <summary>
/// Our own float32 transcendental functions, written once over the width abstraction so the scalar
/// (<c>TV = float</c>) and every vector instantiation perform the identical operation sequence ⇒ identical bits.
/// Accuracy (checked by the precision tests against System.Math in double):
/// exp ≤ 2 ulp; log ≤ 2 ulp; tanh, sigmoid, erf, softplus, sin/cos (|x| ≤ 1e4) ≤ 4 ulp or 1e-7 absolute near 0;
/// pow: relative error ≲ (1 + |y·ln x|)·2⁻²³. Polynomials: Cephes (expf, logf, tanhf, sinf/cosf) and
/// N. Juffa's erff, evaluated with FMA Horner steps.
/// </summary>
internal static class FloatMath
{
    private const float Log2E = 1.44269504088896341f;
    private const float Ln2Hi = 0.693145751953125f;
    private const float Ln2Lo = 1.42860682030941723212e-6f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Exp<TV, S>(TV x)
        where TV : struct
        where S : struct, ISimd<TV>
    {
        x = S.Min(S.Max(x, S.Splat(-104f)), S.Splat(89f));
        TV n = S.Round(S.Mul(x, S.Splat(Log2E)));
        TV r = S.Fma(n, S.Splat(-Ln2Hi), x);
        r = S.Fma(n, S.Splat(-Ln2Lo), r);
        TV p = S.Fma(S.Splat(1.9875691500E-4f), r, S.Splat(1.3981999507E-3f));
        p = S.Fma(p, r, S.Splat(8.3334519073E-3f));
        p = S.Fma(p, r, S.Splat(4.1665795894E-2f));
        p = S.Fma(p, r, S.Splat(1.6666665459E-1f));
        p = S.Fma(p, r, S.Splat(5.0000001201E-1f));
        TV y = S.Fma(p, S.Mul(r, r), r);
        y = S.Add(y, S.Splat(1f));
        TV n1 = S.Floor(S.Mul(n, S.Splat(0.5f)));
        TV n2 = S.Sub(n, n1);
        return S.Mul(S.Mul(y, S.Pow2(n1)), S.Pow2(n2));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Log<TV, S>(TV x)
        where TV : struct
        where S : struct, ISimd<TV>
    {
        TV tiny = S.Lt(x, S.Splat(1.17549435e-38f));
        TV xs = S.Select(tiny, S.Mul(x, S.Splat(33554432f)), x);
        TV m = S.Frexp(xs, out TV e);
        e = S.Sub(e, S.And(tiny, S.Splat(25f)));
        TV small = S.Lt(m, S.Splat(0.707106781186547524f));
        e = S.Sub(e, S.And(small, S.Splat(1f)));
        m = S.Sub(S.Add(m, S.And(small, m)), S.Splat(1f));
        TV z = S.Mul(m, m);
        TV p = S.Fma(S.Splat(7.0376836292E-2f), m, S.Splat(-1.1514610310E-1f));
        p = S.Fma(p, m, S.Splat(1.1676998740E-1f));
        p = S.Fma(p, m, S.Splat(-1.2420140846E-1f));
        p = S.Fma(p, m, S.Splat(1.4249322787E-1f));
        p = S.Fma(p, m, S.Splat(-1.6668057665E-1f));
        p = S.Fma(p, m, S.Splat(2.0000714765E-1f));
        p = S.Fma(p, m, S.Splat(-2.4999993993E-1f));
        p = S.Fma(p, m, S.Splat(3.3333331174E-1f));
        TV y = S.Mul(S.Mul(p, m), z);
        y = S.Fma(e, S.Splat(-2.12194440e-4f), y);
        y = S.Fma(z, S.Splat(-0.5f), y);
        TV r = S.Add(m, y);
        r = S.Fma(e, S.Splat(0.693359375f), r);
        r = S.Select(S.Eq(x, S.Splat(0f)), S.Splat(float.NegativeInfinity), r);
        r = S.Select(S.Lt(x, S.Splat(0f)), S.Splat(float.NaN), r);
        r = S.Select(S.Eq(x, S.Splat(float.PositiveInfinity)), x, r);
        return S.Select(S.Eq(x, x), r, x);
    }

    /// <summary>log(1+u) for u ≥ 0 (Goldberg's trick: log(w)·u/(w−1)).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Log1pPositive<TV, S>(TV u)
        where TV : struct
        where S : struct, ISimd<TV>
    {
        TV w = S.Add(u, S.Splat(1f));
        TV r = S.Div(S.Mul(Log<TV, S>(w), u), S.Sub(w, S.Splat(1f)));
        r = S.Select(S.Eq(w, S.Splat(1f)), u, r);
        return S.Select(S.Eq(w, S.Splat(float.PositiveInfinity)), w, r);
    }

    /// <summary>exp(x)−1 with Kahan's correction (accurate near 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Expm1<TV, S>(TV x)
        where TV : struct
        where S : struct, ISimd<TV>
    {
        TV u = Exp<TV, S>(x);
        TV um1 = S.Sub(u, S.Splat(1f));
        TV r = S.Div(S.Mul(um1, x), Log<TV, S>(u));
        r = S.Select(S.Eq(u, S.Splat(1f)), x, r);
        r = S.Select(S.Eq(um1, S.Splat(-1f)), um1, r);
        r = S.Select(S.Eq(u, S.Splat(float.PositiveInfinity)), u, r);
        return S.Select(S.Eq(x, x), r, x);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Tanh<TV, S>(TV x)
        where TV : struct
        where S : struct, ISimd<TV>
    {
        TV a = S.Abs(x);
        TV z = S.Mul(x, x);
        TV p = S.Fma(S.Splat(-5.70498872745E-3f), z, S.Splat(2.06390887954E-2f));
        p = S.Fma(p, z, S.Splat(-5.37397155531E-2f));
        p = S.Fma(p, z, S.Splat(1.33314422036E-1f));
        p = S.Fma(p, z, S.Splat(-3.33332819422E-1f));
        TV small = S.Fma(S.Mul(p, z), x, x);
        TV e = Exp<TV, S>(S.Add(a, a));
        TV large = S.Sub(S.Splat(1f), S.Div(S.Splat(2f), S.Add(e, S.Splat(1f))));
        large = S.Select(S.Lt(x, S.Splat(0f)), S.Neg(large), large);
        return S.Select(S.Lt(a, S.Splat(0.625f)), small, large);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Sigmoid<TV, S>(TV x)
        where TV : struct
        where S : struct, ISimd<TV>
        => S.Div(S.Splat(1f), S.Add(S.Splat(1f), Exp<TV, S>(S.Neg(x))));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Softplus<TV, S>(TV x)
        where TV : struct
        where S : struct, ISimd<TV>
    {
        TV r = S.Add(S.Max(x, S.Splat(0f)), Log1pPositive<TV, S>(Exp<TV, S>(S.Neg(S.Abs(x)))));
        return S.Select(S.Eq(x, x), r, x);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Erf<TV, S>(TV a)
        where TV : struct
        where S : struct, ISimd<TV>
    {
        TV t = S.Abs(a);
        TV s = S.Mul(a, a);
        // |a| > 0.927734375
        TV r = S.Fma(S.Splat(-1.72853470e-5f), t, S.Splat(3.83197126e-4f));
        TV u = S.Fma(S.Splat(-3.88396438e-3f), t, S.Splat(2.42546219e-2f));
        r = S.Fma(r, s, u);
        r = S.Fma(r, t, S.Splat(-1.06777877e-1f));
        r = S.Fma(r, t, S.Splat(-6.34846687e-1f));
        r = S.Fma(r, t, S.Splat(-1.28717512e-1f));
        r = S.Fma(r, t, S.Neg(t));
        TV big = S.Sub(S.Splat(1f), Exp<TV, S>(r));
        big = S.Select(S.Lt(a, S.Splat(0f)), S.Neg(big), big);
        // |a| <= 0.927734375
        TV q = S.Fma(S.Splat(-5.96761703e-4f), s, S.Splat(4.99119423e-3f));
        q = S.Fma(q, s, S.Splat(-2.67681349e-2f));
        q = S.Fma(q, s, S.Splat(1.12819925e-1f));
        q = S.Fma(q, s, S.Splat(-3.76125336e-1f));
        q = S.Fma(q, s, S.Splat(1.28379166e-1f));
        q = S.Fma(q, a, a);
        TV res = S.Select(S.Gt(t, S.Splat(0.927734375f)), big, q);
        return S.Select(S.Eq(a, a), res, a);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV SinCore<TV, S>(TV x, bool cos)
        where TV : struct
        where S : struct, ISimd<TV>
    {
        TV q = S.Round(S.Mul(x, S.Splat(0.636619772367581343f)));
        TV r = S.Fma(q, S.Splat(-1.5703125f), x);
        r = S.Fma(q, S.Splat(-4.837512969970703125e-4f), r);
        r = S.Fma(q, S.Splat(-7.54978995489188216e-8f), r);
        TV z = S.Mul(r, r);
        TV ps = S.Fma(S.Splat(-1.9515295891E-4f), z, S.Splat(8.3321608736E-3f));
        ps = S.Fma(ps, z, S.Splat(-1.6666654611E-1f));
        TV sn = S.Fma(S.Mul(ps, z), r, r);
        TV pc = S.Fma(S.Splat(2.443315711809948E-5f), z, S.Splat(-1.388731625493765E-3f));
        pc = S.Fma(pc, z, S.Splat(4.166664568298827E-2f));
        TV cs = S.Fma(pc, S.Mul(z, z), S.Fma(S.Splat(-0.5f), z, S.Splat(1f)));
        if (cos)
        {
            q = S.Add(q, S.Splat(1f));
        }

        TV res = S.Select(S.IntBit(q, 1), cs, sn);
        return S.Select(S.IntBit(q, 2), S.Neg(res), res);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Sin<TV, S>(TV x)
        where TV : struct
        where S : struct, ISimd<TV>
        => SinCore<TV, S>(x, false);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Cos<TV, S>(TV x)
        where TV : struct
        where S : struct, ISimd<TV>
        => SinCore<TV, S>(x, true);

    /// <summary>x^y = exp(y·log|x|) with IEEE special cases for 0, 1, negative x with integral y.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Pow<TV, S>(TV x, TV y)
        where TV : struct
        where S : struct, ISimd<TV>
    {
        TV r = Exp<TV, S>(S.Mul(y, Log<TV, S>(S.Abs(x))));
        TV fy = S.Floor(y);
        TV isInt = S.Eq(fy, y);
        TV half = S.Mul(y, S.Splat(0.5f));
        TV odd = S.And(isInt, S.Xor(S.Eq(S.Floor(half), half), S.Eq(y, y)));
        TV neg = S.Select(isInt, S.Select(odd, S.Neg(r), r), S.Splat(float.NaN));
        r = S.Select(S.Lt(x, S.Splat(0f)), neg, r);
        r = S.Select(S.Eq(y, S.Splat(0f)), S.Splat(1f), r);
        return S.Select(S.Eq(x, S.Splat(1f)), S.Splat(1f), r);
    }
}
