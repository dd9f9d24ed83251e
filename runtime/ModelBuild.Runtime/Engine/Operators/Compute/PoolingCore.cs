namespace ModelBuild.Runtime.Engine.Operators.Compute;

/// <summary>One pooled axis: input length, kernel, stride, begin/end padding and output length.</summary>
internal readonly record struct PoolAxis(int Input, int Kernel, int Stride, int PadBegin, int PadEnd, int Out);

/// <summary>
/// Max / average pooling over 1 to 3 trailing spatial axes of an [N, C, spatial...] tensor (fewer axes are
/// padded with unit axes). Windows are clipped to the input; average divides by the clipped window size, or
/// (include-padding) by the window clipped to the padded extent.
/// </summary>
internal static class PoolingCore
{
    public static void Run(OpContext ctx, Tensor input, Tensor output, PoolAxis[] axes, bool max, bool includePadding)
    {
        if (axes.Length is < 1 or > 3)
        {
            throw ctx.Error($"pooling over {axes.Length} spatial axes is not supported");
        }

        var a = new PoolAxis[3];
        int lead = 3 - axes.Length;
        for (int i = 0; i < 3; i++)
        {
            a[i] = i < lead ? new PoolAxis(1, 1, 1, 0, 0, 1) : axes[i - lead];
        }

        int inPlane = a[0].Input * a[1].Input * a[2].Input;
        int outPlane = a[0].Out * a[1].Out * a[2].Out;
        int planes = input.Length / Math.Max(inPlane, 1);
        float[] src = input.FloatBuffer, dst = output.FloatBuffer;
        ComputeSupport.For(ctx.Threads, planes, p =>
        {
            int ib = p * inPlane, ob = p * outPlane;
            for (int od = 0; od < a[0].Out; od++)
            {
                Window(a[0], od, out int d0, out int d1, out int dn);
                for (int oh = 0; oh < a[1].Out; oh++)
                {
                    Window(a[1], oh, out int h0, out int h1, out int hn);
                    for (int ow = 0; ow < a[2].Out; ow++)
                    {
                        Window(a[2], ow, out int w0, out int w1, out int wn);
                        float result;
                        if (max)
                        {
                            float m = float.NegativeInfinity;
                            bool any = false;
                            for (int d = d0; d < d1; d++)
                            {
                                for (int h = h0; h < h1; h++)
                                {
                                    int line = ib + (d * a[1].Input + h) * a[2].Input;
                                    for (int w = w0; w < w1; w++)
                                    {
                                        float v = src[line + w];
                                        any = true;
                                        if (v > m || float.IsNaN(v))
                                        {
                                            m = v;
                                        }
                                    }
                                }
                            }

                            result = any ? m : 0f;
                        }
                        else
                        {
                            float sum = 0f;
                            for (int d = d0; d < d1; d++)
                            {
                                for (int h = h0; h < h1; h++)
                                {
                                    int line = ib + (d * a[1].Input + h) * a[2].Input;
                                    for (int w = w0; w < w1; w++)
                                    {
                                        sum += src[line + w];
                                    }
                                }
                            }

                            long count = includePadding
                                ? (long)dn * hn * wn
                                : (long)(d1 - d0) * (h1 - h0) * (w1 - w0);
                            result = count > 0 ? sum / count : 0f;
                        }

                        dst[ob + (od * a[1].Out + oh) * a[2].Out + ow] = result;
                    }
                }
            }
        });
    }

    /// <summary>Input range [start, end) of output position o, and the window size clipped to the padded extent.</summary>
    private static void Window(PoolAxis axis, int o, out int start, out int end, out int paddedCount)
    {
        int begin = o * axis.Stride - axis.PadBegin;
        int stop = begin + axis.Kernel;
        paddedCount = Math.Min(stop, axis.Input + axis.PadEnd) - begin;
        start = Math.Max(begin, 0);
        end = Math.Min(stop, axis.Input);
    }
}
