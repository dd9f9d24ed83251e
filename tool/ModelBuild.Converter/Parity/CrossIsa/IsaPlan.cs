using ModelBuild.Runtime.Kernels;

namespace ModelBuild.Converter.Parity.CrossIsa;

/// <summary>One requested ISA column: an in-process level, or "arm64" (the linux-arm64 CLI under qemu).</summary>
public sealed record IsaRequest(string Name, IsaLevel? Level, bool Arm64, bool Explicit);

/// <summary>Parses the ISA list of the check and decides which columns run here.</summary>
public static class IsaPlan
{
    public const string Arm64 = "arm64";

    /// <summary>
    /// "scalar,128,256,512,arm64" (comma separated; also "all", "native"). Empty = the native level only: the kernels
    /// promise the same bits at every width, and the scalar column alone costs ~20 native runs, which would break the
    /// gate's cost budget (about 3x one reference plus one candidate run per sample). Cross-ISA checks are asked for
    /// explicitly (`--isa all,arm64`). MB5001 for unknown names.
    /// </summary>
    public static List<IsaRequest> Parse(IEnumerable<string> items)
    {
        var tokens = items.SelectMany(i => i.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToList();
        var result = new List<IsaRequest>();
        if (tokens.Count == 0)
        {
            result.Add(new IsaRequest(Name(KernelIsa.Default), KernelIsa.Default, false, false));
            return result;
        }

        foreach (var t in tokens)
        {
            var lower = t.ToLowerInvariant();
            if (lower == "all")
            {
                result.AddRange(new[] { IsaLevel.Scalar, IsaLevel.V128, IsaLevel.V256, IsaLevel.V512 }.Select(l => new IsaRequest(Name(l), l, false, true)));
            }
            else if (lower is "native" or "default")
            {
                result.Add(new IsaRequest(Name(KernelIsa.Default), KernelIsa.Default, false, true));
            }
            else if (lower is Arm64 or "aarch64")
            {
                result.Add(new IsaRequest(Arm64, null, true, true));
            }
            else if (KernelIsa.Parse(lower) is { } level)
            {
                result.Add(new IsaRequest(Name(level), level, false, true));
            }
            else
            {
                throw new ModelBuildException(ErrorCodes.UsageError, $"--isa '{t}' is not one of scalar, 128, 256, 512, arm64, all, native");
            }
        }

        return result.DistinctBy(r => r.Name).ToList();
    }

    public static string Name(IsaLevel level) => level == IsaLevel.Scalar ? "scalar" : ((int)level).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>True when this CPU runs the level itself (a higher request would silently run lower).</summary>
    public static bool Supported(IsaLevel level) => KernelIsa.Clamp(level) == level;
}
