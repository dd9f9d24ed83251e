using System.Runtime.CompilerServices;

namespace ModelBuild.Runtime.Kernels;

/// <summary>
/// One block of tile rows of <see cref="WinogradConv"/>: phase split + input transform per channel into V,
/// 36 GEMMs into M, output transform into y. Scratch is per thread and reused between calls.
/// </summary>
internal static unsafe class WinogradBlock
{
    private const int T = WinogradConv.Tile, P = WinogradConv.Patch, Pos = WinogradConv.Positions;

    /// <summary>Sizes shared by every block of one call.</summary>
    internal sealed class Plan
    {
        public Plan(Conv2DParams p, IsaLevel level, int tilesX, int tilesY, int rows)
        {
            Params = p;
            Level = FewestColumns(level, rows * tilesX);
            TransformLevel = FewestVectors(level, tilesX); // from the caller's level, not the GEMM's
            TilesX = tilesX;
            TilesY = tilesY;
            Rows = rows;
            OH = p.ConvOutH;
            OW = p.ConvOutW;
            int nr = Gemm.PanelWidth(level);
            Ldt = (((rows * tilesX) + nr - 1) / nr * nr) + WinogradConv.SlackFloats;
            PhaseWidth = tilesX + 2 + WinogradConv.SlackFloats; // tile q reads columns q, q+1 of each phase
            PhaseRows = (T * rows) + 2;
        }

        /// <summary>The narrowest level not above <paramref name="level"/> that covers a row of tiles in as few vectors as
        /// <paramref name="level"/> does (14 tiles: one 16-lane vector beats two of 8; 7 tiles: one of 8).</summary>
        private static IsaLevel FewestVectors(IsaLevel level, int tiles)
        {
            static int Vectors(IsaLevel l, int n) => (n + Math.Max(1, (int)l / 32) - 1) / Math.Max(1, (int)l / 32);
            int best = Vectors(level, tiles);
            IsaLevel chosen = level;
            foreach (IsaLevel narrower in new[] { IsaLevel.V256, IsaLevel.V128, IsaLevel.Scalar })
            {
                if ((int)narrower < (int)chosen && Vectors(narrower, tiles) == best)
                {
                    chosen = narrower;
                }
            }

            return chosen;
        }

        /// <summary>
        /// GEMM level: narrower panels when they at least halve the padded columns of the block's tiles (16 tiles of a
        /// 14×14 output: one 16-wide panel instead of half of a 32-wide one, measured 2.4× faster; 70 tiles in 80
        /// instead of 96 columns was 1.5× slower: the wide kernel wins whenever it is mostly full). Same bits at any level.
        /// </summary>
        private static IsaLevel FewestColumns(IsaLevel level, int tiles)
        {
            static int Columns(IsaLevel l, int n) => (n + Gemm.PanelWidth(l) - 1) / Gemm.PanelWidth(l) * Gemm.PanelWidth(l);
            IsaLevel chosen = level;
            foreach (IsaLevel narrower in new[] { IsaLevel.V256, IsaLevel.V128 })
            {
                if ((int)narrower < (int)chosen && Columns(narrower, tiles) * 2 <= Columns(chosen, tiles))
                {
                    chosen = narrower;
                }
            }

            return chosen;
        }

        public Conv2DParams Params { get; }

        /// <summary>Level of the GEMMs.</summary>
        public IsaLevel Level { get; }

        /// <summary>Transform width: the widest level whose vector fits a tile row (same bits at any width).</summary>
        public IsaLevel TransformLevel { get; }

        public int TilesX { get; }

        public int TilesY { get; }

        public int Rows { get; }

        public int OH { get; }

        public int OW { get; }

        /// <summary>Row stride of V and M: the block's tiles rounded up to whole GEMM panels, + slack for the last vector.</summary>
        public int Ldt { get; }

        public int PhaseWidth { get; }

        public int PhaseRows { get; }
    }

    [ThreadStatic]
    private static float[]? t_scratch;

    [ThreadStatic]
    private static float[]? t_small;

    /// <summary>
    /// Computes the output tile rows [ty0, ty0 + plan.Rows) of one image (x, y at that image). With
    /// <paramref name="threads"/> &gt; 1 (a block too small to split by rows) the channels of the input transform, the
    /// 36 GEMMs and the output channels are split between threads; every value is still computed by one thread.
    /// </summary>
    public static void Run(Plan plan, WinogradWeights wg, float* x, float* bias, float* y, int ty0, int threads = 1)
    {
        Conv2DParams p = plan.Params;
        int rows = Math.Min(plan.Rows, plan.TilesY - ty0);
        int nr = Gemm.PanelWidth(plan.Level);
        // the GEMMs run over whole panels (the slack columns compute garbage that is never read): a ragged panel
        // would take the GEMM's slow edge path, which cost more than the wasted columns
        int tiles = rows * plan.TilesX, cols = (tiles + nr - 1) / nr * nr, ldt = plan.Ldt;
        long vPos = SpreadStride((long)p.C * ldt), mPos = SpreadStride((long)p.OC * ldt);
        float[] s = Scratch(ref t_scratch, Pos * (vPos + mPos));
        fixed (float* s0 = s)
        {
            float* v = s0, m = s0 + (Pos * vPos);
            long plane = (long)p.H * p.W;
            int phaseLen = 4 * plan.PhaseRows * plan.PhaseWidth;
            KernelParallel.For(p.C, threads, (c0, c1) =>
            {
                fixed (float* small = Scratch(ref t_small, phaseLen + (Pos * 16)))
                {
                    var input = new InputBody { Plan = plan, Phases = small, Tmp = small + phaseLen, Rows = rows, PosStride = vPos };
                    for (int c = c0; c < c1; c++)
                    {
                        SplitPhases(plan, x + (c * plane), T * ty0, small);
                        input.V = v + ((long)c * ldt);
                        IsaDispatch.Run(plan.TransformLevel, ref input);
                    }
                }
            });

            KernelParallel.For(Pos, threads, (p0, p1) =>
            {
                for (int pos = p0; pos < p1; pos++)
                {
                    Gemm.Compute(plan.Level, cols, wg.Positions[pos],
                        new ReadOnlySpan<float>(v + (pos * vPos), p.C * ldt), ldt, false,
                        new Span<float>(m + (pos * mPos), p.OC * ldt), ldt, threads: 1);
                }
            });

            long oplane = (long)plan.OH * plan.OW;
            KernelParallel.For(p.OC, threads, (o0, o1) =>
            {
                fixed (float* small = Scratch(ref t_small, Pos * 16 * 2))
                {
                    var output = new OutputBody
                    {
                        Plan = plan, M = m, PosStride = mPos, Tmp = small, Stage = small + (Pos * 16), Rows = rows, Ty0 = ty0,
                        Lo = p.Activation.Lo, Hi = p.Activation.Hi, Act = p.Activation.Kind != ActivationKind.None,
                        HasBias = bias != null,
                    };
                    for (int oc = o0; oc < o1; oc++)
                    {
                        output.Oc = oc;
                        output.Bias = bias == null ? 0f : bias[oc];
                        output.Y = y + (oc * oplane);
                        IsaDispatch.Run(plan.TransformLevel, ref output);
                    }
                }
            });
        }
    }

    /// <summary>This thread's scratch of at least <paramref name="length"/> floats (kept between calls).</summary>
    private static float[] Scratch(ref float[]? slot, long length)
    {
        float[]? a = slot;
        if (a == null || a.Length < length)
        {
            a = new float[length];
            slot = a;
        }

        return a;
    }

    /// <summary>
    /// Distance between the 36 position matrices: a multiple of 4 KB plus 3 cache lines, so the 36 streams a transform
    /// writes or reads fall in different cache sets (a plain power-of-two-ish size put them all in one set and
    /// made the transforms several times slower).
    /// </summary>
    internal static long SpreadStride(long floats) => ((floats + 1023) / 1024 * 1024) + 48;

    /// <summary>
    /// Zero-padded rows [row0, row0 + PhaseRows) of one channel split into four column phases:
    /// phase[ph][r, q] = padded[row0 + r, 4q + ph], so tap (r, j) of tile q is phase[j % 4][r, q + j / 4].
    /// </summary>
    private static void SplitPhases(Plan plan, float* src, int row0, float* dst)
    {
        Conv2DParams p = plan.Params;
        int wq = plan.PhaseWidth, used = plan.TilesX + 2, phaseSize = plan.PhaseRows * wq;
        int w = p.W;
        for (int r = 0; r < plan.PhaseRows; r++)
        {
            int iy = row0 + r - p.PadTop;
            float* d0 = dst + (r * wq), d1 = d0 + phaseSize, d2 = d1 + phaseSize, d3 = d2 + phaseSize;
            if ((uint)iy >= (uint)p.H)
            {
                for (int q = 0; q < used; q++)
                {
                    d0[q] = 0f; d1[q] = 0f; d2[q] = 0f; d3[q] = 0f;
                }

                continue;
            }

            float* row = src + ((long)iy * w);
            for (int q = 0; q < used; q++)
            {
                int ix = (4 * q) - p.PadLeft;
                if (ix >= 0 && ix + 3 < w)
                {
                    d0[q] = row[ix]; d1[q] = row[ix + 1]; d2[q] = row[ix + 2]; d3[q] = row[ix + 3];
                }
                else
                {
                    d0[q] = (uint)ix < (uint)w ? row[ix] : 0f;
                    d1[q] = (uint)(ix + 1) < (uint)w ? row[ix + 1] : 0f;
                    d2[q] = (uint)(ix + 2) < (uint)w ? row[ix + 2] : 0f;
                    d3[q] = (uint)(ix + 3) < (uint)w ? row[ix + 3] : 0f;
                }
            }
        }
    }

    /// <summary>V[pos][c, tile] = (Bᵀ·d·B)[pos] for one channel: rows of the patch first (along x), then columns.</summary>
    private struct InputBody : IWidthBody
    {
        public Plan Plan;
        public float* Phases, Tmp, V;
        public long PosStride;
        public int Rows;

        public void Run<TV, S>()
            where TV : struct
            where S : struct, ISimd<TV>
        {
            int w = S.Count, wq = Plan.PhaseWidth, tilesX = Plan.TilesX;
            long phaseSize = (long)Plan.PhaseRows * wq;
            ref float tmp = ref *Tmp;
            for (int ty = 0; ty < Rows; ty++)
            {
                for (int tx = 0; tx < tilesX; tx += w)
                {
                    float* b0 = Phases + (T * ty * wq) + tx;
                    for (int r = 0; r < P; r++)
                    {
                        ref float q0 = ref *(b0 + (r * wq));
                        ref float q1 = ref *(b0 + (r * wq) + phaseSize);
                        ref float q2 = ref *(b0 + (r * wq) + (2 * phaseSize));
                        ref float q3 = ref *(b0 + (r * wq) + (3 * phaseSize));
                        WinogradTransforms.Input<TV, S>(
                            S.Load(ref q0, 0), S.Load(ref q1, 0), S.Load(ref q2, 0), S.Load(ref q3, 0), S.Load(ref q0, 1), S.Load(ref q1, 1),
                            ref Unsafe.Add(ref tmp, r * P * w), w);
                    }

                    ref float dst = ref *(V + (ty * tilesX) + tx);
                    nint ps = (nint)PosStride, rs = P * w;
                    for (int k = 0; k < P; k++)
                    {
                        nint o = k * w;
                        WinogradTransforms.Input<TV, S>(
                            S.Load(ref tmp, o), S.Load(ref tmp, o + rs), S.Load(ref tmp, o + (2 * rs)),
                            S.Load(ref tmp, o + (3 * rs)), S.Load(ref tmp, o + (4 * rs)), S.Load(ref tmp, o + (5 * rs)),
                            ref Unsafe.Add(ref dst, k * ps), P * ps);
                    }
                }
            }
        }
    }

    /// <summary>y tiles of one output channel = clamp(Aᵀ·M·A + bias): rows first (along x), then columns.</summary>
    private struct OutputBody : IWidthBody
    {
        public Plan Plan;
        public float* M, Tmp, Stage, Y;
        public long PosStride;
        public int Rows, Ty0, Oc;
        public float Bias, Lo, Hi;
        public bool HasBias, Act;

        public void Run<TV, S>()
            where TV : struct
            where S : struct, ISimd<TV>
        {
            int w = S.Count, tilesX = Plan.TilesX, oh = Plan.OH, ow = Plan.OW;
            nint ps = (nint)PosStride;
            ref float tmp = ref *Tmp;
            ref float stage = ref *Stage;
            TV bias = S.Splat(Bias), lo = S.Splat(Lo), hi = S.Splat(Hi);
            for (int ty = 0; ty < Rows; ty++)
            {
                for (int tx = 0; tx < tilesX; tx += w)
                {
                    ref float src = ref *(M + ((long)Oc * Plan.Ldt) + (ty * tilesX) + tx);
                    for (int l = 0; l < P; l++)
                    {
                        nint b = l * P * ps;
                        WinogradTransforms.Output<TV, S>(
                            S.Load(ref src, b), S.Load(ref src, b + ps), S.Load(ref src, b + (2 * ps)),
                            S.Load(ref src, b + (3 * ps)), S.Load(ref src, b + (4 * ps)), S.Load(ref src, b + (5 * ps)),
                            ref Unsafe.Add(ref tmp, l * T * w), w);
                    }

                    // stage[(yo·4 + xo)·w + lane]
                    for (int xo = 0; xo < T; xo++)
                    {
                        nint o = xo * w, rs = T * w;
                        WinogradTransforms.OutputFinal<TV, S>(
                            S.Load(ref tmp, o), S.Load(ref tmp, o + rs), S.Load(ref tmp, o + (2 * rs)),
                            S.Load(ref tmp, o + (3 * rs)), S.Load(ref tmp, o + (4 * rs)), S.Load(ref tmp, o + (5 * rs)),
                            HasBias, bias, Act, lo, hi, ref Unsafe.Add(ref stage, o), rs);
                    }

                    Scatter(tx, ty, w, tilesX, oh, ow);
                }
            }
        }

        /// <summary>Copies the staged 4×4 tiles of lanes [0, w) to y, dropping lanes past the row and outputs past the edge.</summary>
        private readonly void Scatter(int tx, int ty, int w, int tilesX, int oh, int ow)
        {
            int lanes = Math.Min(w, tilesX - tx);
            int oy0 = T * (Ty0 + ty);
            int yo1 = Math.Min(T, oh - oy0);
            for (int yo = 0; yo < yo1; yo++)
            {
                float* yrow = Y + ((long)(oy0 + yo) * ow);
                float* srow = Stage + (yo * T * w);
                for (int lane = 0; lane < lanes; lane++)
                {
                    int ox0 = T * (tx + lane);
                    if (ox0 + T <= ow)
                    {
                        yrow[ox0] = srow[lane]; yrow[ox0 + 1] = srow[w + lane];
                        yrow[ox0 + 2] = srow[(2 * w) + lane]; yrow[ox0 + 3] = srow[(3 * w) + lane];
                    }
                    else
                    {
                        for (int xo = 0; ox0 + xo < ow; xo++)
                        {
                            yrow[ox0 + xo] = srow[(xo * w) + lane];
                        }
                    }
                }
            }
        }
    }
}
