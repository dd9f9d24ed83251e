using System.Runtime.CompilerServices;

namespace ModelBuild.Runtime.Kernels;

/// <summary>3×3 weights transformed once for <see cref="WinogradSmallPlane"/>: U[pos] as a C×OC matrix per tile position.</summary>
internal sealed class WinogradSmallWeights
{
    private readonly float[][] _u;
    private readonly PackedB?[][] _packed = new PackedB?[4][];

    internal WinogradSmallWeights(float[][] u, int oc, int c)
    {
        _u = u;
        OC = oc;
        C = c;
    }

    public int OC { get; }

    public int C { get; }

    /// <summary>The 16 U matrices packed as GEMM B operands for <paramref name="level"/> (built once per level).</summary>
    internal PackedB[] Packed(IsaLevel level)
    {
        int slot = level switch { IsaLevel.V512 => 3, IsaLevel.V256 => 2, IsaLevel.V128 => 1, _ => 0 };
        PackedB?[]? b = _packed[slot];
        if (b == null || b[0]!.Isa != level)
        {
            b = new PackedB?[WinogradSmallPlane.Positions];
            for (int pos = 0; pos < b.Length; pos++)
            {
                b[pos] = Gemm.PackB(level, _u[pos], OC, false, C, OC);
            }

            _packed[slot] = b; // racing first calls build identical packs; either may win
        }

        return b!;
    }
}

/// <summary>
/// Winograd F(2,3) for 3×3 stride-1 convolutions with small outputs (resnet18's 7×7 stage: F(4,3) gets 4 tiles there
/// and its GEMMs run on a quarter-filled panel; im2col does 2.25× the multiplies). Per image, channels last: the
/// padded input X[py, px, c]; per 2×2 output tile its 4×4 patch d gives V = Bᵀ·d·B (d·B per patch row, then Bᵀ·),
/// stored V[pos][tile, c]; 16 GEMMs M[pos] = V[pos]·U[pos] (tiles as rows, output channels as columns:
/// <see cref="Gemm"/>'s ascending-c FMA chain, init 0); per tile o = Aᵀ·M·A (Aᵀ· per column, then ·A), + bias,
/// clamp. Lanes are channels; every width runs the same per-element sequence, so all levels and thread counts give
/// the same bits (not the direct chain's bits: within float rounding of it). Reference: <see cref="Conv2D"/> at
/// <see cref="IsaLevel.Scalar"/>.
/// </summary>
internal static class WinogradSmallPlane
{
    internal const int Positions = 16;

    [ThreadStatic]
    private static float[]? t_scratch;

    /// <summary>
    /// Where F(4,3) is not preferred (fewer than 9 of its tiles) but the output still has 4..64 tiles of 2×2, with
    /// at least 16 input and output channels (the GEMMs need rows and columns to fill their panels).
    /// </summary>
    public static bool Preferred(Conv2DParams p)
    {
        if (!WinogradConv.Supports(p) || WinogradConv.Preferred(p) || p.C < 16 || p.OC < 16)
        {
            return false;
        }

        long tiles = (long)((p.ConvOutH + 1) / 2) * ((p.ConvOutW + 1) / 2);
        return tiles is >= 4 and <= 64;
    }

    /// <summary>U = G·g·Gᵀ for w[OC, C, 3, 3] with G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1], in double, rounded once.</summary>
    public static WinogradSmallWeights TransformWeights(Conv2DParams p, ReadOnlySpan<float> w)
    {
        p.Validate(true);
        if (!WinogradConv.Supports(p))
        {
            throw new ArgumentException("Winograd needs a 3x3, stride 1, dilation 1, single-group convolution");
        }

        int oc = p.OC, c = p.C;
        if (w.Length < (long)oc * c * 9)
        {
            throw new ArgumentException("conv weights too small");
        }

        var u = new float[Positions][];
        for (int pos = 0; pos < Positions; pos++)
        {
            u[pos] = new float[(long)c * oc];
        }

        Span<double> t = stackalloc double[12];
        for (int o = 0; o < oc; o++)
        {
            for (int ci = 0; ci < c; ci++)
            {
                ReadOnlySpan<float> k = w.Slice(((o * c) + ci) * 9, 9);
                for (int a = 0; a < 3; a++)
                {
                    // t[a, ·] = G · (row a of g)ᵀ
                    double g0 = k[a * 3], g1 = k[(a * 3) + 1], g2 = k[(a * 3) + 2];
                    t[(a * 4) + 0] = g0;
                    t[(a * 4) + 1] = 0.5 * (g0 + g1 + g2);
                    t[(a * 4) + 2] = 0.5 * (g0 - g1 + g2);
                    t[(a * 4) + 3] = g2;
                }

                for (int kx = 0; kx < 4; kx++)
                {
                    double r0 = t[kx], r1 = t[4 + kx], r2 = t[8 + kx];
                    u[kx][((long)ci * oc) + o] = (float)r0;
                    u[4 + kx][((long)ci * oc) + o] = (float)(0.5 * (r0 + r1 + r2));
                    u[8 + kx][((long)ci * oc) + o] = (float)(0.5 * (r0 - r1 + r2));
                    u[12 + kx][((long)ci * oc) + o] = (float)r2;
                }
            }
        }

        return new WinogradSmallWeights(u, oc, c);
    }

    /// <summary>y[N,OC,OH,OW] = conv3x3(x, w) + bias by F(2,3), with <paramref name="weights"/> from <see cref="TransformWeights"/>.</summary>
    public static unsafe void Conv2D(IsaLevel isa, Conv2DParams p, ReadOnlySpan<float> x, WinogradSmallWeights weights, ReadOnlySpan<float> bias, Span<float> y, int threads = 1)
    {
        p.Validate(true);
        ArgumentNullException.ThrowIfNull(weights);
        int oh = p.ConvOutH, ow = p.ConvOutW;
        if (!WinogradConv.Supports(p) || weights.C != p.C || weights.OC != p.OC)
        {
            throw new ArgumentException("Winograd weights or geometry do not match the convolution parameters");
        }

        if (x.Length < (long)p.N * p.C * p.H * p.W || y.Length < (long)p.N * p.OC * oh * ow || (!bias.IsEmpty && bias.Length < p.OC))
        {
            throw new ArgumentException("conv spans too small");
        }

        IsaLevel level = KernelIsa.Clamp(isa);
        var g = new Geometry(p);
        PackedB[] u = weights.Packed(Gemm.NarrowForColumns(level, p.OC));
        long work = (long)g.Tiles * p.C * p.OC * Positions;
        int t = KernelParallel.Effective(threads, work, 1L << 20);
        float[] scratch = Scratch(g.ScratchFloats);
        fixed (float* px0 = x, pb0 = bias, py0 = y, s0 = scratch)
        {
            float* pb = bias.IsEmpty ? null : pb0, xs = s0, v = xs + g.PaddedFloats, m = v + g.VFloats, ycl = m + g.MFloats;
            for (int n = 0; n < p.N; n++)
            {
                PadChannelsLast(p, g, px0 + ((long)n * p.C * p.H * p.W), xs);
                var input = new InputBody { G = g, X = xs, V = v, C = p.C };
                IsaDispatch.Run(level, ref input);
                GemmPositions(g, p, u, v, m, t);
                var output = new OutputBody { G = g, M = m, Y = ycl, Bias = pb, OC = p.OC, Act = p.Activation.Kind != ActivationKind.None, Lo = p.Activation.Lo, Hi = p.Activation.Hi };
                IsaDispatch.Run(level, ref output);
                ToChannelsFirst(g, p.OC, ycl, py0 + ((long)n * p.OC * oh * ow));
            }
        }
    }

    /// <summary>The 16 products, split over positions when threads help (each product on one thread).</summary>
    private static unsafe void GemmPositions(Geometry g, Conv2DParams p, PackedB[] u, float* v, float* m, int threads)
    {
        if (threads <= 1)
        {
            for (int pos = 0; pos < Positions; pos++)
            {
                Product(g, p, u, v, m, pos);
            }

            return;
        }

        KernelParallel.For(Positions, threads, (p0, p1) =>
        {
            for (int pos = p0; pos < p1; pos++)
            {
                Product(g, p, u, v, m, pos);
            }
        });
    }

    private static unsafe void Product(Geometry g, Conv2DParams p, PackedB[] u, float* v, float* m, int pos) =>
        Gemm.Compute(u[pos].Isa, g.Tiles, p.OC, p.C,
            new ReadOnlySpan<float>(v + (pos * g.VPos), g.Tiles * p.C), p.C, false, u[pos],
            new Span<float>(m + (pos * g.MPos), g.Tiles * p.OC), p.OC, threads: 1);

    /// <summary>X[py, px, c] = x[c, py − padTop, px − padLeft], 0 outside the image (exact copies).</summary>
    private static unsafe void PadChannelsLast(Conv2DParams p, Geometry g, float* x, float* xs)
    {
        new Span<float>(xs, (int)g.PaddedFloats).Clear();
        int c = p.C;
        for (int ci = 0; ci < c; ci++)
        {
            float* plane = x + ((long)ci * p.H * p.W);
            for (int iy = 0; iy < p.H; iy++)
            {
                int py = iy + p.PadTop;
                if ((uint)py >= (uint)g.Hp)
                {
                    continue;
                }

                float* drow = xs + ((long)py * g.Wp * c) + ci;
                for (int ix = 0; ix < p.W; ix++)
                {
                    int px = ix + p.PadLeft;
                    if ((uint)px < (uint)g.Wp)
                    {
                        drow[(long)px * c] = plane[((long)iy * p.W) + ix];
                    }
                }
            }
        }
    }

    /// <summary>y[oc, oy, ox] = Y[oy, ox, oc] (exact copies).</summary>
    private static unsafe void ToChannelsFirst(Geometry g, int oc, float* ycl, float* y)
    {
        int positions = g.OH * g.OW;
        for (int pos = 0; pos < positions; pos++)
        {
            float* src = ycl + ((long)pos * oc);
            for (int o = 0; o < oc; o++)
            {
                y[((long)o * positions) + pos] = src[o];
            }
        }
    }

    private static float[] Scratch(long floats)
    {
        if (floats > Array.MaxLength)
        {
            throw new ArgumentException("Winograd scratch too large");
        }

        float[]? s = t_scratch;
        if (s == null || s.Length < floats)
        {
            s = new float[floats];
            t_scratch = s;
        }

        return s;
    }

    /// <summary>Sizes of one image: tiles, the padded channels-last input, V, M and the channels-last output.</summary>
    private readonly struct Geometry
    {
        public Geometry(Conv2DParams p)
        {
            OH = p.ConvOutH;
            OW = p.ConvOutW;
            TilesY = (OH + 1) / 2;
            TilesX = (OW + 1) / 2;
            Tiles = TilesY * TilesX;
            Hp = (2 * TilesY) + 2;
            Wp = (2 * TilesX) + 2;
            PaddedFloats = (long)Hp * Wp * p.C;
            // position matrices a few cache lines off 4 KB multiples: the transforms touch all 16 at once, and at a
            // plain stride they share one cache set (the input transform took 200 µs instead of 40 at 512 channels)
            VPos = WinogradBlock.SpreadStride((long)Tiles * p.C);
            MPos = WinogradBlock.SpreadStride((long)Tiles * p.OC);
            VFloats = Positions * VPos;
            MFloats = Positions * MPos;
            ScratchFloats = PaddedFloats + VFloats + MFloats + ((long)OH * OW * p.OC);
        }

        public int OH { get; }

        public int OW { get; }

        public int TilesY { get; }

        public int TilesX { get; }

        public int Tiles { get; }

        public int Hp { get; }

        public int Wp { get; }

        public long PaddedFloats { get; }

        /// <summary>Floats from one position's V matrix to the next.</summary>
        public long VPos { get; }

        /// <summary>Floats from one position's M matrix to the next.</summary>
        public long MPos { get; }

        public long VFloats { get; }

        public long MFloats { get; }

        public long ScratchFloats { get; }
    }

    /// <summary>V[pos][tile, c] = (Bᵀ·d·B)[pos] of each tile's 4×4 patch, vectorized over channels.</summary>
    private unsafe struct InputBody : IWidthBody
    {
        public Geometry G;
        public float* X, V;
        public int C;

        public readonly void Run<TV, S>()
            where TV : struct
            where S : struct, ISimd<TV>
        {
            int c = C, w = S.Count, ci = 0;
            for (; ci <= c - w; ci += w)
            {
                Channels<TV, S>(ci);
            }

            for (; ci < c; ci++)
            {
                Channels<float, S1>(ci);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private readonly void Channels<TV, S>(int ci)
            where TV : struct
            where S : struct, ISimd<TV>
        {
            nint rowStride = (nint)((long)G.Wp * C), col = C, ps = (nint)G.VPos;
            for (int ty = 0; ty < G.TilesY; ty++)
            {
                for (int tx = 0; tx < G.TilesX; tx++)
                {
                    ref float d = ref X[((2L * ty) * rowStride) + (2L * tx * C) + ci];
                    ref float dst = ref V[((long)((ty * G.TilesX) + tx) * C) + ci];
                    // d·B per patch row, then Bᵀ· per column
                    Quad<TV> r0 = Transform<TV, S>(ref d, 0, col), r1 = Transform<TV, S>(ref d, rowStride, col);
                    Quad<TV> r2 = Transform<TV, S>(ref d, 2 * rowStride, col), r3 = Transform<TV, S>(ref d, 3 * rowStride, col);
                    StoreColumn<TV, S>(r0.A, r1.A, r2.A, r3.A, ref dst, 0, ps);
                    StoreColumn<TV, S>(r0.B, r1.B, r2.B, r3.B, ref dst, ps, ps);
                    StoreColumn<TV, S>(r0.C, r1.C, r2.C, r3.C, ref dst, 2 * ps, ps);
                    StoreColumn<TV, S>(r0.D, r1.D, r2.D, r3.D, ref dst, 3 * ps, ps);
                }
            }
        }

        /// <summary>(d0 − d2, d1 + d2, d2 − d1, d1 − d3) of four values at src + at + k·step.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Quad<TV> Transform<TV, S>(ref float src, nint at, nint step)
            where TV : struct
            where S : struct, ISimd<TV>
        {
            TV d0 = S.Load(ref src, at), d1 = S.Load(ref src, at + step), d2 = S.Load(ref src, at + (2 * step)), d3 = S.Load(ref src, at + (3 * step));
            return new Quad<TV>(S.Sub(d0, d2), S.Add(d1, d2), S.Sub(d2, d1), S.Sub(d1, d3));
        }

        /// <summary>Column j of V: positions j, 4 + j, 8 + j, 12 + j from the row results of that column.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void StoreColumn<TV, S>(TV t0, TV t1, TV t2, TV t3, ref float dst, nint at, nint ps)
            where TV : struct
            where S : struct, ISimd<TV>
        {
            S.Store(S.Sub(t0, t2), ref dst, at);
            S.Store(S.Add(t1, t2), ref dst, at + (4 * ps));
            S.Store(S.Sub(t2, t1), ref dst, at + (8 * ps));
            S.Store(S.Sub(t1, t3), ref dst, at + (12 * ps));
        }
    }

    /// <summary>Four vectors returned by value (promoted to registers; out parameters were not).</summary>
    private readonly struct Quad<TV>(TV a, TV b, TV c, TV d)
        where TV : struct
    {
        public readonly TV A = a, B = b, C = c, D = d;
    }

    /// <summary>Y[oy, ox, oc] = clamp((Aᵀ·M·A) + bias) of each tile, vectorized over output channels.</summary>
    private unsafe struct OutputBody : IWidthBody
    {
        public Geometry G;
        public float* M, Y, Bias;
        public int OC;
        public bool Act;
        public float Lo, Hi;

        public readonly void Run<TV, S>()
            where TV : struct
            where S : struct, ISimd<TV>
        {
            int w = S.Count, o = 0;
            for (; o <= OC - w; o += w)
            {
                Channels<TV, S>(o);
            }

            for (; o < OC; o++)
            {
                Channels<float, S1>(o);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private readonly void Channels<TV, S>(int o)
            where TV : struct
            where S : struct, ISimd<TV>
        {
            nint ps = (nint)G.MPos;
            TV bias = Bias == null ? default : S.Load(ref Bias[0], o), lo = S.Splat(Lo), hi = S.Splat(Hi);
            for (int ty = 0; ty < G.TilesY; ty++)
            {
                for (int tx = 0; tx < G.TilesX; tx++)
                {
                    ref float m = ref M[((long)((ty * G.TilesX) + tx) * OC) + o];
                    // Aᵀ·M per column j: ((m0 + m1) + m2, (m1 − m2) − m3) of positions j, 4 + j, 8 + j, 12 + j
                    Quad<TV> c0 = Column<TV, S>(ref m, 0, ps), c1 = Column<TV, S>(ref m, ps, ps);
                    Quad<TV> c2 = Column<TV, S>(ref m, 2 * ps, ps), c3 = Column<TV, S>(ref m, 3 * ps, ps);
                    // ·A per row (same two sums), + bias, clamp; outputs past the edge are dropped
                    int oy = 2 * ty, ox = 2 * tx;
                    Store<TV, S>(S.Add(S.Add(c0.A, c1.A), c2.A), bias, lo, hi, oy, ox, o);
                    Store<TV, S>(S.Sub(S.Sub(c1.A, c2.A), c3.A), bias, lo, hi, oy, ox + 1, o);
                    Store<TV, S>(S.Add(S.Add(c0.B, c1.B), c2.B), bias, lo, hi, oy + 1, ox, o);
                    Store<TV, S>(S.Sub(S.Sub(c1.B, c2.B), c3.B), bias, lo, hi, oy + 1, ox + 1, o);
                }
            }
        }

        /// <summary>The two Aᵀ sums of one column of M (in A, B; C and D unused).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Quad<TV> Column<TV, S>(ref float m, nint at, nint ps)
            where TV : struct
            where S : struct, ISimd<TV>
        {
            TV m0 = S.Load(ref m, at), m1 = S.Load(ref m, at + (4 * ps)), m2 = S.Load(ref m, at + (8 * ps)), m3 = S.Load(ref m, at + (12 * ps));
            return new Quad<TV>(S.Add(S.Add(m0, m1), m2), S.Sub(S.Sub(m1, m2), m3), default, default);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private readonly void Store<TV, S>(TV v, TV bias, TV lo, TV hi, int oy, int ox, int o)
            where TV : struct
            where S : struct, ISimd<TV>
        {
            if (oy >= G.OH || ox >= G.OW)
            {
                return;
            }

            if (Bias != null)
            {
                v = S.Add(v, bias);
            }

            if (Act)
            {
                v = S.Min(S.Max(v, lo), hi);
            }

            S.Store(v, ref Y[((((long)oy * G.OW) + ox) * OC) + o], 0);
        }
    }
}
