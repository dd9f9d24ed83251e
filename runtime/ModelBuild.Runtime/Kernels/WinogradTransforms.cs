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
    public static void Input<TV, S>(TV d0, TV d1, TV d2, TV d3, TV d4, TV d5, out TV v0, out TV v1, out TV v2, out TV v3, out TV v4, out TV v5)
        where TV : struct
        where S : struct, ISimd<TV>
    {
        TV four = S.Splat(4f), two = S.Splat(2f), m5 = S.Splat(-5f);
        v0 = S.Fma(four, d0, S.Fma(m5, d2, d4));
        v1 = S.Fma(S.Splat(-4f), S.Add(d1, d2), S.Add(d3, d4));
        v2 = S.Fma(four, S.Sub(d1, d2), S.Sub(d4, d3));
        TV d31 = S.Sub(d3, d1), d42 = S.Sub(d4, d2);
        v3 = S.Fma(two, d31, d42);
        v4 = S.Fma(S.Splat(-2f), d31, d42);
        v5 = S.Fma(four, d1, S.Fma(m5, d3, d5));
    }

    /// <summary>Output: o = Aᵀ·m for six products m0..m5 (rows of Aᵀ: [1,1,1,1,1,0] [0,1,−1,2,−2,0] [0,1,1,4,4,0]
    /// [0,1,−1,8,−8,1]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Output<TV, S>(TV m0, TV m1, TV m2, TV m3, TV m4, TV m5, out TV o0, out TV o1, out TV o2, out TV o3)
        where TV : struct
        where S : struct, ISimd<TV>
    {
        TV s12 = S.Add(m1, m2), d12 = S.Sub(m1, m2), s34 = S.Add(m3, m4), d34 = S.Sub(m3, m4);
        o0 = S.Add(S.Add(m0, s12), s34);
        o1 = S.Fma(S.Splat(2f), d34, d12);
        o2 = S.Fma(S.Splat(4f), s34, s12);
        o3 = S.Add(S.Fma(S.Splat(8f), d34, d12), m5);
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
