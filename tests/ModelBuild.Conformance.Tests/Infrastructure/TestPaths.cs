using System.Runtime.CompilerServices;

namespace ModelBuild.Conformance.Tests.Infrastructure;

/// <summary>
/// The repository root (the folder holding ModelBuild.sln) and the optional shared data folder <c>../shared</c>
/// beside it. The root is found by walking up from the test binaries, then from the working directory, then from
/// this source file's compile-time path (for builds with <c>--artifacts-path</c> outside the repository).
/// </summary>
public static class TestPaths
{
    private static readonly Lazy<string> s_repoRoot = new(() => FindRepoRoot(SourceFile()));

    public static string RepoRoot => s_repoRoot.Value;

    /// <summary><c>RepoRoot/../shared</c> (or <c>MODELBUILD_SHARED</c> when set), or null when absent.</summary>
    public static string? SharedDir
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("MODELBUILD_SHARED");
            var dir = Path.GetFullPath(!string.IsNullOrEmpty(env) ? env : Path.Combine(RepoRoot, "..", "shared"));
            return Directory.Exists(dir) ? dir : null;
        }
    }

    /// <summary>The path of <paramref name="sub"/> inside the shared folder, or Assert.Inconclusive when absent.</summary>
    public static string RequireShared(string sub)
    {
        var shared = SharedDir;
        if (shared is null)
        {
            Assert.Inconclusive($"../shared not present: expected {Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"))} (or set MODELBUILD_SHARED); conformance data is not part of the repository");
        }

        var path = Path.Combine(shared, sub);
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            Assert.Inconclusive($"../shared is incomplete: {path} does not exist");
        }

        return path;
    }

    private static string SourceFile([CallerFilePath] string path = "") => path;

    private static string FindRepoRoot(string sourceFile)
    {
        string?[] starts = [AppContext.BaseDirectory, Directory.GetCurrentDirectory(), Path.GetDirectoryName(sourceFile)];
        foreach (var start in starts)
        {
            for (var dir = string.IsNullOrEmpty(start) ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "ModelBuild.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException($"ModelBuild.sln not found above {AppContext.BaseDirectory}, the working directory or {sourceFile}");
    }
}
