namespace ModelBuild.Runtime.Kernels;

/// <summary>What one RoiAlign computes: output size, coordinate rule, sampling and reduction.</summary>
internal readonly record struct RoiAlignParams(int PooledHeight, int PooledWidth, float SpatialScale, int SamplingRatio, bool HalfPixel, bool Max);

/// <summary>
/// RoiAlign over NCHW float32 as ONNX (and ONNX Runtime) define it: each region (x1, y1, x2, y2)·scale, shifted by
/// −0.5 with half_pixel (else its size clamped to ≥ 1), is cut into pooled bins, each sampled on a grid of
/// sampling_ratio² points (or ⌈bin size⌉ per axis when 0) by bilinear interpolation; points beyond one pixel
/// outside the image count as 0. Average mode sums w1·v1 + w2·v2 + w3·v3 + w4·v4 over the grid and divides by its
/// size; max mode takes, per point, the largest of the four weighted corners, then the largest over the grid.
/// Scalar: one code path for every ISA level.
/// </summary>
internal static class RoiAlign
{
    /// <summary>y [rois, C, PH, PW] from x [N, C, H, W], rois [rois, 4] and batch indices [rois] (validated by the caller).</summary>
    public static void Compute(ReadOnlySpan<float> x, int c, int h, int w, ReadOnlySpan<float> rois, ReadOnlySpan<int> batch, RoiAlignParams p, Span<float> y)
    {
        int ph = p.PooledHeight, pw = p.PooledWidth, plane = h * w;
        for (int r = 0; r < batch.Length; r++)
        {
            float offset = p.HalfPixel ? 0.5f : 0f;
            float startW = (rois[(r * 4) + 0] * p.SpatialScale) - offset, startH = (rois[(r * 4) + 1] * p.SpatialScale) - offset;
            float endW = (rois[(r * 4) + 2] * p.SpatialScale) - offset, endH = (rois[(r * 4) + 3] * p.SpatialScale) - offset;
            float roiW = endW - startW, roiH = endH - startH;
            if (!p.HalfPixel)
            {
                roiW = MathF.Max(roiW, 1f);
                roiH = MathF.Max(roiH, 1f);
            }

            float binH = roiH / ph, binW = roiW / pw;
            int gridH = p.SamplingRatio > 0 ? p.SamplingRatio : (int)MathF.Ceiling(roiH / ph);
            int gridW = p.SamplingRatio > 0 ? p.SamplingRatio : (int)MathF.Ceiling(roiW / pw);
            float count = Math.Max(gridH * gridW, 1);
            for (int ch = 0; ch < c; ch++)
            {
                var image = x.Slice(((batch[r] * c) + ch) * plane, plane);
                var output = y.Slice(((r * c) + ch) * ph * pw, ph * pw);
                for (int oy = 0; oy < ph; oy++)
                {
                    for (int ox = 0; ox < pw; ox++)
                    {
                        float acc = 0f;
                        bool first = true;
                        for (int iy = 0; iy < gridH; iy++)
                        {
                            float sy = startH + (oy * binH) + ((iy + 0.5f) * binH / gridH);
                            for (int ix = 0; ix < gridW; ix++)
                            {
                                float sx = startW + (ox * binW) + ((ix + 0.5f) * binW / gridW);
                                float v = Sample(image, h, w, sy, sx, p.Max);
                                acc = p.Max ? (first ? v : MathF.Max(acc, v)) : acc + v;
                                first = false;
                            }
                        }

                        output[(oy * pw) + ox] = p.Max ? acc : acc / count;
                    }
                }
            }
        }
    }

    /// <summary>The bilinear sample at (y, x): the weighted sum of its four corners, or (max mode) their largest weighted value.</summary>
    private static float Sample(ReadOnlySpan<float> image, int h, int w, float y, float x, bool max)
    {
        if (y < -1f || y > h || x < -1f || x > w)
        {
            return 0f;
        }

        y = MathF.Max(y, 0f);
        x = MathF.Max(x, 0f);
        int yLow = (int)y, xLow = (int)x, yHigh, xHigh;
        if (yLow >= h - 1)
        {
            yHigh = yLow = h - 1;
            y = yLow;
        }
        else
        {
            yHigh = yLow + 1;
        }

        if (xLow >= w - 1)
        {
            xHigh = xLow = w - 1;
            x = xLow;
        }
        else
        {
            xHigh = xLow + 1;
        }

        float ly = y - yLow, lx = x - xLow, hy = 1f - ly, hx = 1f - lx;
        float v1 = hy * hx * image[(yLow * w) + xLow], v2 = hy * lx * image[(yLow * w) + xHigh];
        float v3 = ly * hx * image[(yHigh * w) + xLow], v4 = ly * lx * image[(yHigh * w) + xHigh];
        return max ? MathF.Max(MathF.Max(MathF.Max(v1, v2), v3), v4) : v1 + v2 + v3 + v4;
    }
}
