using System.Diagnostics;
using System.Runtime.Intrinsics;
using ModelBuild.Runtime.Kernels;

namespace ModelBuild.Bench;

/// <summary>
/// <c>--layers [FILTER]</c>: best-of time and GFLOP/s of single convolution layers with the shapes of the bench models
/// (weights packed once, as the convolution executor does), per ISA level and thread count, next to a peak-FMA probe.
/// A Stopwatch table for choosing kernels by measurement; numbers move with machine load, compare within one run.
/// </summary>
internal static class LayerBench
{
    private sealed record Layer(string Name, int C, int H, int W, int OC, int K, int Stride, int Pad, int Group, FusedActivation Act);

    private static readonly Layer[] Layers =
    [
        // a large GEMM-shaped 1x1 (B packed per call, M > 160): the micro-kernel's throughput
        new("big pw 576->256 56", 576, 56, 56, 256, 1, 1, 0, 1, FusedActivation.Relu),
        // mobilenet_v2 (224²): expand / project 1x1 at each resolution, depthwise 3x3, the classifier
        new("mbv2 pw 32->16 112", 32, 112, 112, 16, 1, 1, 0, 1, FusedActivation.None),
        new("mbv2 pw 16->96 112", 16, 112, 112, 96, 1, 1, 0, 1, FusedActivation.Relu6),
        new("mbv2 pw 96->24 56", 96, 56, 56, 24, 1, 1, 0, 1, FusedActivation.None),
        new("mbv2 pw 24->144 56", 24, 56, 56, 144, 1, 1, 0, 1, FusedActivation.Relu6),
        new("mbv2 pw 144->24 56", 144, 56, 56, 24, 1, 1, 0, 1, FusedActivation.None),
        new("mbv2 pw 32->192 28", 32, 28, 28, 192, 1, 1, 0, 1, FusedActivation.Relu6),
        new("mbv2 pw 192->32 28", 192, 28, 28, 32, 1, 1, 0, 1, FusedActivation.None),
        new("mbv2 pw 64->384 14", 64, 14, 14, 384, 1, 1, 0, 1, FusedActivation.Relu6),
        new("mbv2 pw 384->64 14", 384, 14, 14, 64, 1, 1, 0, 1, FusedActivation.None),
        new("mbv2 pw 96->576 14", 96, 14, 14, 576, 1, 1, 0, 1, FusedActivation.Relu6),
        new("mbv2 pw 160->960 7", 160, 7, 7, 960, 1, 1, 0, 1, FusedActivation.Relu6),
        new("mbv2 pw 960->160 7", 960, 7, 7, 160, 1, 1, 0, 1, FusedActivation.None),
        new("mbv2 pw 320->1280 7", 320, 7, 7, 1280, 1, 1, 0, 1, FusedActivation.Relu6),
        new("mbv2 fc 1280->1000", 1280, 1, 1, 1000, 1, 1, 0, 1, FusedActivation.None),
        new("mbv2 dw s1 32 112", 32, 112, 112, 32, 3, 1, 1, 32, FusedActivation.Relu6),
        new("mbv2 dw s2 96 112", 96, 112, 112, 96, 3, 2, 1, 96, FusedActivation.Relu6),
        new("mbv2 dw s1 144 56", 144, 56, 56, 144, 3, 1, 1, 144, FusedActivation.Relu6),
        new("mbv2 dw s2 144 56", 144, 56, 56, 144, 3, 2, 1, 144, FusedActivation.Relu6),
        new("mbv2 dw s1 192 28", 192, 28, 28, 192, 3, 1, 1, 192, FusedActivation.Relu6),
        new("mbv2 dw s1 384 14", 384, 14, 14, 384, 3, 1, 1, 384, FusedActivation.Relu6),
        new("mbv2 dw s2 576 14", 576, 14, 14, 576, 3, 2, 1, 576, FusedActivation.Relu6),
        new("mbv2 dw s1 960 7", 960, 7, 7, 960, 3, 1, 1, 960, FusedActivation.Relu6),
        new("mbv2 conv 3->32 s2", 3, 224, 224, 32, 3, 2, 1, 1, FusedActivation.Relu6),
        // squeezenet1_1: squeeze / expand 1x1, expand 3x3, the 1x1 classifier
        new("sqz pw 64->16 55", 64, 55, 55, 16, 1, 1, 0, 1, FusedActivation.Relu),
        new("sqz pw 16->64 55", 16, 55, 55, 64, 1, 1, 0, 1, FusedActivation.Relu),
        new("sqz 3x3 16->64 55", 16, 55, 55, 64, 3, 1, 1, 1, FusedActivation.Relu),
        new("sqz pw 256->32 27", 256, 27, 27, 32, 1, 1, 0, 1, FusedActivation.Relu),
        new("sqz 3x3 32->128 27", 32, 27, 27, 128, 3, 1, 1, 1, FusedActivation.Relu),
        new("sqz 3x3 64->256 13", 64, 13, 13, 256, 3, 1, 1, 1, FusedActivation.Relu),
        new("sqz pw 512->1000 13", 512, 13, 13, 1000, 1, 1, 0, 1, FusedActivation.Relu),
        new("sqz conv 3->64 s2", 3, 224, 224, 64, 3, 2, 0, 1, FusedActivation.Relu),
        // style_mosaic (224², reflection padding is its own op, so these convolutions have no padding)
        new("mosaic res 3x3 128 56", 128, 58, 58, 128, 3, 1, 0, 1, FusedActivation.None),
        new("mosaic up 3x3 128->64 112", 128, 114, 114, 64, 3, 1, 0, 1, FusedActivation.None),
        new("mosaic up 3x3 64->32 224", 64, 226, 226, 32, 3, 1, 0, 1, FusedActivation.None),
        new("mosaic 3x3 s2 32->64", 32, 226, 226, 64, 3, 2, 0, 1, FusedActivation.None),
        new("mosaic in 9x9 3->32", 3, 232, 232, 32, 9, 1, 0, 1, FusedActivation.None),
        new("mosaic out 9x9 32->3", 32, 232, 232, 3, 9, 1, 0, 1, FusedActivation.None),
        // resnet18: the 3x3 layers at each resolution (Winograd where the executor would take it)
        new("r18 3x3 64 56", 64, 56, 56, 64, 3, 1, 1, 1, FusedActivation.Relu),
        new("r18 3x3 128 28", 128, 28, 28, 128, 3, 1, 1, 1, FusedActivation.Relu),
        new("r18 3x3 256 14", 256, 14, 14, 256, 3, 1, 1, 1, FusedActivation.Relu),
        new("r18 3x3 512 7", 512, 7, 7, 512, 3, 1, 1, 1, FusedActivation.Relu),
        new("r18 3x3 s2 64->128", 64, 56, 56, 128, 3, 2, 1, 1, FusedActivation.Relu),
        new("r18 3x3 s2 256->512", 256, 14, 14, 512, 3, 2, 1, 1, FusedActivation.Relu),
        new("r18 stem 7x7 s2 3->64", 3, 224, 224, 64, 7, 2, 3, 1, FusedActivation.Relu),
    ];

    /// <summary>Set by an experiment: called with false/true on alternate runs (A/B in one process, same load).</summary>
    internal static Action<bool>? Ab;

    public static void Run(string? filter)
    {
        Console.WriteLine($"best ISA {KernelIsa.Best}, {Environment.ProcessorCount} cores; peak FMA probe {PeakGflops(true):F1} GFLOP/s at 512 bits, {PeakGflops(false):F1} at 256 (1 thread, thread CPU time)");
        Console.WriteLine($"{"layer",-22} {"isa",-6} {"thr",3} {"path",-9} {"us",9} {"GFLOP/s",8} {"cpu us",9} {"GFLOP/s",8}");
        foreach (Layer l in Layers.Where(l => filter == null || l.Name.Contains(filter, StringComparison.Ordinal)))
        {
            foreach (int threads in KernelBenchBase.ThreadCounts)
            {
                Time(l, KernelIsa.Best, threads);
            }
        }
    }

    private static void Time(Layer l, IsaLevel isa, int threads)
    {
        var p = new Conv2DParams
        {
            C = l.C, H = l.H, W = l.W, OC = l.OC, KH = l.K, KW = l.K, StrideH = l.Stride, StrideW = l.Stride,
            PadTop = l.Pad, PadLeft = l.Pad, PadBottom = l.Pad, PadRight = l.Pad, Group = l.Group, Activation = l.Act,
        };
        var r = new Random(1);
        float[] x = Enumerable.Range(0, l.C * l.H * l.W).Select(_ => (float)(r.NextDouble() - 0.5)).ToArray();
        float[] w = Enumerable.Range(0, l.OC * (l.C / l.Group) * l.K * l.K).Select(_ => (float)(r.NextDouble() - 0.5)).ToArray();
        float[] b = Enumerable.Range(0, l.OC).Select(_ => (float)(r.NextDouble() - 0.5)).ToArray();
        float[] y = new float[l.OC * p.ConvOutH * p.ConvOutW];
        double flops = 2.0 * l.OC * p.ConvOutH * p.ConvOutW * (l.C / l.Group) * l.K * l.K;
        Action run;
        string path;
        if (WinogradConv.Preferred(p))
        {
            WinogradWeights wg = WinogradConv.TransformWeights(p, w);
            run = () => WinogradConv.Conv2D(isa, p, x, wg, b, y, threads);
            path = "winograd";
        }
        else if (WinogradSmallPlane.Preferred(p))
        {
            WinogradSmallWeights ws = WinogradSmallPlane.TransformWeights(p, w);
            run = () => WinogradSmallPlane.Conv2D(isa, p, x, ws, b, y, threads);
            path = "wino23";
        }
        else
        {
            ConvPackedWeights? packed = Convolution.PackWeights(p, w);
            run = () => Convolution.Conv2D(isa, p, x, w, b, y, threads, packed);
            path = packed == null ? "depthwise" : "conv";
        }

        var total = Stopwatch.StartNew();
        while (total.Elapsed.TotalMilliseconds < 150)
        {
            run();
        }

        if (Ab != null)
        {
            double[] bw = [double.MaxValue, double.MaxValue], bc = [double.MaxValue, double.MaxValue];
            total.Restart();
            for (int i = 0; i < 4000 && (i < 10 || total.Elapsed.TotalMilliseconds < 1500); i++)
            {
                Ab(i % 2 == 1);
                long t0 = Stopwatch.GetTimestamp();
                double c0 = ThreadCpuMicroseconds();
                run();
                bc[i % 2] = Math.Min(bc[i % 2], ThreadCpuMicroseconds() - c0);
                bw[i % 2] = Math.Min(bw[i % 2], Stopwatch.GetElapsedTime(t0).TotalMicroseconds);
            }

            Ab(false);
            Console.WriteLine($"{l.Name,-22} {isa,-6} {threads,3} {path,-9} A {bw[0],9:F1} cpu {bc[0],9:F1}  B {bw[1],9:F1} cpu {bc[1],9:F1}  B/A cpu {bc[1] / bc[0]:F3}");
            return;
        }

        double best = double.MaxValue, bestCpu = double.MaxValue;
        total.Restart();
        for (int i = 0; i < 2000 && (i < 5 || total.Elapsed.TotalMilliseconds < 400); i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            double c0 = ThreadCpuMicroseconds();
            run();
            bestCpu = Math.Min(bestCpu, ThreadCpuMicroseconds() - c0);
            best = Math.Min(best, Stopwatch.GetElapsedTime(t0).TotalMicroseconds);
        }

        // one thread: this thread's CPU time is what the kernel costs when other processes share the core
        string cpu = threads == 1 && bestCpu > 0 ? $"{bestCpu,9:F1} {flops / (bestCpu * 1e3),8:F1}" : "";
        Console.WriteLine($"{l.Name,-22} {isa,-6} {threads,3} {path,-9} {best,9:F1} {flops / (best * 1e3),8:F1} {cpu}");
    }

    /// <summary>CPU time of the calling thread (Linux CLOCK_THREAD_CPUTIME_ID; 0 elsewhere).</summary>
    private static double ThreadCpuMicroseconds()
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }

        ClockGetTime(3, out TimeSpec ts);
        return (ts.Sec * 1e6) + (ts.Nsec / 1e3);
    }

    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Sec;
        public long Nsec;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec ts);

    /// <summary>Independent FMA chains (12 per step) at 512 and 256 bits: the machine's FMA throughput for one thread.</summary>
    private static double PeakGflops(bool v512)
    {
        double best = 0;
        for (int rep = 0; rep < 20; rep++)
        {
            double t0 = ThreadCpuMicroseconds();
            long w0 = Stopwatch.GetTimestamp();
            const int iters = 2_000_000;
            float s = v512 ? Probe<Vector512<float>, S512>(iters) : Probe<Vector256<float>, S256>(iters);
            double sec = t0 > 0 ? (ThreadCpuMicroseconds() - t0) / 1e6 : Stopwatch.GetElapsedTime(w0).TotalSeconds;
            best = Math.Max(best, ((double)iters * 12 * 2 * (v512 ? 16 : 8) / sec / 1e9) + (s == 12345f ? 1 : 0));
        }

        return best;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static float Probe<TV, S>(int iters)
        where TV : struct
        where S : struct, ISimd<TV>
    {
        TV a = S.Splat(1.0000001f), m = S.Splat(0.9999999f);
        TV c0 = a, c1 = a, c2 = a, c3 = a, c4 = a, c5 = a, c6 = a, c7 = a, c8 = a, c9 = a, c10 = a, c11 = a;
        for (int i = 0; i < iters; i++)
        {
            c0 = S.Fma(c0, m, a); c1 = S.Fma(c1, m, a); c2 = S.Fma(c2, m, a); c3 = S.Fma(c3, m, a);
            c4 = S.Fma(c4, m, a); c5 = S.Fma(c5, m, a); c6 = S.Fma(c6, m, a); c7 = S.Fma(c7, m, a);
            c8 = S.Fma(c8, m, a); c9 = S.Fma(c9, m, a); c10 = S.Fma(c10, m, a); c11 = S.Fma(c11, m, a);
        }

        TV t = S.Add(S.Add(S.Add(c0, c1), S.Add(c2, c3)), S.Add(S.Add(S.Add(c4, c5), S.Add(c6, c7)), S.Add(S.Add(c8, c9), S.Add(c10, c11))));
        return S.GetElement(t, 0);
    }
}
