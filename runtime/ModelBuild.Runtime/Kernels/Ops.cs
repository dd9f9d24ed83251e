using System.Runtime.CompilerServices;

namespace ModelBuild.Runtime.Kernels;

/// <summary>
/// Element-wise operator in the style of TensorPrimitives' operator structs. The Invoke(float) /
/// Invoke(Vector128) / Invoke(Vector256) / Invoke(Vector512) overload set is expressed as ONE generic method
/// over the width abstraction (TV = float is the scalar reference), so all widths share one source and one
/// operation sequence. Parameterised ops (alpha, beta...) are structs with readonly fields.
/// </summary>
internal interface IUnaryOp
{
    TV Invoke<TV, S>(TV x)
        where TV : struct
        where S : struct, ISimd<TV>;
}

internal interface IBinaryOp
{
    TV Invoke<TV, S>(TV a, TV b)
        where TV : struct
        where S : struct, ISimd<TV>;
}

#pragma warning disable SA1649, SA1402
internal readonly struct ReluOp : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Invoke<TV, S>(TV x) where TV : struct where S : struct, ISimd<TV> => S.Max(x, S.Splat(0f));
}

internal readonly struct ClipOp(float min, float max) : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Invoke<TV, S>(TV x) where TV : struct where S : struct, ISimd<TV> => S.Min(S.Max(x, S.Splat(min)), S.Splat(max));
}

internal readonly struct LeakyReluOp(float alpha) : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Invoke<TV, S>(TV x) where TV : struct where S : struct, ISimd<TV> => S.Select(S.Ge(x, S.Splat(0f)), x, S.Mul(x, S.Splat(alpha)));
}

internal readonly struct EluOp(float alpha) : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Invoke<TV, S>(TV x) where TV : struct where S : struct, ISimd<TV> =>
        S.Select(S.Gt(x, S.Splat(0f)), x, S.Mul(S.Splat(alpha), FloatMath.Expm1<TV, S>(S.Min(x, S.Splat(0f)))));
}

internal readonly struct SeluOp(float alpha, float gamma) : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Invoke<TV, S>(TV x) where TV : struct where S : struct, ISimd<TV> =>
        S.Mul(S.Splat(gamma), S.Select(S.Gt(x, S.Splat(0f)), x, S.Mul(S.Splat(alpha), FloatMath.Expm1<TV, S>(S.Min(x, S.Splat(0f))))));
}

internal readonly struct SigmoidOp : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Invoke<TV, S>(TV x) where TV : struct where S : struct, ISimd<TV> => FloatMath.Sigmoid<TV, S>(x);
}

internal readonly struct SiluOp : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Invoke<TV, S>(TV x) where TV : struct where S : struct, ISimd<TV> => S.Mul(x, FloatMath.Sigmoid<TV, S>(x));
}

internal readonly struct HardSigmoidOp(float alpha, float beta) : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Invoke<TV, S>(TV x) where TV : struct where S : struct, ISimd<TV> =>
        S.Min(S.Max(S.Fma(x, S.Splat(alpha), S.Splat(beta)), S.Splat(0f)), S.Splat(1f));
}

internal readonly struct HardSwishOp : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Invoke<TV, S>(TV x) where TV : struct where S : struct, ISimd<TV> =>
        S.Mul(x, S.Min(S.Max(S.Fma(x, S.Splat(1f / 6f), S.Splat(0.5f)), S.Splat(0f)), S.Splat(1f)));
}

internal readonly struct TanhOp : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Invoke<TV, S>(TV x) where TV : struct where S : struct, ISimd<TV> => FloatMath.Tanh<TV, S>(x);
}

internal readonly struct SoftplusOp : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Invoke<TV, S>(TV x) where TV : struct where S : struct, ISimd<TV> => FloatMath.Softplus<TV, S>(x);
}

internal readonly struct MishOp : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Invoke<TV, S>(TV x) where TV : struct where S : struct, ISimd<TV> => S.Mul(x, FloatMath.Tanh<TV, S>(FloatMath.Softplus<TV, S>(x)));
}

internal readonly struct SoftsignOp : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Invoke<TV, S>(TV x) where TV : struct where S : struct, ISimd<TV> => S.Div(x, S.Add(S.Splat(1f), S.Abs(x)));
}

internal readonly struct ErfOp : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Invoke<TV, S>(TV x) where TV : struct where S : struct, ISimd<TV> => FloatMath.Erf<TV, S>(x);
}

/// <summary>0.5·x·(1 + erf(x/√2)).</summary>
internal readonly struct GeluErfOp : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Invoke<TV, S>(TV x) where TV : struct where S : struct, ISimd<TV> =>
        S.Mul(S.Mul(S.Splat(0.5f), x), S.Add(S.Splat(1f), FloatMath.Erf<TV, S>(S.Mul(x, S.Splat(0.70710678118654752f)))));
}

/// <summary>0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).</summary>
internal readonly struct GeluTanhOp : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Invoke<TV, S>(TV x) where TV : struct where S : struct, ISimd<TV>
    {
        TV x3 = S.Mul(S.Mul(x, x), x);
        TV inner = S.Mul(S.Splat(0.7978845608028654f), S.Fma(x3, S.Splat(0.044715f), x));
        return S.Mul(S.Mul(S.Splat(0.5f), x), S.Add(S.Splat(1f), FloatMath.Tanh<TV, S>(inner)));
    }
}

internal readonly struct ExpOp : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Invoke<TV, S>(TV x) where TV : struct where S : struct, ISimd<TV> => FloatMath.Exp<TV, S>(x);
}

internal readonly struct LogOp : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Invoke<TV, S>(TV x) where TV : struct where S : struct, ISimd<TV> => FloatMath.Log<TV, S>(x);
}

internal readonly struct SqrtOp : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Invoke<TV, S>(TV x) where TV : struct where S : struct, ISimd<TV> => S.Sqrt(x);
}

internal readonly struct RsqrtOp : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Invoke<TV, S>(TV x) where TV : struct where S : struct, ISimd<TV> => S.Div(S.Splat(1f), S.Sqrt(x));
}

internal readonly struct ReciprocalOp : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Invoke<TV, S>(TV x) where TV : struct where S : struct, ISimd<TV> => S.Div(S.Splat(1f), x);
}

internal readonly struct AbsOp : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Invoke<TV, S>(TV x) where TV : struct where S : struct, ISimd<TV> => S.Abs(x);
}

internal readonly struct NegOp : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Invoke<TV, S>(TV x) where TV : struct where S : struct, ISimd<TV> => S.Neg(x);
}

internal readonly struct SquareOp : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Invoke<TV, S>(TV x) where TV : struct where S : struct, ISimd<TV> => S.Mul(x, x);
}

internal readonly struct FloorOp : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Invoke<TV, S>(TV x) where TV : struct where S : struct, ISimd<TV> => S.Floor(x);
}

internal readonly struct CeilOp : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Invoke<TV, S>(TV x) where TV : struct where S : struct, ISimd<TV> => S.Ceil(x);
}

internal readonly struct RoundOp : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Invoke<TV, S>(TV x) where TV : struct where S : struct, ISimd<TV> => S.Round(x);
}

/// <summary>1 for x &gt; 0, −1 for x &lt; 0, x itself for ±0 and NaN.</summary>
internal readonly struct SignOp : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Invoke<TV, S>(TV x) where TV : struct where S : struct, ISimd<TV> =>
        S.Select(S.Gt(x, S.Splat(0f)), S.Splat(1f), S.Select(S.Lt(x, S.Splat(0f)), S.Splat(-1f), x));
}

internal readonly struct SinOp : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Invoke<TV, S>(TV x) where TV : struct where S : struct, ISimd<TV> => FloatMath.Sin<TV, S>(x);
}

internal readonly struct CosOp : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Invoke<TV, S>(TV x) where TV : struct where S : struct, ISimd<TV> => FloatMath.Cos<TV, S>(x);
}

internal readonly struct IdentityOp : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Invoke<TV, S>(TV x) where TV : struct where S : struct, ISimd<TV> => x;
}

// ---------------- binary ----------------
internal readonly struct AddOp : IBinaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Invoke<TV, S>(TV a, TV b) where TV : struct where S : struct, ISimd<TV> => S.Add(a, b);
}

internal readonly struct SubOp : IBinaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Invoke<TV, S>(TV a, TV b) where TV : struct where S : struct, ISimd<TV> => S.Sub(a, b);
}

internal readonly struct MulOp : IBinaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Invoke<TV, S>(TV a, TV b) where TV : struct where S : struct, ISimd<TV> => S.Mul(a, b);
}

internal readonly struct DivOp : IBinaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Invoke<TV, S>(TV a, TV b) where TV : struct where S : struct, ISimd<TV> => S.Div(a, b);
}

internal readonly struct PowOp : IBinaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Invoke<TV, S>(TV a, TV b) where TV : struct where S : struct, ISimd<TV> => FloatMath.Pow<TV, S>(a, b);
}

internal readonly struct MinOp : IBinaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Invoke<TV, S>(TV a, TV b) where TV : struct where S : struct, ISimd<TV> => S.Min(a, b);
}

internal readonly struct MaxOp : IBinaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Invoke<TV, S>(TV a, TV b) where TV : struct where S : struct, ISimd<TV> => S.Max(a, b);
}

internal readonly struct SquaredDifferenceOp : IBinaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Invoke<TV, S>(TV a, TV b) where TV : struct where S : struct, ISimd<TV>
    {
        TV d = S.Sub(a, b);
        return S.Mul(d, d);
    }
}

/// <summary>Floor modulo (result has the divisor's sign): a − floor(a/b)·b, one FMA.</summary>
internal readonly struct ModOp : IBinaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Invoke<TV, S>(TV a, TV b) where TV : struct where S : struct, ISimd<TV> => S.Fma(S.Neg(S.Floor(S.Div(a, b))), b, a);
}

/// <summary>C fmod-style (result has the dividend's sign): a − trunc(a/b)·b, one FMA.</summary>
internal readonly struct FModOp : IBinaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Invoke<TV, S>(TV a, TV b) where TV : struct where S : struct, ISimd<TV> => S.Fma(S.Neg(S.Truncate(S.Div(a, b))), b, a);
}
#pragma warning restore SA1649, SA1402
