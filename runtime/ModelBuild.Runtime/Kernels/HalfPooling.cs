using System.Runtime.CompilerServices;

namespace ModelBuild.Runtime.Kernels;

/// <summary>
/// Global average pooling with upstream MNN's ARMv8.2 fp16 arithmetic (CPUPool's poolingAvg instantiated for
/// float16_t): per plane one fp16 sum over the positions in order, then one fp16 multiply by the fp16 value of 1/count.
/// <code>acc = 0; for i ascending: acc = R(acc + x[i]);  y = R(acc · R(1/count))</code>
/// Vectorized across planes (a block of planes is first copied position-major, an exact move); the tail runs the same
/// code at width 1. Sums past 2048 lose whole units and past 65504 overflow, as on the device.
/// </summary>
internal static unsafe class HalfPooling
{
    /// <summary>y[p] = fp16 average of x[p·area .. (p+1)·area) (planes × area values, plane-major as NCHW).</summary>
    public static void GlobalAverage(IsaLevel isa, ReadOnlySpan<float> x, Span<float> y, int planes, int area)
    {
        if (planes <= 0)
        {
            return;
        }

        if (area <= 0 || x.Length < (long)planes * area || y.Length < planes)
        {
            throw new ArgumentException("HalfPooling: spans too short for the given sizes");
        }

        var scratch = new float[(long)area * 16];
        fixed (float* px = x, py = y, ps = scratch)
        {
            var body = new Body { X = px, Y = py, Scratch = ps, Planes = planes, Area = area, Scale = HalfRounding.Round(1f / area) };
            IsaDispatch.Run(isa, ref body);
        }
    }

    private struct Body : IWidthBody
    {
        public float* X, Y, Scratch;
        public int Planes, Area;
        public float Scale;

        public void Run<TV, S>()
            where TV : struct
            where S : struct, ISimd<TV>
        {
            int w = S.Count, p = 0;
            for (; p <= Planes - w; p += w)
            {
                for (int lane = 0; lane < w; lane++)
                {
                    float* src = X + ((long)(p + lane) * Area);
                    for (int i = 0; i < Area; i++)
                    {
                        Scratch[((long)i * w) + lane] = src[i];
                    }
                }

                S.Store(Plane<TV, S>(Scratch, w), ref *(Y + p), 0);
            }

            for (; p < Planes; p++)
            {
                Y[p] = Plane<float, S1>(X + ((long)p * Area), 1);
            }
        }

        /// <summary>One lane per plane: values of position i at src[i·stride + lane].</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private readonly TV Plane<TV, S>(float* src, int stride)
            where TV : struct
            where S : struct, ISimd<TV>
        {
            TV acc = S.Splat(0);
            for (int i = 0; i < Area; i++)
            {
                acc = HalfRounding.Round<TV, S>(S.Add(acc, S.Load(ref *(src + ((long)i * stride)), 0)));
            }

            return HalfRounding.Round<TV, S>(S.Mul(acc, S.Splat(Scale)));
        }
    }
}
