using System.Runtime.CompilerServices;

namespace ModelBuild.Tool.Tests.Infrastructure;

/// <summary>The repository root (folder with ModelBuild.sln), found from the binaries, the working directory or this source file.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> s_root = new(() => Find(SourceFile()));

    public static string Root => s_root.Value;

    public static string SampleModel => Path.Combine(Root, "samples", "models", "mosaic-mini.onnx");

    public static string SampleData => Path.Combine(Root, "samples", "models", "mosaic-mini", "test_data_set_0");

    private static string SourceFile([CallerFilePath] string path = "") => path;

    private static string Find(string sourceFile)
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory(), Path.GetDirectoryName(sourceFile) })
        {
            for (var dir = string.IsNullOrEmpty(start) ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "ModelBuild.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("ModelBuild.sln not found");
    }
}
