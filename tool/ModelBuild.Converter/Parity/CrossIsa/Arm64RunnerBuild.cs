using System.Diagnostics;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;

namespace ModelBuild.Converter.Parity.CrossIsa;

/// <summary>
/// Builds the linux-arm64 CLI the arm64 column runs under qemu. In a repository clone that is a self-contained publish
/// of tool/ModelBuild.Tool into artifacts/. An installed tool has no sources, but its managed assemblies run on any
/// architecture: a small generated launcher project references them and is published self-contained for linux-arm64
/// (the SDK restores the arm64 runtime pack from the configured NuGet feeds) into a per-user cache, once per build of
/// the tool.
/// </summary>
internal static class Arm64RunnerBuild
{
    private const string LauncherName = "dotnet-model-convert-arm64";

    /// <summary>dotnet publish of the repository's CLI into artifacts/publish/linux-arm64; null and an error when it failed.</summary>
    public static string? PublishFromRepository(string root, out string error)
    {
        var output = Path.Combine(root, "artifacts", "publish", "linux-arm64");
        if (!RunDotnet(root, ["publish", Path.Combine("tool", "ModelBuild.Tool"), "-r", "linux-arm64", "--self-contained", "-c", "Release", "-o", output], out error))
        {
            return null;
        }

        var cli = Path.Combine(output, "dotnet-model-convert");
        error = File.Exists(cli) ? "" : $"dotnet publish did not produce {cli}";
        return File.Exists(cli) ? cli : null;
    }

    /// <summary>The cached launcher for the assemblies in <paramref name="toolDirectory"/>, if it was built before.</summary>
    public static string? FindCached(string toolDirectory) =>
        File.Exists(LauncherPath(toolDirectory)) ? LauncherPath(toolDirectory) : null;

    /// <summary>Generates and publishes the launcher for the tool's own assemblies; null and an error when it failed.</summary>
    public static string? PublishFromInstalledTool(string toolDirectory, out string error)
    {
        var entry = Assembly.GetEntryAssembly()?.GetName().Name;
        var assemblies = Directory.EnumerateFiles(toolDirectory, "*.dll").Order(StringComparer.Ordinal).ToList();
        if (entry is null || !assemblies.Any(a => Path.GetFileNameWithoutExtension(a) == entry))
        {
            error = $"the running tool's assemblies were not found in {toolDirectory}";
            return null;
        }

        var dir = CacheDirectory(toolDirectory);
        var project = Path.Combine(dir, "project");
        Directory.CreateDirectory(project);
        File.WriteAllText(Path.Combine(project, LauncherName + ".csproj"), ProjectText(assemblies));
        File.WriteAllText(Path.Combine(project, "Program.cs"), ProgramText(entry));
        // Published beside the final folder and moved into place, so a cancelled or concurrent publish never
        // leaves a half-written launcher where FindCached looks.
        var staging = Path.Combine(dir, $"publish.{Environment.ProcessId}.tmp");
        if (!RunDotnet(project, ["publish", "-c", "Release", "-o", staging], out error))
        {
            return null;
        }

        if (!File.Exists(Path.Combine(staging, LauncherName)))
        {
            error = $"dotnet publish did not produce {Path.Combine(staging, LauncherName)}";
            return null;
        }

        try
        {
            Directory.Move(staging, Path.Combine(dir, "publish"));
        }
        catch (IOException) when (FindCached(toolDirectory) is not null)
        {
            Directory.Delete(staging, recursive: true); // another process finished first
        }

        return FindCached(toolDirectory);
    }

    private static string LauncherPath(string toolDirectory) => Path.Combine(CacheDirectory(toolDirectory), "publish", LauncherName);

    /// <summary>
    /// ~/.local/share/modelbuild/arm64/&lt;hash&gt; (LocalApplicationData elsewhere): the hash covers the names, sizes and
    /// times of the tool's assemblies, so an updated tool gets a new launcher. MODELBUILD_CACHE overrides the root.
    /// </summary>
    private static string CacheDirectory(string toolDirectory)
    {
        var root = Environment.GetEnvironmentVariable("MODELBUILD_CACHE") is { Length: > 0 } custom
            ? custom
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "modelbuild");
        var identity = new StringBuilder(Environment.Version.ToString());
        foreach (var file in Directory.EnumerateFiles(toolDirectory, "*.dll").Order(StringComparer.Ordinal))
        {
            var info = new FileInfo(file);
            identity.Append('|').Append(info.Name).Append(':').Append(info.Length).Append(':').Append(info.LastWriteTimeUtc.Ticks);
        }

        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(identity.ToString())))[..16].ToLowerInvariant();
        return Path.Combine(root, "arm64", hash);
    }

    private static string ProjectText(IEnumerable<string> assemblies)
    {
        var references = new StringBuilder();
        foreach (var a in assemblies)
        {
            references.Append("    <Reference Include=\"").Append(System.Security.SecurityElement.Escape(Path.GetFileNameWithoutExtension(a)))
                .Append("\"><HintPath>").Append(System.Security.SecurityElement.Escape(a)).AppendLine("</HintPath></Reference>");
        }

        return $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <!-- Generated by dotnet-model-convert: runs its own assemblies on linux-arm64 for the arm64 parity column. -->
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net{Environment.Version.Major}.0</TargetFramework>
                <RuntimeIdentifier>linux-arm64</RuntimeIdentifier>
                <SelfContained>true</SelfContained>
                <InvariantGlobalization>true</InvariantGlobalization>
                <AssemblyName>{LauncherName}</AssemblyName>
                <Nullable>enable</Nullable>
                <ImplicitUsings>disable</ImplicitUsings>
                <SatelliteResourceLanguages>en</SatelliteResourceLanguages>
              </PropertyGroup>
              <ItemGroup>
            {references}  </ItemGroup>
            </Project>
            """;
    }

    /// <summary>Calls the tool's entry point, whatever its signature (sync or async, with or without args).</summary>
    private static string ProgramText(string entryAssembly) => $$"""
        using System.Reflection;
        using System.Threading.Tasks;

        var main = Assembly.Load("{{entryAssembly}}").EntryPoint!;
        var result = main.Invoke(null, main.GetParameters().Length == 0 ? null : new object[] { args });
        switch (result)
        {
            case Task<int> code: return await code;
            case Task done: await done; return 0;
            case int code: return code;
            default: return 0;
        }
        """;

    private static bool RunDotnet(string workingDirectory, string[] arguments, out string error)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory };
        foreach (var a in arguments)
        {
            psi.ArgumentList.Add(a);
        }

        try
        {
            using var p = Process.Start(psi);
            if (p is null)
            {
                error = "cannot start 'dotnet'";
                return false;
            }

            var err = p.StandardError.ReadToEndAsync();
            var outText = p.StandardOutput.ReadToEndAsync();
            if (!p.WaitForExit(Arm64Runner.Timeout))
            {
                p.Kill(entireProcessTree: true);
                error = "dotnet publish timed out";
                return false;
            }

            error = p.ExitCode == 0 ? "" : $"dotnet publish exited with {p.ExitCode}: {(err.Result + outText.Result).Trim()}";
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            error = $"cannot start 'dotnet': {e.Message}";
            return false;
        }
    }
}
