namespace ModelBuild.Build.Tests.Infrastructure;

/// <summary>
/// The repository, a temp folder holding a local NuGet feed with the freshly packed ModelBuild, ModelBuild.Tool and
/// ModelBuild.Runtime packages, an isolated global packages folder and a NuGet.config naming both sources. Prepared once per run.
/// </summary>
public static class BuildEnvironment
{
    private static string? _root;

    private static readonly Lazy<string> RepoRootValue = new(FindRepoRoot);

    public static string RepoRoot => RepoRootValue.Value;

    public static string Root => _root ?? throw new InvalidOperationException("BuildEnvironment.Prepare has not run");

    public static string Feed => Path.Combine(Root, "feed");

    public static string PackagesFolder => Path.Combine(Root, "packages");

    public static string NuGetConfig => Path.Combine(Root, "NuGet.config");

    public static string SampleModel => Path.Combine(RepoRoot, "samples", "models", "mosaic-mini.onnx");

    /// <summary>
    /// Packs tasks/ModelBuild.Tasks (package ModelBuild), tool/ModelBuild.Tool and runtime/ModelBuild.Runtime into the feed. When the Release
    /// outputs already exist (CI builds the solution first) they are packed as built (--no-build).
    /// </summary>
    public static void Prepare()
    {
        _root = Path.Combine(Path.GetTempPath(), "modelbuild-build-tests-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Feed);
        Directory.CreateDirectory(PackagesFolder);
        File.WriteAllText(NuGetConfig, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="modelbuild-local" value="{Feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
              <config>
                <add key="globalPackagesFolder" value="{PackagesFolder}" />
              </config>
            </configuration>
            """);

        // MODELBUILD_TEST_ARTIFACTS: pack from (and build into) an --artifacts-path folder instead of the default bin/obj
        var artifacts = Environment.GetEnvironmentVariable("MODELBUILD_TEST_ARTIFACTS");
        var built = string.IsNullOrEmpty(artifacts)
            ? File.Exists(Path.Combine(RepoRoot, "tasks", "ModelBuild.Tasks", "bin", "Release", "netstandard2.0", "ModelBuild.Tasks.dll"))
              && File.Exists(Path.Combine(RepoRoot, "tool", "ModelBuild.Tool", "bin", "Release", "net10.0", "dotnet-model-convert.dll"))
            : File.Exists(Path.Combine(artifacts, "bin", "ModelBuild.Tasks", "release", "ModelBuild.Tasks.dll"))
              && File.Exists(Path.Combine(artifacts, "bin", "ModelBuild.Tool", "release", "dotnet-model-convert.dll"));
        foreach (var project in new[] { "tasks/ModelBuild.Tasks/ModelBuild.Tasks.csproj", "tool/ModelBuild.Tool/ModelBuild.Tool.csproj", "runtime/ModelBuild.Runtime/ModelBuild.Runtime.csproj" })
        {
            var args = new List<string> { "pack", Path.Combine(RepoRoot, project), "-c", "Release", "-o", Feed, "-nologo", "-v", "quiet", "-nodeReuse:false" };
            if (!string.IsNullOrEmpty(artifacts))
            {
                args.AddRange(["--artifacts-path", artifacts]);
            }

            if (built)
            {
                args.Add("--no-build");
            }

            var result = Dotnet.Run(RepoRoot, [.. args]);
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException($"packing {project} failed:{Environment.NewLine}{result}");
            }
        }
    }

    public static void Cleanup()
    {
        if (_root is not null && Environment.GetEnvironmentVariable("MODELBUILD_KEEP_TEST_FILES") != "1")
        {
            try
            {
                Directory.Delete(_root, recursive: true);
            }
            catch (IOException)
            {
                // a straggling process still holds a file; the temp folder is cleaned by the OS eventually
            }
        }
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ModelBuild.sln")))
            {
                return dir.FullName;
            }
        }

        // built with --artifacts-path the tests live outside the repository: use the folder recorded at build time
        var recorded = typeof(BuildEnvironment).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "ModelBuildRepoRoot")?.Value;
        if (recorded is not null && File.Exists(Path.Combine(recorded, "ModelBuild.sln")))
        {
            return Path.GetFullPath(recorded);
        }

        throw new InvalidOperationException($"ModelBuild.sln not found above {AppContext.BaseDirectory} nor at {recorded}");
    }
}
