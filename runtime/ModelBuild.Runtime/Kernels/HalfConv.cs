using System.Buffers;

namespace ModelBuild.Runtime.Kernels;

/// <summary>
/// 2-D convolution (any group count, depthwise included) with upstream MNN's ARMv8.2 fp16 arithmetic: per output,
/// one fp16 accumulator over the whole window (input channels of the group × kernel taps, padded taps are zeros as
/// in MNN's im2col), then the bias in fp16, then the relu/relu6 clamp. The taps of a block of output positions are
/// gathered (exact copies) into a [K × positions] matrix and multiplied by <see cref="HalfGemm"/>, so the chain is
/// the one documented there, in (ci, ky, kx) order. Blocks of positions are split between threads; each block's
/// outputs are computed by one thread with the single-thread sequence.
/// </summary>
internal static class HalfConv
{
    /// <summary>Output positions gathered per block (bounds the scratch matrix to K × 256 floats).</summary>
    private const int Block = 256;

    public static void Conv2D(IsaLevel isa, Conv2DParams p, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y, int threads)
    {
        p.Validate(needOc: true);
        int oh = p.ConvOutH, ow = p.ConvOutW, positions = oh * ow;
        int cg = p.C / p.Group, ocg = p.OC / p.Group, k = cg * p.KH * p.KW;
        if (x.Length < (long)p.N * p.C * p.H * p.W || w.Length < (long)p.OC * k || y.Length < (long)p.N * p.OC * positions
            || (!bias.IsEmpty && bias.Length < p.OC))
        {
            throw new ArgumentException("HalfConv: spans too short for the given parameters");
        }

        if (positions == 0 || p.N == 0)
        {
            return;
        }

        float lo = p.Activation.Lo, hi = p.Activation.Hi;
        int blocks = (positions + Block - 1) / Block;
        int items = p.N * p.Group * blocks;

        // spans cannot be captured: the work items index arrays through the caller's pinned copies
        float[] xa = x.ToArray(), wa = w.ToArray(), ba = bias.ToArray();
        float[] ya = new float[(long)p.N * p.OC * positions];
        KernelParallel.ForEach(items, KernelParallel.Effective(threads, (long)items * Block * k * ocg, 1 << 18), (start, end) =>
        {
            var col = ArrayPool<float>.Shared.Rent(k * Block);
            try
            {
                for (int item = start; item < end; item++)
                {
                    int block = item % blocks, g = (item / blocks) % p.Group, n = item / (blocks * p.Group);
                    int p0 = block * Block, count = Math.Min(Block, positions - p0);
                    Gather(p, xa, n, g, p0, count, oh == 0 ? 0 : ow, col);
                    var bg = ba.Length == 0 ? ReadOnlySpan<float>.Empty : ba.AsSpan(g * ocg, ocg);
                    HalfGemm.Compute(
                        isa, ocg, count, k,
                        wa.AsSpan(g * ocg * k, ocg * k), k, 1,
                        col, count,
                        ya.AsSpan(((n * p.OC) + (g * ocg)) * positions + p0), positions,
                        bg, bg.IsEmpty ? HalfBias.None : HalfBias.PerRow, lo, hi, threads: 1);
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(col);
            }
        });
        ya.CopyTo(y);
    }

    /// <summary>col[(ci·KH + ky)·KW + kx, q] = input tap of output position p0 + q (0 outside the image).</summary>
    private static void Gather(Conv2DParams p, float[] x, int n, int g, int p0, int count, int ow, float[] col)
    {
        int cg = p.C / p.Group;
        for (int ci = 0; ci < cg; ci++)
        {
            int plane = ((n * p.C) + (g * cg) + ci) * p.H * p.W;
            for (int ky = 0; ky < p.KH; ky++)
            {
                for (int kx = 0; kx < p.KW; kx++)
                {
                    int row = (((ci * p.KH) + ky) * p.KW) + kx;
                    var dst = col.AsSpan(row * count, count);
                    for (int q = 0; q < count; q++)
                    {
                        int pos = p0 + q, oy = pos / ow, ox = pos % ow;
                        int iy = (oy * p.StrideH) - p.PadTop + (ky * p.DilationH);
                        int ix = (ox * p.StrideW) - p.PadLeft + (kx * p.DilationW);
                        dst[q] = (uint)iy < (uint)p.H && (uint)ix < (uint)p.W ? x[plane + (iy * p.W) + ix] : 0f;
                    }
                }
            }
        }
    }
}
