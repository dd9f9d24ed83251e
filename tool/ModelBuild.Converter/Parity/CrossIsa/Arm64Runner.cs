using System.Diagnostics;
using ModelBuild.Converter.Graph;
using ModelBuild.Converter.Onnx;

namespace ModelBuild.Converter.Parity.CrossIsa;

/// <summary>
/// Runs the candidate on arm64 without arm64 hardware: the published linux-arm64 CLI (<c>dotnet-model-convert run</c>)
/// under qemu user-mode emulation, fed the same inputs as input_K.pb files.
/// </summary>
public sealed class Arm64Runner
{
    public const string InstallHint =
        "install qemu user-mode emulation and the arm64 C library, e.g. 'sudo apt-get install qemu-user-static libc6-arm64-cross' (Debian/Ubuntu), then re-run";

    internal static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

    private Arm64Runner(string qemu, string cli)
    {
        Qemu = qemu;
        Cli = cli;
    }

    public string Qemu { get; }

    public string Cli { get; }

    /// <summary>
    /// The runner when qemu and an arm64 CLI are available (publishing the CLI when <paramref name="publishIfMissing"/>);
    /// otherwise null and <paramref name="why"/> says what is missing and how to get it.
    /// </summary>
    public static Arm64Runner? TryCreate(string? repositoryRoot, string? hintPath, bool publishIfMissing, out string why)
    {
        var qemu = FindOnPath("qemu-aarch64-static") ?? FindOnPath("qemu-aarch64");
        if (qemu is null)
        {
            why = $"qemu-aarch64-static was not found on PATH; {InstallHint}";
            return null;
        }

        var root = repositoryRoot
            ?? FindRepositoryRoot(Directory.GetCurrentDirectory())
            ?? (hintPath is null ? null : FindRepositoryRoot(Path.GetDirectoryName(Path.GetFullPath(hintPath)) ?? "."))
            ?? FindRepositoryRoot(AppContext.BaseDirectory);
        string? cli;
        if (root is not null)
        {
            cli = FindPublishedCli(root);
            if (cli is null && publishIfMissing)
            {
                cli = Arm64RunnerBuild.PublishFromRepository(root, out var publishError);
                if (cli is null)
                {
                    why = $"publishing the linux-arm64 CLI failed: {publishError}";
                    return null;
                }
            }

            if (cli is null)
            {
                why = $"no linux-arm64 build of dotnet-model-convert under {Path.Combine(root, "artifacts")}; run 'dotnet publish tool/ModelBuild.Tool -r linux-arm64 --self-contained -o artifacts/publish/linux-arm64' or request --isa arm64 to publish on demand";
                return null;
            }
        }
        else
        {
            // an installed tool: its own assemblies, wrapped once in a self-contained linux-arm64 launcher
            var toolDirectory = AppContext.BaseDirectory;
            cli = Arm64RunnerBuild.FindCached(toolDirectory);
            if (cli is null && publishIfMissing)
            {
                cli = Arm64RunnerBuild.PublishFromInstalledTool(toolDirectory, out var publishError);
                if (cli is null)
                {
                    why = $"building the linux-arm64 launcher of the installed tool failed (it needs the .NET SDK and the linux-arm64 runtime pack from a NuGet feed): {publishError}";
                    return null;
                }
            }

            if (cli is null)
            {
                why = "the installed tool has not built its linux-arm64 launcher yet; request --isa arm64 explicitly to build it (once, with the .NET SDK)";
                return null;
            }
        }

        why = "";
        return new Arm64Runner(qemu, cli);
    }

    /// <summary>
    /// Runs <paramref name="mnnBytes"/> on one sample; <paramref name="inputs"/> are (MNN input name, data) in model
    /// input order; returns output tensors by the name stored in each output_K.pb.
    /// </summary>
    public Dictionary<string, TensorData> Run(byte[] mnnBytes, IReadOnlyList<(string Name, TensorData Data)> inputs, IReadOnlyList<string> outputNames)
    {
        var work = Directory.CreateTempSubdirectory("modelbuild-arm64-");
        try
        {
            var model = Path.Combine(work.FullName, "model.mnn");
            File.WriteAllBytes(model, mnnBytes);
            var inDir = Directory.CreateDirectory(Path.Combine(work.FullName, "inputs")).FullName;
            var outDir = Path.Combine(work.FullName, "outputs");
            for (var k = 0; k < inputs.Count; k++)
            {
                TensorProtoCodec.WriteFile(inputs[k].Data, inputs[k].Name, Path.Combine(inDir, $"input_{k}.pb"));
            }

            var psi = new ProcessStartInfo(Qemu)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            if (Directory.Exists("/usr/aarch64-linux-gnu"))
            {
                psi.ArgumentList.Add("-L");
                psi.ArgumentList.Add("/usr/aarch64-linux-gnu");
            }

            foreach (var a in new[] { Cli, "run", model, "--inputs", inDir, "--outputs", outDir })
            {
                psi.ArgumentList.Add(a);
            }

            // the JIT's W^X double mapping is slow and fragile under user-mode emulation
            psi.Environment["DOTNET_EnableWriteXorExecute"] = "0";

            // the arm64 sysroot usually has no libicu; the CLI needs no culture data
            psi.Environment["DOTNET_SYSTEM_GLOBALIZATION_INVARIANT"] = "1";
            using var process = Process.Start(psi) ?? throw new ModelBuildException(ErrorCodes.ParityIsaDivergence, $"cannot start {Qemu}");
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                throw new ModelBuildException(ErrorCodes.ParityIsaDivergence, $"the arm64 run under qemu did not finish within {Timeout.TotalMinutes} minutes");
            }

            if (process.ExitCode != 0)
            {
                throw new ModelBuildException(ErrorCodes.ParityIsaDivergence, $"the arm64 CLI under qemu exited with {process.ExitCode}: {stderr.Result.Trim()} {stdout.Result.Trim()}");
            }

            var results = new Dictionary<string, TensorData>(StringComparer.Ordinal);
            for (var k = 0; k < outputNames.Count; k++)
            {
                var (name, data) = TensorProtoCodec.ReadTensorFile(Path.Combine(outDir, $"output_{k}.pb"));
                results[string.IsNullOrEmpty(name) ? outputNames[k] : name] = data;
            }

            return results;
        }
        finally
        {
            try
            {
                work.Delete(recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    internal static string? FindOnPath(string exe)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var full = Path.Combine(dir, exe);
            if (File.Exists(full))
            {
                return full;
            }
        }

        return null;
    }

    internal static string? FindRepositoryRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ModelBuild.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }

    /// <summary>An apphost named dotnet-model-convert in a linux-arm64 folder under artifacts/.</summary>
    internal static string? FindPublishedCli(string root)
    {
        var artifacts = Path.Combine(root, "artifacts");
        if (!Directory.Exists(artifacts))
        {
            return null;
        }

        return Directory.EnumerateFiles(artifacts, "dotnet-model-convert", SearchOption.AllDirectories)
            .FirstOrDefault(f => f.Replace('\\', '/').Contains("linux-arm64", StringComparison.Ordinal));
    }
}
