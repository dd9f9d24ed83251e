namespace ModelBuild.Build.Tests.Infrastructure;

/// <summary>A temp class library with a PackageReference to ModelBuild and the sample model under models/style/.</summary>
public sealed class TestProject
{
    public const string StartMarker = "ModelBuild: running converter";

    public TestProject(string name, string extraProperties = "")
    {
        Directory = Path.Combine(BuildEnvironment.Root, name);
        System.IO.Directory.CreateDirectory(Path.Combine(Directory, "models", "style"));
        File.Copy(BuildEnvironment.SampleModel, Path.Combine(Directory, "models", "style", "mosaic-mini.onnx"), overwrite: true);
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
                <PackageReference Include="ModelBuild" Version="0.1.0" />
                <OnnxModel Include="models/**/*.onnx" />
              </ItemGroup>
            </Project>
            """);
    }

    public string Directory { get; }

    public string Intermediate => Path.Combine(Directory, "obj", "Debug", "net10.0", "modelbuild");

    public string OutputModel => Path.Combine(Directory, "bin", "Debug", "net10.0", "models", "style", "mosaic-mini.mnn");

    public ProcessResult Build(params string[] extra) =>
        Dotnet.Run(Directory, ["build", "-v:n", "-tl:off", "-nologo", "-nodeReuse:false", .. extra]);

    public ProcessResult Clean() => Dotnet.Run(Directory, ["clean", "-v:n", "-tl:off", "-nologo", "-nodeReuse:false"]);

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

        if (File.Exists(OutputModel))
        {
            files[OutputModel] = File.GetLastWriteTimeUtc(OutputModel);
        }

        return files;
    }

    public static int Starts(ProcessResult r, string verb) =>
        r.Output.Split('\n').Count(l => l.Contains($"{StartMarker} {verb} ", StringComparison.Ordinal));
}
