using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace ModelBuild.Runtime.Kernels;

/// <summary>SIMD width a kernel runs at. The numeric value is the vector width in bits (0 = scalar reference).</summary>
public enum IsaLevel
{
    Scalar = 0,
    V128 = 128,
    V256 = 256,
    V512 = 512,
}

/// <summary>
/// Hardware ISA detection. <see cref="Best"/> is what the machine accelerates; <see cref="Default"/> is
/// <see cref="Best"/> lowered by the environment variable <c>MODELBUILD_ISA=scalar|128|256|512</c> (read once).
/// Every kernel clamps the level it is given with <see cref="Clamp"/>, so asking for more than the hardware has
/// is never an error: it silently runs the best supported level (which gives the same bits anyway).
/// </summary>
internal static class KernelIsa
{
    private static readonly IsaLevel s_best = DetectBest();
    private static readonly IsaLevel s_default = ComputeDefault(s_best, Environment.GetEnvironmentVariable("MODELBUILD_ISA"));
    private static readonly IsaLevel[] s_available = BuildAvailable(s_best);

    /// <summary>Best level the hardware accelerates (V256/V512 need FMA on x86; V128 needs AdvSimd on arm64).</summary>
    public static IsaLevel Best => s_best;

    /// <summary><see cref="Best"/> clamped by <c>MODELBUILD_ISA</c> (read once at start-up).</summary>
    public static IsaLevel Default => s_default;

    /// <summary>Every level this machine can run, ascending (always contains <see cref="IsaLevel.Scalar"/>).</summary>
    public static IReadOnlyList<IsaLevel> Available => s_available;

    /// <summary>Highest supported level not above <paramref name="requested"/>. Unknown values map to Scalar.</summary>
    public static IsaLevel Clamp(IsaLevel requested)
    {
        int r = (int)requested;
        int b = (int)s_best;
        if (r >= 512 && b >= 512)
        {
            return IsaLevel.V512;
        }

        if (r >= 256 && b >= 256)
        {
            return IsaLevel.V256;
        }

        if (r >= 128 && b >= 128)
        {
            return IsaLevel.V128;
        }

        return IsaLevel.Scalar;
    }

    /// <summary>Parses <c>scalar|128|256|512</c> (also <c>v128</c>, <c>avx2</c>-style names are not accepted). Null when unknown.</summary>
    public static IsaLevel? Parse(string? text)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "scalar": case "0": case "none": return IsaLevel.Scalar;
            case "128": case "v128": return IsaLevel.V128;
            case "256": case "v256": return IsaLevel.V256;
            case "512": case "v512": return IsaLevel.V512;
            default: return null;
        }
    }

    internal static IsaLevel ComputeDefault(IsaLevel best, string? env)
    {
        IsaLevel? forced = Parse(env);
        if (forced is null)
        {
            return best;
        }

        return (int)forced.Value < (int)best ? forced.Value : best;
    }

    private static IsaLevel DetectBest()
    {
        if (RuntimeInformationIsX86())
        {
            bool fma = Fma.IsSupported;
            if (fma && Vector512.IsHardwareAccelerated && Avx512F.IsSupported)
            {
                return IsaLevel.V512;
            }

            if (fma && Vector256.IsHardwareAccelerated && Avx2.IsSupported)
            {
                return IsaLevel.V256;
            }

            return Vector128.IsHardwareAccelerated && Sse41.IsSupported ? IsaLevel.V128 : IsaLevel.Scalar;
        }

        if (AdvSimd.IsSupported && Vector128.IsHardwareAccelerated)
        {
            return IsaLevel.V128;
        }

        return Vector128.IsHardwareAccelerated ? IsaLevel.V128 : IsaLevel.Scalar;
    }

    private static bool RuntimeInformationIsX86() => Sse.IsSupported;

    private static IsaLevel[] BuildAvailable(IsaLevel best)
    {
        var list = new List<IsaLevel> { IsaLevel.Scalar };
        foreach (IsaLevel l in new[] { IsaLevel.V128, IsaLevel.V256, IsaLevel.V512 })
        {
            if ((int)l <= (int)best)
            {
                list.Add(l);
            }
        }

        return list.ToArray();
    }
}
