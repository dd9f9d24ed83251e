using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Runtime.Engine.Operators.Compute;

/// <summary>
/// GridSample: input [N, C, (D,) H, W] sampled at grid [N, (D',) H', W', r] of normalized coordinates (x for W,
/// y for H, z for D, in [-1, 1]), giving [N, C, (D',) H', W']. BILINEAR interpolates between the 2^r neighbours,
/// NEAREST rounds half to even. Out-of-range samples: ZEROS reads 0, CLAMP clamps the coordinate to the edge,
/// REFLECTION mirrors it at the borders (at pixel centres with alignCorners, else at the outer edges) — the rules
/// ONNX Runtime follows. Runs on NCHW data (the engine's layout conversions are views).
/// </summary>
[MnnOperator(OpType.GridSample)]
internal sealed class GridSampleExecutor : OperatorExecutor
{
    private readonly bool _nearest;
    private readonly BorderMode _padding;
    private readonly bool _alignCorners;

    public GridSampleExecutor(OpT op)
    {
        var p = ComputeSupport.Param<GridSampleT>(op);
        if (p.Backward)
        {
            throw new ModelBuildException(ErrorCodes.UnsupportedAttribute, $"op '{op.Name}': the backward GridSample is not supported");
        }

        if (p.PaddingMode is not (BorderMode.ZEROS or BorderMode.CLAMP or BorderMode.REFLECTION))
        {
            throw new ModelBuildException(ErrorCodes.UnsupportedAttribute, $"op '{op.Name}': padding mode {p.PaddingMode} is not supported");
        }

        _nearest = p.Mode == SampleMode.NEAREST;
        _padding = p.PaddingMode;
        _alignCorners = p.AlignCorners;
    }

    public override void Reshape(OpContext ctx)
    {
        ComputeSupport.RequireInputs(ctx, 2);
        var x = ComputeSupport.FloatInput(ctx, 0).ShapeArray;
        var grid = ComputeSupport.FloatInput(ctx, 1).ShapeArray;
        if (x.Length is not (4 or 5) || grid.Length != x.Length || grid[0] != x[0] || grid[^1] != x.Length - 2)
        {
            throw ctx.Error($"GridSample needs input [N,C,H,W] or [N,C,D,H,W] and grid [N,...,{x.Length - 2}]; got {ComputeSupport.ShapeText(x)} and {ComputeSupport.ShapeText(grid)}");
        }

        ctx.Outputs[0].Reshape([x[0], x[1], .. grid[1..^1]], TensorElementType.Float32);
    }

    public override void Execute(OpContext ctx)
    {
        var input = ctx.Inputs[0];
        var xs = input.ShapeArray;
        int rank = xs.Length - 2;
        int n = xs[0], c = xs[1];
        var size = xs[2..];
        int inPlane = (int)ComputeSupport.Product(size, 0, rank);
        int outPlane = ctx.Outputs[0].Length / Math.Max(1, n * c);
        float[] src = input.FloatBuffer, grid = ctx.Inputs[1].FloatBuffer, dst = ctx.Outputs[0].FloatBuffer;

        ComputeSupport.For(ctx.Threads, n, b =>
        {
            var coord = new float[rank];
            var index = new int[rank];
            for (int p = 0; p < outPlane; p++)
            {
                int g = (b * outPlane + p) * rank;
                for (int d = 0; d < rank; d++)
                {
                    // Grid components run x, y, z: the last spatial axis first.
                    coord[d] = Source(grid[g + rank - 1 - d], size[d]);
                }

                for (int ch = 0; ch < c; ch++)
                {
                    int plane = (b * c + ch) * inPlane;
                    dst[((b * c) + ch) * outPlane + p] = _nearest
                        ? Nearest(src, plane, size, coord, index)
                        : Linear(src, plane, size, coord, index);
                }
            }
        });
    }

    /// <summary>Normalized coordinate → pixel coordinate, with CLAMP/REFLECTION applied when it is out of range.</summary>
    private float Source(float normalized, int size)
    {
        float x = _alignCorners ? (normalized + 1) / 2 * (size - 1) : ((normalized + 1) * size - 1) / 2;
        if (_nearest)
        {
            x = MathF.Round(x, MidpointRounding.ToEven);
        }

        float min = _alignCorners ? 0 : -0.5f, max = _alignCorners ? size - 1 : size - 0.5f;
        if (x >= min && x <= max)
        {
            return x;
        }

        return _padding switch
        {
            BorderMode.CLAMP => Math.Clamp(x, 0, size - 1),
            BorderMode.REFLECTION => Reflect(x, min, max),
            _ => x,
        };
    }

    /// <summary>Mirrors <paramref name="x"/> back into [min, max] as many times as needed.</summary>
    private static float Reflect(float x, float min, float max)
    {
        float range = max - min;
        if (range <= 0)
        {
            return min;
        }

        if (x < min)
        {
            float dx = min - x;
            int folds = (int)(dx / range);
            float r = dx - folds * range;
            return folds % 2 == 0 ? min + r : max - r;
        }

        if (x > max)
        {
            float dx = x - max;
            int folds = (int)(dx / range);
            float r = dx - folds * range;
            return folds % 2 == 0 ? max - r : min + r;
        }

        return x;
    }

    private float Nearest(float[] src, int plane, int[] size, float[] coord, int[] index)
    {
        for (int d = 0; d < coord.Length; d++)
        {
            index[d] = (int)coord[d];
        }

        return Pixel(src, plane, size, index);
    }

    private float Linear(float[] src, int plane, int[] size, float[] coord, int[] index)
    {
        int rank = coord.Length;
        float sum = 0;
        for (int corner = 0; corner < 1 << rank; corner++)
        {
            float weight = 1;
            for (int d = 0; d < rank; d++)
            {
                float lo = MathF.Floor(coord[d]);
                bool high = (corner >> d & 1) != 0;
                index[d] = (int)lo + (high ? 1 : 0);
                weight *= high ? coord[d] - lo : 1 - (coord[d] - lo);
            }

            if (weight != 0)
            {
                sum += weight * Pixel(src, plane, size, index);
            }
        }

        return sum;
    }

    /// <summary>The input value at integer <paramref name="index"/>; out-of-range indices per the padding mode.</summary>
    private float Pixel(float[] src, int plane, int[] size, int[] index)
    {
        int offset = 0;
        for (int d = 0; d < index.Length; d++)
        {
            int i = index[d];
            if (i < 0 || i >= size[d])
            {
                if (_padding == BorderMode.ZEROS)
                {
                    return 0;
                }

                i = _padding == BorderMode.CLAMP
                    ? Math.Clamp(i, 0, size[d] - 1)
                    : Math.Clamp((int)Reflect(i, _alignCorners ? 0 : -0.5f, _alignCorners ? size[d] - 1 : size[d] - 0.5f), 0, size[d] - 1);
            }

            offset = offset * size[d] + i;
        }

        return src[plane + offset];
    }
}
