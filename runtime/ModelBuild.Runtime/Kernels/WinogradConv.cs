namespace ModelBuild.Runtime.Kernels;

/// <summary>3×3 weights transformed once for <see cref="WinogradConv"/>: one packed OC×C GEMM A per tile position.</summary>
internal sealed class WinogradWeights
{
    internal WinogradWeights(PackedA[] positions, int oc, int c)
    {
        Positions = positions;
        OC = oc;
        C = c;
    }

    public int OC { get; }

    public int C { get; }

    /// <summary>36 matrices U[pos][oc, c] = (G·g[oc, c]·Gᵀ)[pos], pos = 6·(y frequency) + (x frequency).</summary>
    internal PackedA[] Positions { get; }
}

/// <summary>
/// Winograd F(4,3) convolution for 3×3, stride 1, dilation 1, one group: output in 4×4 tiles, each from a 6×6 input
/// patch. Per block of tile rows: input transform V = Bᵀ·d·B per channel (rows first, then columns), 36 GEMMs
/// M[pos] = U[pos]·V[pos] over channels (<see cref="Gemm"/>, ascending-c FMA chain), output transform
/// y = clamp(Aᵀ·M·A + bias) (rows first, then columns). Lanes are tiles of one tile row; every width runs the same
/// per-element sequence (<see cref="WinogradTransforms"/>), so all levels and thread counts give the same bits — but
/// not the bits of the direct FMA chain (<see cref="Convolution.Conv2DReference"/>); it is within float rounding.
/// The scalar reference is <see cref="Conv2D"/> at <see cref="IsaLevel.Scalar"/>.
/// </summary>
internal static class WinogradConv
{
    internal const int Tile = 4;   // outputs per tile side
    internal const int Patch = 6;  // inputs per tile side
    internal const int Positions = Patch * Patch;
    private const int Slack = 16;  // one widest vector past a row: tail lanes compute garbage that is never kept

    /// <summary>V and M of one block are kept near this many floats (1 MB: the L2 of one core).</summary>
    internal static long BlockBudget = 1 << 18;

    /// <summary>Geometry the transform computes: 3×3, stride 1, dilation 1, one group.</summary>
    public static bool Supports(Conv2DParams p) =>
        p.KH == 3 && p.KW == 3 && p.StrideH == 1 && p.StrideW == 1 && p.DilationH == 1 && p.DilationW == 1 &&
        p.Group == 1 && p.ConvOutH > 0 && p.ConvOutW > 0;

    /// <summary>
    /// Whether Winograd is faster than the direct paths (kernel timings, 1 thread, V512; see Kernels/README.md): at
    /// least 16 input and output channels (C16→64 at 55×55 and C48→192 at 13×13 were 1.3–1.6× faster, C128 at 28×28
    /// 2.6×) and at least 9 tiles (a 7×7 output, 4 tiles padded to 8×8, was 0.7×); tiled area ≤ 1.6× the output.
    /// </summary>
    public static bool Preferred(Conv2DParams p)
    {
        if (!Supports(p) || p.C < 16 || p.OC < 16)
        {
            return false;
        }

        long tx = (p.ConvOutW + Tile - 1) / Tile, ty = (p.ConvOutH + Tile - 1) / Tile;
        return tx * ty >= 9 && tx * ty * Tile * Tile * 5 <= (long)p.ConvOutH * p.ConvOutW * 8;
    }

    /// <summary>U = G·g·Gᵀ for w[OC, C, 3, 3], computed in double and rounded once (ISA-independent).</summary>
    public static WinogradWeights TransformWeights(Conv2DParams p, ReadOnlySpan<float> w)
    {
        p.Validate(true);
        if (!Supports(p))
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
            u[pos] = new float[oc * c];
        }

        double[,] g = WinogradTransforms.G;
        Span<double> t = stackalloc double[3 * Patch];
        for (int o = 0; o < oc; o++)
        {
            for (int ci = 0; ci < c; ci++)
            {
                ReadOnlySpan<float> k = w.Slice(((o * c) + ci) * 9, 9);
                for (int a = 0; a < 3; a++)
                {
                    for (int kx = 0; kx < Patch; kx++)
                    {
                        t[(a * Patch) + kx] = (k[a * 3] * g[kx, 0]) + (k[(a * 3) + 1] * g[kx, 1]) + (k[(a * 3) + 2] * g[kx, 2]);
                    }
                }

                for (int ly = 0; ly < Patch; ly++)
                {
                    for (int kx = 0; kx < Patch; kx++)
                    {
                        double v = (g[ly, 0] * t[kx]) + (g[ly, 1] * t[Patch + kx]) + (g[ly, 2] * t[(2 * Patch) + kx]);
                        u[(ly * Patch) + kx][(o * c) + ci] = (float)v;
                    }
                }
            }
        }

        var packed = new PackedA[Positions];
        for (int pos = 0; pos < Positions; pos++)
        {
            packed[pos] = Gemm.PackA(u[pos], c, false, oc, c);
        }

        return new WinogradWeights(packed, oc, c);
    }

    /// <summary>y[N,OC,OH,OW] = conv3x3(x, w) + bias by F(4,3), with <paramref name="weights"/> from <see cref="TransformWeights"/>.</summary>
    public static void Conv2D(IsaLevel isa, Conv2DParams p, ReadOnlySpan<float> x, WinogradWeights weights, ReadOnlySpan<float> bias, Span<float> y, int threads = 1)
    {
        p.Validate(true);
        ArgumentNullException.ThrowIfNull(weights);
        int oh = p.ConvOutH, ow = p.ConvOutW;
        if (!Supports(p) || weights.C != p.C || weights.OC != p.OC)
        {
            throw new ArgumentException("Winograd weights or geometry do not match the convolution parameters");
        }

        if (x.Length < (long)p.N * p.C * p.H * p.W || y.Length < (long)p.N * p.OC * oh * ow || (!bias.IsEmpty && bias.Length < p.OC))
        {
            throw new ArgumentException("conv spans too small");
        }

        IsaLevel level = KernelIsa.Clamp(isa);
        int tx = (ow + Tile - 1) / Tile, ty = (oh + Tile - 1) / Tile;
        long work = (long)p.N * ty * tx * p.C * p.OC * Positions;
        int t = KernelParallel.Effective(threads, work, 1L << 20);
        var plan = new WinogradBlock.Plan(p, level, tx, ty, Rows(p, level, tx, ty, t));
        int blocksPerImage = (ty + plan.Rows - 1) / plan.Rows;
        int items = p.N * blocksPerImage;
        // fewer blocks than threads (small outputs): the threads share each block instead
        int inner = items < t ? t : 1;
        unsafe
        {
            fixed (float* px0 = x, pb0 = bias, py0 = y)
            {
                float* px = px0, pb = bias.IsEmpty ? null : pb0, py = py0;
                KernelParallel.ForEach(items, inner > 1 ? 1 : Math.Min(t, items), (i0, i1) =>
                {
                    for (int item = i0; item < i1; item++)
                    {
                        int n = item / blocksPerImage, b = item % blocksPerImage;
                        WinogradBlock.Run(plan, weights, px + ((long)n * p.C * p.H * p.W), pb, py + ((long)n * p.OC * oh * ow), b * plan.Rows, inner);
                    }
                });
            }
        }
    }

    /// <summary>Tile rows per block: V + M near <see cref="BlockBudget"/>, at least two GEMM panels of tiles; split
    /// further so every thread gets a block only while each still has two panels of tiles (else the threads share
    /// blocks: 14×14 outputs split by rows ran on 8-tile panels and did not get faster with a second thread).</summary>
    private static int Rows(Conv2DParams p, IsaLevel level, int tx, int ty, int threads)
    {
        int minTiles = 2 * Gemm.PanelWidth(level);
        long target = Math.Max(minTiles, BlockBudget / (Positions * (long)(p.C + p.OC)));
        int rows = (int)Math.Clamp((target + tx - 1) / tx, 1, ty);
        int shared = Math.Max(1, (ty + threads - 1) / threads);
        if (threads > 1 && p.N < threads && (long)shared * tx >= minTiles)
        {
            rows = Math.Min(rows, shared);
        }

        return rows;
    }

    internal static int SlackFloats => Slack;
}
