namespace ModelBuild.Build.Tests.Infrastructure;

/// <summary>
/// A temp consumer project with a PackageReference to ModelBuild (as the README shows it), <c>&lt;OnnxModel Include="models/**/*.onnx" /&gt;</c>
/// and copies of the sample model (by default one, at models/style/mosaic-mini.onnx).
/// </summary>
public sealed class TestProject
{
    public const string StartMarker = "ModelBuild: running converter";

    public const string DefaultModel = "models/style/mosaic-mini.onnx";

    /// <param name="name">Folder and project name under the test root.</param>
    /// <param name="extraProperties">Added to the project's PropertyGroup.</param>
    /// <param name="models">Project-relative paths that get a copy of the sample model (all under models/).</param>
    /// <param name="extraItems">Added to the project's ItemGroup.</param>
    public TestProject(string name, string extraProperties = "", IReadOnlyList<string>? models = null, string extraItems = "")
    {
        Directory = Path.Combine(BuildEnvironment.Root, name);
        Models = models ?? [DefaultModel];
        foreach (var model in Models)
        {
            var target = Path.Combine(Directory, model);
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(BuildEnvironment.SampleModel, target, overwrite: true);
        }

        File.Copy(BuildEnvironment.NuGetConfig, Path.Combine(Directory, "NuGet.config"), overwrite: true);
        // an empty Directory.Build.props/targets keeps the repository's (if the temp folder is inside it) out
        File.WriteAllText(Path.Combine(Directory, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(Directory, "Directory.Build.targets"), "<Project />");
        File.WriteAllText(Path.Combine(Directory, name + ".csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <!-- one ISA column keeps the gate to seconds (the default adds every level and arm64 under emulation) -->
                <ModelBuildParityIsa>scalar</ModelBuildParityIsa>
                {extraProperties}
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="ModelBuild" Version="0.1.0" PrivateAssets="all" />
                <OnnxModel Include="models/**/*.onnx" />
                {extraItems}
              </ItemGroup>
            </Project>
            """);
    }

    public string Directory { get; }

    public string Name => Path.GetFileName(Directory);

    public IReadOnlyList<string> Models { get; }

    public string Intermediate => Path.Combine(Directory, "obj", "Debug", "net10.0", "modelbuild");

    public string OutputDirectory => Path.Combine(Directory, "bin", "Debug", "net10.0");

    /// <summary>The .mnn of the default model under bin/.</summary>
    public string OutputModel => OutputModelOf(DefaultModel);

    /// <summary>Where the .mnn of <paramref name="model"/> (project-relative .onnx path) lands under bin/.</summary>
    public string OutputModelOf(string model) => Path.Combine(OutputDirectory, MnnPath(model));

    /// <summary>The project-relative .onnx path with the .mnn extension, in the OS's separators.</summary>
    public static string MnnPath(string model) => Path.ChangeExtension(model, ".mnn").Replace('/', Path.DirectorySeparatorChar);

    public ProcessResult Build(params string[] extra) => Dotnet.Run(Directory, ["build", .. CommonArgs, .. extra]);

    public ProcessResult Clean() => Dotnet.Run(Directory, ["clean", .. CommonArgs]);

    /// <summary>Any dotnet command in the project folder with the same logging and node options as <see cref="Build"/>.</summary>
    public ProcessResult Run(string command, params string[] extra) => Dotnet.Run(Directory, [command, .. CommonArgs, .. extra]);

    /// <summary>Normal verbosity (the task's messages), no terminal logger, no MSBuild node left behind.</summary>
    public static string[] CommonArgs => ["-v:n", "-tl:off", "-nologo", "-nodeReuse:false"];

    /// <summary>Every file ModelBuild wrote (obj/…/modelbuild/** and the .mnn under bin/) with its timestamp.</summary>
    public Dictionary<string, DateTime> GeneratedFiles()
    {
        var files = new Dictionary<string, DateTime>(StringComparer.Ordinal);
        if (System.IO.Directory.Exists(Intermediate))
        {
            foreach (var f in System.IO.Directory.EnumerateFiles(Intermediate, "*", SearchOption.AllDirectories))
            {
                files[f] = File.GetLastWriteTimeUtc(f);
            }
        }

        foreach (var model in Models.Select(OutputModelOf).Where(File.Exists))
        {
            files[model] = File.GetLastWriteTimeUtc(model);
        }

        return files;
    }

    /// <summary>Files under obj/ and bin/ whose name matches <paramref name="pattern"/>, project-relative.</summary>
    public List<string> FilesInObjAndBin(string pattern) =>
        new[] { "obj", "bin" }.Select(d => Path.Combine(Directory, d)).Where(System.IO.Directory.Exists)
            .SelectMany(d => System.IO.Directory.EnumerateFiles(d, pattern, SearchOption.AllDirectories))
            .Select(f => Path.GetRelativePath(Directory, f)).ToList();

    public static int Starts(ProcessResult r, string verb) => Starts(r.Output, verb);

    public static int Starts(string output, string verb) =>
        output.Split('\n').Count(l => l.Contains($"{StartMarker} {verb} ", StringComparison.Ordinal));
}
