using System.Diagnostics;

namespace ModelBuild.Conformance.Tests.Upstream;

/// <summary>
/// Upstream MNNConvert (built beside ModuleBasic.out): <c>MNNConvert -f ONNX --modelFile X --MNNModel Y
/// --bizCode MNN</c>, defaults otherwise, as ../shared/mnn-upstream's files were written.
/// </summary>
public static class UpstreamConverter
{
    /// <summary>The MNNConvert beside the tools' ModuleBasic.out, or null when that build has none.</summary>
    public static string? Find(UpstreamTools tools) =>
        Path.Combine(Path.GetDirectoryName(tools.ModuleBasic)!, "MNNConvert") is var exe && File.Exists(exe) ? exe : null;

    /// <summary>True when MNNConvert wrote <paramref name="output"/> and said it succeeded.</summary>
    public static bool Convert(UpstreamTools tools, string onnx, string output, TimeSpan timeout)
    {
        var exe = Find(tools) ?? throw new InvalidOperationException($"no MNNConvert beside {tools.ModuleBasic}");
        var (exitCode, log) = BoundedProcess.Run(new ProcessStartInfo(exe, ["-f", "ONNX", "--modelFile", onnx, "--MNNModel", output, "--bizCode", "MNN"]), timeout);
        return exitCode == 0 && File.Exists(output) && new FileInfo(output).Length > 0
            && log.Contains("Converted Success", StringComparison.OrdinalIgnoreCase);
    }
}
