using System.Runtime.CompilerServices;

namespace ModelBuild.Runtime.Kernels;

/// <summary>
/// Rounding of float32 values to IEEE binary16 (fp16) precision, kept as float32: the value a phone's fp16 register
/// would hold. Round to nearest, ties to even, fp16 subnormals (quantum 2⁻²⁴), overflow past 65504 to ±∞, NaN kept,
/// signed zero kept — the same value as <c>(float)(Half)x</c>, computed with float operations only (exponent from
/// the bits, scale by a power of two, round to an integer, scale back: every step exact except the one rounding),
/// so the scalar reference and every vector width give the same bits.
/// </summary>
internal static unsafe class HalfRounding
{
    /// <summary>Largest finite fp16 value.</summary>
    public const float MaxHalf = 65504f;

    /// <summary>One value (the scalar reference, = <see cref="Round{TV, S}"/> at width 1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Round(float x) => Round<float, S1>(x);

    /// <summary>Every lane of <paramref name="x"/> rounded to fp16 precision.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Round<TV, S>(TV x)
        where TV : struct
        where S : struct, ISimd<TV>
    {
        // |x| in [2^(e-1), 2^e): the fp16 quantum there is 2^(e-11); below the fp16 normal range (e ≤ -13) it stays
        // 2^-24. Zero, float subnormals, ∞ and NaN fall out of the same steps (see HalfRoundingTests).
        S.Frexp(x, out TV e);
        TV n = S.Sub(S.Max(e, S.Splat(-13f)), S.Splat(11f));
        TV r = S.Mul(S.Round(S.Mul(x, S.Pow2(S.Neg(n)))), S.Pow2(n));
        return S.Select(S.Gt(S.Abs(r), S.Splat(MaxHalf)), S.Mul(x, S.Splat(float.PositiveInfinity)), r);
    }

    /// <summary>Rounds every element of <paramref name="x"/> to fp16 precision in place.</summary>
    public static void RoundInPlace(IsaLevel isa, Span<float> x)
    {
        if (x.IsEmpty)
        {
            return;
        }

        fixed (float* p = x)
        {
            var body = new RoundBody { P = p, N = x.Length };
            IsaDispatch.Run(isa, ref body);
        }
    }

    private struct RoundBody : IWidthBody
    {
        public float* P;
        public int N;

        public void Run<TV, S>()
            where TV : struct
            where S : struct, ISimd<TV>
        {
            int w = S.Count, i = 0;
            ref float r = ref *P;
            for (; i <= N - w; i += w)
            {
                S.Store(Round<TV, S>(S.Load(ref r, i)), ref r, i);
            }

            for (; i < N; i++)
            {
                Unsafe.Add(ref r, i) = Round(Unsafe.Add(ref r, i));
            }
        }
    }
}
