using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ModelBuild.Runtime.Kernels;

/// <summary>Which ONNX recurrence a <see cref="Recurrent"/> sequence computes.</summary>
internal enum RecurrentCell
{
    /// <summary>h = tanh(x·Wᵀ + h·Rᵀ + b); 1 gate.</summary>
    Rnn,

    /// <summary>ONNX LSTM, gates in i, o, f, c order; sigmoid / tanh / tanh; no peepholes or clip.</summary>
    Lstm,

    /// <summary>ONNX GRU, gates z, r, h; <c>linear_before_reset</c> = 1.</summary>
    GruLinearBeforeReset,

    /// <summary>ONNX GRU, gates z, r, h; <c>linear_before_reset</c> = 0: (r ⊙ h)·Rhᵀ.</summary>
    Gru,
}

/// <summary>
/// One direction of an ONNX RNN / LSTM / GRU layer over a whole sequence. Weights come transposed
/// (<c>wT</c> [input, G·H], <c>rT</c> [H, G·H], G = gate count), so both products are plain row-major GEMMs.
/// Operation order, fixed at every ISA level and thread count (so results are bit-identical everywhere):
/// <list type="number">
/// <item>gates[t] = bx + x[t]·wT for every step at once (one GEMM: bias first, then the FMA chain over input);</item>
/// <item>per step: the recurrent GEMM accumulates h·rT onto gates[t] (LSTM, RNN) or writes rb + h·rT to a
/// scratch row (GRU, which needs the recurrent part apart), then the cell kernel below, element by element
/// (vectorized across H, the tail at width 1 with the same operations).</item>
/// </list>
/// Cell formulas: LSTM c = fma(f, c, i·g), h = o·tanh(c); GRU ĥ = tanh(fma(r, hr_h, xw_h)) (linear before reset) or
/// tanh(xw_h + (r⊙h)·Rhᵀ + rb_h), h = fma(z, h − ĥ, ĥ); RNN h = tanh(gates).
/// </summary>
internal static class Recurrent
{
    /// <summary>Gates per cell kind (G).</summary>
    public static int GateCount(RecurrentCell cell) => cell switch
    {
        RecurrentCell.Rnn => 1,
        RecurrentCell.Lstm => 4,
        _ => 3,
    };

    /// <summary>Scratch floats <see cref="Sequence"/> needs: gates for every step, the recurrent row and state.</summary>
    public static long ScratchLength(RecurrentCell cell, int seq, int batch, int hidden)
    {
        int g = GateCount(cell);
        return ((long)seq * batch * g * hidden) + ((long)batch * g * hidden) + (3L * batch * hidden);
    }

    /// <summary>
    /// Runs one direction. <paramref name="x"/>: [seq, batch, input]. <paramref name="h0"/> / <paramref name="c0"/>:
    /// [batch, H] or empty (zeros). <paramref name="y"/>: [seq, dirs, batch, H] written at direction slot
    /// <paramref name="dir"/> of <paramref name="dirs"/>; <paramref name="yh"/> / <paramref name="yc"/>: [batch, H]
    /// (yc only for LSTM; either may be empty). <paramref name="bx"/>: bias added with x·wT ([G·H] or empty);
    /// <paramref name="rb"/>: recurrent bias of the GRU ([3H] or empty; LSTM/RNN fold theirs into bx).
    /// </summary>
    public static void Sequence(
        IsaLevel isa, RecurrentCell cell, int seq, int batch, int input, int hidden,
        ReadOnlySpan<float> x, ReadOnlySpan<float> wT, ReadOnlySpan<float> rT, ReadOnlySpan<float> bx, ReadOnlySpan<float> rb,
        ReadOnlySpan<float> h0, ReadOnlySpan<float> c0, bool reverse,
        Span<float> y, int dir, int dirs, Span<float> yh, Span<float> yc, Span<float> scratch, int threads = 1)
    {
        int g = GateCount(cell);
        int gh = g * hidden;
        long bh = (long)batch * hidden;
        if (seq < 0 || batch < 0 || input < 0 || hidden <= 0 || dir < 0 || dir >= dirs
            || x.Length < (long)seq * batch * input || wT.Length < (long)input * gh || rT.Length < (long)hidden * gh
            || (!bx.IsEmpty && bx.Length < gh) || (!rb.IsEmpty && rb.Length < gh)
            || (!h0.IsEmpty && h0.Length < bh) || (!c0.IsEmpty && c0.Length < bh)
            || y.Length < (long)seq * dirs * bh || (!yh.IsEmpty && yh.Length < bh) || (!yc.IsEmpty && yc.Length < bh)
            || scratch.Length < ScratchLength(cell, seq, batch, hidden))
        {
            throw new ArgumentException("recurrent spans too small or sizes invalid");
        }

        var gates = scratch[..(int)((long)seq * batch * gh)];
        var rec = scratch.Slice(gates.Length, (int)(batch * gh));
        var state = scratch.Slice(gates.Length + rec.Length, (int)bh);            // h before the first step
        var cell0 = scratch.Slice(gates.Length + rec.Length + (int)bh, (int)bh);  // LSTM cell state
        var rh = scratch.Slice(gates.Length + rec.Length + (int)(2 * bh), (int)bh); // GRU: r ⊙ h
        Fill(state, h0, bh);
        Fill(cell0, c0, bh);
        if (seq == 0 || batch == 0)
        {
            if (!yh.IsEmpty) state.CopyTo(yh);
            if (!yc.IsEmpty) cell0.CopyTo(yc);
            return;
        }

        Gemm.Compute(isa, seq * batch, gh, input, x, input, false, wT, gh, false, gates, gh,
            bx.IsEmpty ? default : bx[..gh], bx.IsEmpty ? GemmBias.None : GemmBias.PerColumn, threads: threads);

        IsaLevel level = KernelIsa.Clamp(isa);
        unsafe
        {
            fixed (float* pg0 = gates, prec = rec, pstate = state, pc = cell0, prh = rh, py = y, prT = rT)
            {
                float* hPrev = pstate;
                for (int s = 0; s < seq; s++)
                {
                    int t = reverse ? seq - 1 - s : s;
                    float* pg = pg0 + ((long)t * batch * gh);
                    float* hOut = py + (((long)t * dirs) + dir) * bh;
                    var hPrevSpan = new ReadOnlySpan<float>(hPrev, (int)bh);
                    var rTSpan = new ReadOnlySpan<float>(prT, hidden * gh);
                    switch (cell)
                    {
                        case RecurrentCell.Lstm:
                        case RecurrentCell.Rnn:
                            Gemm.Compute(level, batch, gh, hidden, hPrevSpan, hidden, false, rTSpan, gh, false,
                                new Span<float>(pg, batch * gh), gh, accumulate: true, threads: threads);
                            break;
                        case RecurrentCell.GruLinearBeforeReset:
                            Gemm.Compute(level, batch, gh, hidden, hPrevSpan, hidden, false, rTSpan, gh, false,
                                new Span<float>(prec, batch * gh), gh, rb.IsEmpty ? default : rb[..gh],
                                rb.IsEmpty ? GemmBias.None : GemmBias.PerColumn, threads: threads);
                            break;
                        default:
                            // z and r need only the first 2H columns; (r ⊙ h)·Rhᵀ follows once r is known.
                            Gemm.Compute(level, batch, 2 * hidden, hidden, hPrevSpan, hidden, false, rTSpan, gh, false,
                                new Span<float>(prec, batch * gh), gh, rb.IsEmpty ? default : rb[..(2 * hidden)],
                                rb.IsEmpty ? GemmBias.None : GemmBias.PerColumn, threads: threads);
                            break;
                    }

                    for (int b = 0; b < batch; b++)
                    {
                        float* gRow = pg + ((long)b * gh);
                        float* rRow = prec + ((long)b * gh);
                        float* hp = hPrev + ((long)b * hidden);
                        float* ho = hOut + ((long)b * hidden);
                        float* cr = pc + ((long)b * hidden);
                        switch (cell)
                        {
                            case RecurrentCell.Lstm: Lanes(level, new LstmStep(gRow, cr, ho, hidden), hidden); break;
                            case RecurrentCell.Rnn: Lanes(level, new RnnStep(gRow, ho), hidden); break;
                            case RecurrentCell.GruLinearBeforeReset: Lanes(level, new GruStep(gRow, rRow, hp, ho, hidden, linearBeforeReset: true), hidden); break;
                            default: Lanes(level, new GruGateStep(gRow, rRow, hp, prh + ((long)b * hidden), hidden), hidden); break;
                        }
                    }

                    if (cell == RecurrentCell.Gru)
                    {
                        // rec[2H..3H) = rb_h + (r ⊙ h)·Rhᵀ, then the new h.
                        Gemm.Compute(level, batch, hidden, hidden, new ReadOnlySpan<float>(prh, (int)bh), hidden, false,
                            rTSpan[(2 * hidden)..], gh, false, new Span<float>(prec + (2 * hidden), (batch * gh) - (2 * hidden)), gh,
                            rb.IsEmpty ? default : rb.Slice(2 * hidden, hidden), rb.IsEmpty ? GemmBias.None : GemmBias.PerColumn, threads: threads);
                        for (int b = 0; b < batch; b++)
                        {
                            Lanes(level, new GruStep(pg + ((long)b * gh), prec + ((long)b * gh), hPrev + ((long)b * hidden), hOut + ((long)b * hidden), hidden, linearBeforeReset: false), hidden);
                        }
                    }

                    hPrev = hOut;
                }

                if (!yh.IsEmpty)
                {
                    new ReadOnlySpan<float>(hPrev, (int)bh).CopyTo(yh);
                }

                if (!yc.IsEmpty)
                {
                    new ReadOnlySpan<float>(pc, (int)bh).CopyTo(yc);
                }
            }
        }
    }

    private static void Fill(Span<float> dst, ReadOnlySpan<float> src, long n)
    {
        if (src.IsEmpty)
        {
            dst.Clear();
        }
        else
        {
            src[..(int)n].CopyTo(dst);
        }
    }

    // ---------------------------------------------------------------- cell steps (one row of H lanes)

    /// <summary>A computation on lane i of a row, written once over the width abstraction.</summary>
    private interface ILaneStep
    {
        void Invoke<TV, S>(nint i)
            where TV : struct
            where S : struct, ISimd<TV>;
    }

    private static void Lanes<TStep>(IsaLevel level, TStep step, int n)
        where TStep : struct, ILaneStep
    {
        switch (level)
        {
            case IsaLevel.V512: LanesCore<TStep, Vector512<float>, S512>(step, n); break;
            case IsaLevel.V256: LanesCore<TStep, Vector256<float>, S256>(step, n); break;
            case IsaLevel.V128: LanesCore<TStep, Vector128<float>, S128>(step, n); break;
            default: LanesCore<TStep, float, S1>(step, n); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LanesCore<TStep, TV, S>(TStep step, nint n)
        where TStep : struct, ILaneStep
        where TV : struct
        where S : struct, ISimd<TV>
    {
        nint i = 0;
        for (; i <= n - S.Count; i += S.Count)
        {
            step.Invoke<TV, S>(i);
        }

        for (; i < n; i++)
        {
            step.Invoke<float, S1>(i);
        }
    }

    /// <summary>LSTM: gates row [i, o, f, g] (pre-activation), cell state c in place, h out.</summary>
    private readonly unsafe struct LstmStep(float* gates, float* c, float* h, int hidden) : ILaneStep
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Invoke<TV, S>(nint i)
            where TV : struct
            where S : struct, ISimd<TV>
        {
            ref float g = ref gates[0];
            TV ig = FloatMath.Sigmoid<TV, S>(S.Load(ref g, i));
            TV og = FloatMath.Sigmoid<TV, S>(S.Load(ref g, i + hidden));
            TV fg = FloatMath.Sigmoid<TV, S>(S.Load(ref g, i + (2 * hidden)));
            TV cg = FloatMath.Tanh<TV, S>(S.Load(ref g, i + (3 * hidden)));
            TV cn = S.Fma(fg, S.Load(ref c[0], i), S.Mul(ig, cg));
            S.Store(cn, ref c[0], i);
            S.Store(S.Mul(og, FloatMath.Tanh<TV, S>(cn)), ref h[0], i);
        }
    }

    /// <summary>RNN: h = tanh(gates).</summary>
    private readonly unsafe struct RnnStep(float* gates, float* h) : ILaneStep
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Invoke<TV, S>(nint i)
            where TV : struct
            where S : struct, ISimd<TV>
            => S.Store(FloatMath.Tanh<TV, S>(S.Load(ref gates[0], i)), ref h[0], i);
    }

    /// <summary>
    /// GRU after the recurrent products: xw row [z, r, h] (input part + input bias), rec row [z, r, h] (recurrent part +
    /// recurrent bias; for linear-before-reset 0 the z slot already holds σ(z) and the h slot (r⊙h)·Rhᵀ + rb_h).
    /// </summary>
    private readonly unsafe struct GruStep(float* xw, float* rec, float* hPrev, float* h, int hidden, bool linearBeforeReset) : ILaneStep
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Invoke<TV, S>(nint i)
            where TV : struct
            where S : struct, ISimd<TV>
        {
            ref float a = ref xw[0];
            ref float r = ref rec[0];
            TV hp = S.Load(ref hPrev[0], i);
            TV hc;
            TV z;
            if (linearBeforeReset)
            {
                z = FloatMath.Sigmoid<TV, S>(S.Add(S.Load(ref a, i), S.Load(ref r, i)));
                TV rg = FloatMath.Sigmoid<TV, S>(S.Add(S.Load(ref a, i + hidden), S.Load(ref r, i + hidden)));
                hc = FloatMath.Tanh<TV, S>(S.Fma(rg, S.Load(ref r, i + (2 * hidden)), S.Load(ref a, i + (2 * hidden))));
            }
            else
            {
                z = S.Load(ref r, i);
                hc = FloatMath.Tanh<TV, S>(S.Add(S.Load(ref a, i + (2 * hidden)), S.Load(ref r, i + (2 * hidden))));
            }

            S.Store(S.Fma(z, S.Sub(hp, hc), hc), ref h[0], i);
        }
    }

    /// <summary>GRU with linear-before-reset 0, before the second product: z slot := σ(z), rh := σ(r) ⊙ h.</summary>
    private readonly unsafe struct GruGateStep(float* xw, float* rec, float* hPrev, float* rh, int hidden) : ILaneStep
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Invoke<TV, S>(nint i)
            where TV : struct
            where S : struct, ISimd<TV>
        {
            ref float a = ref xw[0];
            ref float r = ref rec[0];
            S.Store(FloatMath.Sigmoid<TV, S>(S.Add(S.Load(ref a, i), S.Load(ref r, i))), ref r, i);
            TV rg = FloatMath.Sigmoid<TV, S>(S.Add(S.Load(ref a, i + hidden), S.Load(ref r, i + hidden)));
            S.Store(S.Mul(rg, S.Load(ref hPrev[0], i)), ref rh[0], i);
        }
    }
}
