using BenchmarkDotNet.Attributes;
using ModelBuild.Runtime.Kernels;

namespace ModelBuild.Bench;

/// <summary>Shared parameter space: every ISA level the machine has × {1 thread, all cores}.</summary>
public abstract class KernelBenchBase
{
    public static IEnumerable<IsaLevel> Levels => KernelIsa.Available;

    public static IEnumerable<int> ThreadCounts => Environment.ProcessorCount > 1 ? [1, Environment.ProcessorCount] : [1];

    [ParamsSource(nameof(Levels))]
    public IsaLevel Isa { get; set; }

    [ParamsSource(nameof(ThreadCounts))]
    public int Threads { get; set; }

    protected static float[] Random(int n, int seed)
    {
        var r = new Random(seed);
        var a = new float[n];
        for (int i = 0; i < n; i++)
        {
            a[i] = (float)(r.NextDouble() - 0.5);
        }

        return a;
    }
}

/// <summary>GEMM 256×3136×576 (ResNet-50 conv3 3×3 as im2col GEMM): 0.925 GFLOP per call.</summary>
public class GemmBench : KernelBenchBase
{
    public const int M = 256, N = 3136, K = 576;
    private float[] _a = [], _b = [], _c = [];

    [GlobalSetup]
    public void Setup()
    {
        _a = Random(M * K, 1);
        _b = Random(K * N, 2);
        _c = new float[M * N];
    }

    [Benchmark]
    public void Gemm() => ModelBuild.Runtime.Kernels.Gemm.Compute(Isa, M, N, K, _a, K, false, _b, N, false, _c, N, threads: Threads);

    public static double Flops => 2.0 * M * N * K;
}

/// <summary>Depthwise 3×3 stride 1 pad 1 on 1×144×56×56 (MobileNetV2 block), bias + ReLU6.</summary>
public class DepthwiseBench : KernelBenchBase
{
    private readonly Conv2DParams _p = new()
    {
        N = 1, C = 144, H = 56, W = 56, OC = 144, KH = 3, KW = 3, PadTop = 1, PadLeft = 1, PadBottom = 1, PadRight = 1, Group = 144,
        Activation = FusedActivation.Relu6,
    };

    private float[] _x = [], _w = [], _b = [], _y = [];

    [GlobalSetup]
    public void Setup()
    {
        _x = Random(144 * 56 * 56, 3);
        _w = Random(144 * 9, 4);
        _b = Random(144, 5);
        _y = new float[144 * 56 * 56];
    }

    [Benchmark]
    public void Depthwise3x3() => Convolution.Conv2D(Isa, _p, _x, _w, _b, _y, Threads);

    public static double Flops => 2.0 * 144 * 56 * 56 * 9;
}

/// <summary>1×1 convolution 64→256 on 1×64×56×56 (ResNet-50 bottleneck expand), bias + ReLU.</summary>
public class Conv1x1Bench : KernelBenchBase
{
    private readonly Conv2DParams _p = new() { N = 1, C = 64, H = 56, W = 56, OC = 256, Activation = FusedActivation.Relu };
    private float[] _x = [], _w = [], _b = [], _y = [];

    [GlobalSetup]
    public void Setup()
    {
        _x = Random(64 * 56 * 56, 6);
        _w = Random(256 * 64, 7);
        _b = Random(256, 8);
        _y = new float[256 * 56 * 56];
    }

    [Benchmark]
    public void Conv1x1() => Convolution.Conv2D(Isa, _p, _x, _w, _b, _y, Threads);

    public static double Flops => 2.0 * 256 * 64 * 56 * 56;
}

/// <summary>3×3 convolution 64→64 on 1×64×56×56 through im2col + GEMM, bias + ReLU.</summary>
public class Conv3x3Bench : KernelBenchBase
{
    private readonly Conv2DParams _p = new()
    {
        N = 1, C = 64, H = 56, W = 56, OC = 64, KH = 3, KW = 3, PadTop = 1, PadLeft = 1, PadBottom = 1, PadRight = 1, Activation = FusedActivation.Relu,
    };

    private float[] _x = [], _w = [], _b = [], _y = [];

    [GlobalSetup]
    public void Setup()
    {
        _x = Random(64 * 56 * 56, 9);
        _w = Random(64 * 64 * 9, 10);
        _b = Random(64, 11);
        _y = new float[64 * 56 * 56];
    }

    [Benchmark]
    public void Conv3x3() => Convolution.Conv2D(Isa, _p, _x, _w, _b, _y, Threads);

    public static double Flops => 2.0 * 64 * 64 * 9 * 56 * 56;
}
