namespace ModelBuild.Runtime.Kernels;

/// <summary>Pad modes (named to avoid the MNN schema's PadMode).</summary>
internal enum PaddingMode
{
    Constant,
    /// <summary>Mirror without repeating the edge (numpy "reflect").</summary>
    Reflect,
    /// <summary>Repeat the edge value.</summary>
    Edge,
}

internal enum ResizeInterpolation
{
    Nearest,
    Linear,
    Cubic,
}

/// <summary>ONNX Resize coordinate_transformation_mode.</summary>
internal enum ResizeCoordinateMode
{
    HalfPixel,
    PytorchHalfPixel,
    AlignCorners,
    Asymmetric,
    TfHalfPixelForNn,
    TfCropAndResize,
    HalfPixelSymmetric,
}

/// <summary>ONNX Resize nearest_mode.</summary>
internal enum ResizeNearestMode
{
    RoundPreferFloor,
    RoundPreferCeil,
    Floor,
    Ceil,
}

/// <summary>DepthToSpace channel order.</summary>
internal enum DepthToSpaceOrder
{
    /// <summary>depth-column-row (ONNX default / TF).</summary>
    DCR,
    /// <summary>column-row-depth.</summary>
    CRD,
}

/// <summary>Options of <see cref="DataMovement.Resize2D"/> (ONNX Resize semantics).</summary>
internal sealed class ResizeOptions
{
    public ResizeInterpolation Mode = ResizeInterpolation.Nearest;
    public ResizeCoordinateMode Coordinates = ResizeCoordinateMode.HalfPixel;
    public ResizeNearestMode Nearest = ResizeNearestMode.RoundPreferFloor;
    /// <summary>Scale factors out/in used by the coordinate transform (0 = OH/H, OW/W).</summary>
    public double ScaleH;
    public double ScaleW;
    public float CubicCoeffA = -0.75f;
    public bool ExcludeOutside;
    public float ExtrapolationValue;
    /// <summary>tf_crop_and_resize only: normalized [startH, startW, endH, endW].</summary>
    public double[]? Roi;
}

/// <summary>
/// Memory-bound data-movement kernels. They are exact (pure copies, or interpolation computed in scalar
/// code once per element), so every ISA level gives the same bits; <c>isa</c> is accepted for uniformity.
/// Contiguous runs are moved with span block copies.
/// </summary>
internal static class DataMovement
{
    /// <summary>y = x permuted: yShape[i] = xShape[perm[i]]. Collapses mergeable dims; last-dim-preserving and 2-D/batched-2-D fast paths.</summary>
    public static void Transpose(IsaLevel isa, ReadOnlySpan<float> x, ReadOnlySpan<int> shape, ReadOnlySpan<int> perm, Span<float> y)
    {
        int rank = shape.Length;
        if (perm.Length != rank)
        {
            throw new ArgumentException("perm rank mismatch");
        }

        long total = 1;
        var seen = new bool[rank];
        for (int i = 0; i < rank; i++)
        {
            if ((uint)perm[i] >= (uint)rank || seen[perm[i]] || shape[i] < 0)
            {
                throw new ArgumentException("invalid perm or shape");
            }

            seen[perm[i]] = true;
            total *= shape[i];
        }

        if (x.Length < total || y.Length < total)
        {
            throw new ArgumentException("span too small");
        }

        if (total == 0)
        {
            return;
        }

        // drop size-1 dims, then merge input dims that stay adjacent and in order
        var keep = new List<int>();
        for (int i = 0; i < rank; i++)
        {
            if (shape[perm[i]] != 1)
            {
                keep.Add(perm[i]);
            }
        }

        var mergedPerm = new List<List<int>>();
        foreach (int d in keep)
        {
            if (mergedPerm.Count > 0 && NextNonUnit(shape, mergedPerm[^1][^1]) == d)
            {
                mergedPerm[^1].Add(d);
            }
            else
            {
                mergedPerm.Add([d]);
            }
        }

        // new input dims: groups sorted by their first original dim
        var groups = mergedPerm.OrderBy(g => g[0]).ToList();
        int r = groups.Count;
        var inDims = new long[r];
        for (int i = 0; i < r; i++)
        {
            long prod = 1;
            foreach (int d in groups[i])
            {
                prod *= shape[d];
            }

            inDims[i] = prod;
        }

        var p = new int[r];
        for (int i = 0; i < r; i++)
        {
            p[i] = groups.IndexOf(mergedPerm[i]);
        }

        if (r <= 1 || p.Select((v, i) => v == i).All(b => b))
        {
            x.Slice(0, (int)total).CopyTo(y);
            return;
        }

        var inStride = new long[r];
        inStride[r - 1] = 1;
        for (int i = r - 2; i >= 0; i--)
        {
            inStride[i] = inStride[i + 1] * inDims[i + 1];
        }

        var outDims = new long[r];
        var srcStride = new long[r];
        for (int i = 0; i < r; i++)
        {
            outDims[i] = inDims[p[i]];
            srcStride[i] = inStride[p[i]];
        }

        if (p[r - 1] == r - 1)
        {
            // last dim preserved: copy contiguous blocks
            int block = (int)inDims[r - 1];
            long blocks = total / block;
            var idx = new long[r - 1];
            long src = 0;
            for (long bi = 0; bi < blocks; bi++)
            {
                x.Slice((int)src, block).CopyTo(y.Slice((int)(bi * block), block));
                for (int d = r - 2; d >= 0; d--)
                {
                    idx[d]++;
                    src += srcStride[d];
                    if (idx[d] < outDims[d])
                    {
                        break;
                    }

                    src -= srcStride[d] * outDims[d];
                    idx[d] = 0;
                }
            }

            return;
        }

        // general: odometer over all output dims but the last two, blocked 2-D transpose-like copy of the last two
        int rowsOut = (int)outDims[r - 2], colsOut = (int)outDims[r - 1];
        long sRow = srcStride[r - 2], sCol = srcStride[r - 1];
        long outer = total / ((long)rowsOut * colsOut);
        var oi = new long[Math.Max(0, r - 2)];
        long baseSrc = 0;
        const int T = 32;
        for (long o = 0; o < outer; o++)
        {
            Span<float> yb = y.Slice((int)(o * rowsOut * colsOut), rowsOut * colsOut);
            for (int i0 = 0; i0 < rowsOut; i0 += T)
            {
                int i1 = Math.Min(rowsOut, i0 + T);
                for (int j0 = 0; j0 < colsOut; j0 += T)
                {
                    int j1 = Math.Min(colsOut, j0 + T);
                    for (int i = i0; i < i1; i++)
                    {
                        long s = baseSrc + (i * sRow);
                        Span<float> yr = yb.Slice(i * colsOut, colsOut);
                        for (int j = j0; j < j1; j++)
                        {
                            yr[j] = x[(int)(s + (j * sCol))];
                        }
                    }
                }
            }

            for (int d = r - 3; d >= 0; d--)
            {
                oi[d]++;
                baseSrc += srcStride[d];
                if (oi[d] < outDims[d])
                {
                    break;
                }

                baseSrc -= srcStride[d] * outDims[d];
                oi[d] = 0;
            }
        }
    }

    private static int NextNonUnit(ReadOnlySpan<int> shape, int d)
    {
        for (int i = d + 1; i < shape.Length; i++)
        {
            if (shape[i] != 1)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// N-d pad: yShape[d] = xShape[d] + padsBegin[d] + padsEnd[d] (negative pads crop). Constant fills
    /// <paramref name="value"/>; reflect/edge map indices (reflect needs pad &lt; dim).
    /// </summary>
    public static void Pad(IsaLevel isa, ReadOnlySpan<float> x, ReadOnlySpan<int> shape, ReadOnlySpan<int> padsBegin, ReadOnlySpan<int> padsEnd, PaddingMode mode, float value, Span<float> y)
    {
        int rank = shape.Length;
        if (padsBegin.Length != rank || padsEnd.Length != rank)
        {
            throw new ArgumentException("pads rank mismatch");
        }

        var outShape = new int[rank];
        long inTotal = 1, outTotal = 1;
        for (int d = 0; d < rank; d++)
        {
            outShape[d] = shape[d] + padsBegin[d] + padsEnd[d];
            if (outShape[d] < 0 || shape[d] < 0)
            {
                throw new ArgumentException("negative output dim");
            }

            if (mode != PaddingMode.Constant && shape[d] == 0 && outShape[d] > 0)
            {
                throw new ArgumentException("reflect/edge pad of an empty dim");
            }

            inTotal *= shape[d];
            outTotal *= outShape[d];
        }

        if (x.Length < inTotal || y.Length < outTotal)
        {
            throw new ArgumentException("span too small");
        }

        if (outTotal == 0)
        {
            return;
        }

        if (rank == 0)
        {
            y[0] = x[0];
            return;
        }

        var inStride = new long[rank];
        var outStride = new long[rank];
        inStride[rank - 1] = 1;
        outStride[rank - 1] = 1;
        for (int d = rank - 2; d >= 0; d--)
        {
            inStride[d] = inStride[d + 1] * shape[d + 1];
            outStride[d] = outStride[d + 1] * outShape[d + 1];
        }

        // innermost index map
        int wOut = outShape[rank - 1];
        var map = new int[wOut];
        for (int j = 0; j < wOut; j++)
        {
            map[j] = MapIndex(j - padsBegin[rank - 1], shape[rank - 1], mode);
        }

        PadRec(x, shape, outShape, padsBegin, mode, value, y, inStride, outStride, map, 0, 0, 0, true);
    }

    private static int MapIndex(int i, int n, PaddingMode mode)
    {
        if ((uint)i < (uint)n)
        {
            return i;
        }

        switch (mode)
        {
            case PaddingMode.Constant:
                return -1;
            case PaddingMode.Edge:
                return i < 0 ? 0 : n - 1;
            default:
                if (n == 1)
                {
                    return 0;
                }

                int period = 2 * (n - 1);
                int m = ((i % period) + period) % period;
                return m < n ? m : period - m;
        }
    }

    private static void PadRec(ReadOnlySpan<float> x, ReadOnlySpan<int> shape, int[] outShape, ReadOnlySpan<int> padsBegin, PaddingMode mode, float value,
        Span<float> y, long[] inStride, long[] outStride, int[] map, int d, long inOff, long outOff, bool valid)
    {
        int rank = shape.Length;
        if (d == rank - 1)
        {
            Span<float> yr = y.Slice((int)outOff, outShape[d]);
            if (!valid)
            {
                yr.Fill(value);
                return;
            }

            int begin = padsBegin[d];
            int lo = Math.Max(0, begin), hi = Math.Min(outShape[d], begin + shape[d]);
            if (mode == PaddingMode.Constant)
            {
                yr.Slice(0, Math.Min(lo, yr.Length)).Fill(value);
                if (hi > lo)
                {
                    x.Slice((int)(inOff + lo - begin), hi - lo).CopyTo(yr.Slice(lo, hi - lo));
                    yr.Slice(hi).Fill(value);
                }
                else
                {
                    yr.Slice(Math.Min(lo, yr.Length)).Fill(value);
                }

                return;
            }

            ReadOnlySpan<float> xr = x.Slice((int)inOff, shape[d]);
            for (int j = 0; j < yr.Length; j++)
            {
                yr[j] = xr[map[j]];
            }

            return;
        }

        for (int o = 0; o < outShape[d]; o++)
        {
            int i = valid ? MapIndex(o - padsBegin[d], shape[d], mode) : -1;
            PadRec(x, shape, outShape, padsBegin, mode, value, y, inStride, outStride, map, d + 1, i < 0 ? 0 : inOff + (i * inStride[d]), outOff + (o * outStride[d]), valid && i >= 0);
        }
    }

    /// <summary>
    /// 2-D resize of x[N,C,H,W] into y[N,C,OH,OW] with ONNX Resize semantics (coordinate transformation modes,
    /// nearest rounding modes, linear, cubic with coefficient A and exclude_outside; tf_crop_and_resize uses
    /// <see cref="ResizeOptions.Roi"/> and the extrapolation value). Coordinates are computed in double, taps
    /// combined in float: linear = (v00·wx0 + v01·wx1)·wy0 + (v10·wx0 + v11·wx1)·wy1.
    /// </summary>
    public static void Resize2D(IsaLevel isa, ReadOnlySpan<float> x, int n, int c, int h, int w, Span<float> y, int oh, int ow, ResizeOptions options, int threads = 1)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (n < 0 || c < 0 || h <= 0 || w <= 0 || oh < 0 || ow < 0 || x.Length < (long)n * c * h * w || y.Length < (long)n * c * oh * ow)
        {
            throw new ArgumentException("resize arguments invalid");
        }

        double sh = options.ScaleH > 0 ? options.ScaleH : (double)oh / h;
        double sw = options.ScaleW > 0 ? options.ScaleW : (double)ow / w;
        Axis ay = BuildAxis(options, h, oh, sh, 0);
        Axis ax = BuildAxis(options, w, ow, sw, 1);
        int planes = n * c;
        int t = KernelParallel.Effective(threads, (long)planes * oh * ow * ay.Taps * ax.Taps, 1 << 15);
        unsafe
        {
            fixed (float* px = x, py = y)
            {
                float* xs = px, ys = py;
                KernelParallel.For(planes, t, (p0, p1) =>
                {
                    for (int pl = p0; pl < p1; pl++)
                    {
                        ResizePlane(new ReadOnlySpan<float>(xs + ((long)pl * h * w), h * w), w, new Span<float>(ys + ((long)pl * oh * ow), oh * ow), oh, ow, ay, ax, options.ExtrapolationValue);
                    }
                });
            }
        }
    }

    private static void ResizePlane(ReadOnlySpan<float> xp, int w, Span<float> yp, int oh, int ow, Axis ay, Axis ax, float extrapolation)
    {
        {
            for (int oy = 0; oy < oh; oy++)
            {
                Span<float> yr = yp.Slice(oy * ow, ow);
                if (ay.Outside[oy])
                {
                    yr.Fill(extrapolation);
                    continue;
                }

                for (int ox = 0; ox < ow; ox++)
                {
                    if (ax.Outside[ox])
                    {
                        yr[ox] = extrapolation;
                        continue;
                    }

                    float acc = 0f;
                    for (int ty = 0; ty < ay.Taps; ty++)
                    {
                        float wy = ay.Weight[(oy * ay.Taps) + ty];
                        int iy = ay.Index[(oy * ay.Taps) + ty];
                        float row = 0f;
                        for (int tx = 0; tx < ax.Taps; tx++)
                        {
                            row += xp[(iy * w) + ax.Index[(ox * ax.Taps) + tx]] * ax.Weight[(ox * ax.Taps) + tx];
                        }

                        acc = ty == 0 ? row * wy : acc + (row * wy);
                    }

                    yr[ox] = ay.Taps == 1 && ax.Taps == 1 ? xp[(ay.Index[oy] * w) + ax.Index[ox]] : acc;
                }
            }
        }
    }

    private sealed class Axis
    {
        public int Taps;
        public int[] Index = [];
        public float[] Weight = [];
        public bool[] Outside = [];
    }

    private static Axis BuildAxis(ResizeOptions o, int inLen, int outLen, double scale, int axis)
    {
        int taps = o.Mode switch { ResizeInterpolation.Nearest => 1, ResizeInterpolation.Linear => 2, _ => 4 };
        var a = new Axis { Taps = taps, Index = new int[outLen * taps], Weight = new float[outLen * taps], Outside = new bool[outLen] };
        Span<double> cw = stackalloc double[4]; // cubic weights of one output position (reused: no stackalloc per iteration)
        for (int i = 0; i < outLen; i++)
        {
            double xo = o.Coordinates switch
            {
                ResizeCoordinateMode.HalfPixel => ((i + 0.5) / scale) - 0.5,
                ResizeCoordinateMode.PytorchHalfPixel => outLen > 1 ? ((i + 0.5) / scale) - 0.5 : 0,
                ResizeCoordinateMode.AlignCorners => outLen == 1 ? 0 : i * (double)(inLen - 1) / (outLen - 1),
                ResizeCoordinateMode.Asymmetric => i / scale,
                ResizeCoordinateMode.TfHalfPixelForNn => (i + 0.5) / scale,
                ResizeCoordinateMode.HalfPixelSymmetric => HalfPixelSymmetric(i, inLen, outLen, scale),
                ResizeCoordinateMode.TfCropAndResize => CropAndResize(o.Roi, axis, i, inLen, outLen),
                _ => throw new ArgumentOutOfRangeException(nameof(o)),
            };
            if (o.Coordinates == ResizeCoordinateMode.TfCropAndResize && (xo < 0 || xo > inLen - 1))
            {
                a.Outside[i] = true;
                continue;
            }

            if (o.Mode == ResizeInterpolation.Nearest)
            {
                double f = Math.Floor(xo);
                double frac = xo - f;
                long idx = o.Nearest switch
                {
                    ResizeNearestMode.RoundPreferFloor => (long)(frac <= 0.5 ? f : f + 1),
                    ResizeNearestMode.RoundPreferCeil => (long)(frac < 0.5 ? f : f + 1),
                    ResizeNearestMode.Floor => (long)f,
                    _ => (long)Math.Ceiling(xo),
                };
                a.Index[i] = (int)Math.Clamp(idx, 0, inLen - 1);
                a.Weight[i] = 1f;
            }
            else if (o.Mode == ResizeInterpolation.Linear)
            {
                double xc = Math.Clamp(xo, 0, inLen - 1);
                int x0 = (int)Math.Floor(xc);
                int x1 = Math.Min(x0 + 1, inLen - 1);
                float d = (float)(xc - x0);
                a.Index[2 * i] = x0;
                a.Index[(2 * i) + 1] = x1;
                a.Weight[2 * i] = 1f - d;
                a.Weight[(2 * i) + 1] = d;
            }
            else
            {
                double f = Math.Floor(xo);
                double t = xo - f;
                double A = o.CubicCoeffA;
                cw[0] = Cubic(t + 1, A);
                cw[1] = Cubic(t, A);
                cw[2] = Cubic(1 - t, A);
                cw[3] = Cubic(2 - t, A);
                double sum = 0;
                for (int k = 0; k < 4; k++)
                {
                    long idx = (long)f - 1 + k;
                    if (o.ExcludeOutside && (idx < 0 || idx >= inLen))
                    {
                        cw[k] = 0;
                    }

                    sum += cw[k];
                }

                for (int k = 0; k < 4; k++)
                {
                    long idx = (long)f - 1 + k;
                    a.Index[(4 * i) + k] = (int)Math.Clamp(idx, 0, inLen - 1);
                    a.Weight[(4 * i) + k] = (float)(o.ExcludeOutside ? cw[k] / sum : cw[k]);
                }
            }
        }

        return a;
    }

    private static double Cubic(double s, double a)
    {
        s = Math.Abs(s);
        if (s <= 1)
        {
            return ((((a + 2) * s) - (a + 3)) * s * s) + 1;
        }

        if (s < 2)
        {
            return (((((a * s) - (5 * a)) * s) + (8 * a)) * s) - (4 * a);
        }

        return 0;
    }

    private static double HalfPixelSymmetric(int i, int inLen, int outLen, double scale)
    {
        double adjustment = outLen / (scale * inLen);
        double center = inLen / 2.0;
        double offset = center * (1 - adjustment);
        return offset + ((i + 0.5) / scale) - 0.5;
    }

    private static double CropAndResize(double[]? roi, int axis, int i, int inLen, int outLen)
    {
        double start = roi is { Length: >= 4 } ? roi[axis] : 0, end = roi is { Length: >= 4 } ? roi[axis + 2] : 1;
        return outLen > 1 ? (start * (inLen - 1)) + (i * (end - start) * (inLen - 1) / (outLen - 1)) : 0.5 * (start + end) * (inLen - 1);
    }

    /// <summary>x[N, C, H, W] → y[N, C/b², H·b, W·b]. DCR: input channel (by·b + bx)·C' + c; CRD: c·b² + by·b + bx.</summary>
    public static void DepthToSpace(IsaLevel isa, ReadOnlySpan<float> x, int n, int c, int h, int w, int block, DepthToSpaceOrder order, Span<float> y)
    {
        if (block <= 0 || c % (block * block) != 0 || x.Length < (long)n * c * h * w || y.Length < (long)n * c * h * w)
        {
            throw new ArgumentException("depth-to-space arguments invalid");
        }

        int oc = c / (block * block), ow = w * block;
        for (int ni = 0; ni < n; ni++)
        {
            for (int co = 0; co < oc; co++)
            {
                for (int hi = 0; hi < h; hi++)
                {
                    for (int by = 0; by < block; by++)
                    {
                        Span<float> yr = y.Slice(((((ni * oc) + co) * h * block) + (hi * block) + by) * ow, ow);
                        for (int bx = 0; bx < block; bx++)
                        {
                            int ci = order == DepthToSpaceOrder.DCR ? (((by * block) + bx) * oc) + co : (co * block * block) + (by * block) + bx;
                            ReadOnlySpan<float> xr = x.Slice(((((ni * c) + ci) * h) + hi) * w, w);
                            for (int wi = 0; wi < w; wi++)
                            {
                                yr[(wi * block) + bx] = xr[wi];
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>x[N, C, H, W] → y[N, C·b², H/b, W/b] (inverse of DCR DepthToSpace): y[(by·b + bx)·C + c, h, w] = x[c, h·b + by, w·b + bx].</summary>
    public static void SpaceToDepth(IsaLevel isa, ReadOnlySpan<float> x, int n, int c, int h, int w, int block, Span<float> y)
    {
        if (block <= 0 || h % block != 0 || w % block != 0 || x.Length < (long)n * c * h * w || y.Length < (long)n * c * h * w)
        {
            throw new ArgumentException("space-to-depth arguments invalid");
        }

        int oh = h / block, ow = w / block, oc = c * block * block;
        for (int ni = 0; ni < n; ni++)
        {
            for (int by = 0; by < block; by++)
            {
                for (int bx = 0; bx < block; bx++)
                {
                    for (int ci = 0; ci < c; ci++)
                    {
                        int co = (((by * block) + bx) * c) + ci;
                        for (int hi = 0; hi < oh; hi++)
                        {
                            ReadOnlySpan<float> xr = x.Slice(((((ni * c) + ci) * h) + (hi * block) + by) * w, w);
                            Span<float> yr = y.Slice(((((ni * oc) + co) * oh) + hi) * ow, ow);
                            for (int wi = 0; wi < ow; wi++)
                            {
                                yr[wi] = xr[(wi * block) + bx];
                            }
                        }
                    }
                }
            }
        }
    }
}
