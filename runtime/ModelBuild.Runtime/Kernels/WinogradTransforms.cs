using System.Runtime.CompilerServices;

namespace ModelBuild.Runtime.Kernels;

/// <summary>
/// The fixed 1-D operation sequences of Winograd F(4,3) (interpolation points 0, ±1, ±2, ∞), one lane per tile.
/// Every width runs these exact fma/add/sub sequences per element, which is the whole bit-identity argument.
/// </summary>
internal static class WinogradTransforms
{
    /// <summary>Input: v = Bᵀ·d for six inputs d0..d5 (rows of Bᵀ: [4,0,−5,0,1,0] [0,−4,−4,1,1,0] [0,4,−4,−1,1,0]
    /// [0,−2,−1,2,1,0] [0,2,−1,−2,1,0] [0,4,0,−5,0,1]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    /// <remarks>Results are stored to dst + i·stride (no out parameters: they kept the JIT from enregistering).</remarks>
    public static void Input<TV, S>(TV d0, TV d1, TV d2, TV d3, TV d4, TV d5, ref float dst, nint stride)
        where TV : struct
        where S : struct, ISimd<TV>
    {
        TV four = S.Splat(4f), m5 = S.Splat(-5f);
        S.Store(S.Fma(four, d0, S.Fma(m5, d2, d4)), ref dst, 0);
        S.Store(S.Fma(S.Splat(-4f), S.Add(d1, d2), S.Add(d3, d4)), ref dst, stride);
        S.Store(S.Fma(four, S.Sub(d1, d2), S.Sub(d4, d3)), ref dst, 2 * stride);
        TV d31 = S.Sub(d3, d1), d42 = S.Sub(d4, d2);
        S.Store(S.Fma(S.Splat(2f), d31, d42), ref dst, 3 * stride);
        S.Store(S.Fma(S.Splat(-2f), d31, d42), ref dst, 4 * stride);
        S.Store(S.Fma(four, d1, S.Fma(m5, d3, d5)), ref dst, 5 * stride);
    }

    /// <summary>Output: o = Aᵀ·m for six products m0..m5 (rows of Aᵀ: [1,1,1,1,1,0] [0,1,−1,2,−2,0] [0,1,1,4,4,0]
    /// [0,1,−1,8,−8,1]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    /// <remarks>Results are stored to dst + i·stride.</remarks>
    public static void Output<TV, S>(TV m0, TV m1, TV m2, TV m3, TV m4, TV m5, ref float dst, nint stride)
        where TV : struct
        where S : struct, ISimd<TV>
    {
        TV s12 = S.Add(m1, m2), d12 = S.Sub(m1, m2), s34 = S.Add(m3, m4), d34 = S.Sub(m3, m4);
        S.Store(S.Add(S.Add(m0, s12), s34), ref dst, 0);
        S.Store(S.Fma(S.Splat(2f), d34, d12), ref dst, stride);
        S.Store(S.Fma(S.Splat(4f), s34, s12), ref dst, 2 * stride);
        S.Store(S.Add(S.Fma(S.Splat(8f), d34, d12), m5), ref dst, 3 * stride);
    }

    /// <summary>The same Aᵀ·m, then + bias (when <paramref name="hasBias"/>) and min(max(·, lo), hi) (when <paramref name="act"/>).</summary>
    /// <remarks>Inlined: as a call it took its nine vector arguments through the stack.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void OutputFinal<TV, S>(TV m0, TV m1, TV m2, TV m3, TV m4, TV m5, bool hasBias, TV bias, bool act, TV lo, TV hi, ref float dst, nint stride)
        where TV : struct
        where S : struct, ISimd<TV>
    {
        TV s12 = S.Add(m1, m2), d12 = S.Sub(m1, m2), s34 = S.Add(m3, m4), d34 = S.Sub(m3, m4);
        TV o0 = S.Add(S.Add(m0, s12), s34);
        TV o1 = S.Fma(S.Splat(2f), d34, d12);
        TV o2 = S.Fma(S.Splat(4f), s34, s12);
        TV o3 = S.Add(S.Fma(S.Splat(8f), d34, d12), m5);
        if (hasBias)
        {
            o0 = S.Add(o0, bias); o1 = S.Add(o1, bias); o2 = S.Add(o2, bias); o3 = S.Add(o3, bias);
        }

        if (act)
        {
            o0 = S.Min(S.Max(o0, lo), hi); o1 = S.Min(S.Max(o1, lo), hi);
            o2 = S.Min(S.Max(o2, lo), hi); o3 = S.Min(S.Max(o3, lo), hi);
        }

        S.Store(o0, ref dst, 0); S.Store(o1, ref dst, stride); S.Store(o2, ref dst, 2 * stride); S.Store(o3, ref dst, 3 * stride);
    }

    /// <summary>G of F(4,3) (6×3) in double: the weight transform U = G·g·Gᵀ is computed once in double and rounded.</summary>
    public static readonly double[,] G =
    {
        { 1.0 / 4, 0, 0 },
        { -1.0 / 6, -1.0 / 6, -1.0 / 6 },
        { -1.0 / 6, 1.0 / 6, -1.0 / 6 },
        { 1.0 / 24, 1.0 / 12, 1.0 / 6 },
        { 1.0 / 24, -1.0 / 12, 1.0 / 6 },
        { 0, 0, 1 },
    };
}
