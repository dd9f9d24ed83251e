namespace ModelBuild.Runtime.Tests;

/// <summary>
/// Locations shared by the tests: the repository root (the folder holding ModelBuild.sln, found by walking
/// up from the test binaries) and the optional shared data folder <c>../shared</c> next to it.
/// </summary>
public static class TestPaths
{
    private static readonly Lazy<string> _repoRoot = new(FindRepoRoot);

    /// <summary>The folder containing ModelBuild.sln.</summary>
    public static string RepoRoot => _repoRoot.Value;

    /// <summary><c>RepoRoot/../shared</c> (or <c>MODELBUILD_SHARED</c> when set), or null when absent.</summary>
    public static string? SharedDir
    {
        get
        {
            string? env = Environment.GetEnvironmentVariable("MODELBUILD_SHARED");
            string dir = !string.IsNullOrEmpty(env) ? env : Path.Combine(RepoRoot, "..", "shared");
            dir = Path.GetFullPath(dir);
            return Directory.Exists(dir) ? dir : null;
        }
    }

    /// <summary>
    /// The path of <paramref name="sub"/> inside the shared folder; ends the test as inconclusive when the shared
    /// folder or that entry is absent.
    /// </summary>
    public static string RequireShared(string sub)
    {
        string? shared = SharedDir;
        if (shared is null)
            Assert.Inconclusive($"../shared not present: expected {Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"))} (or set MODELBUILD_SHARED)");
        string path = Path.Combine(shared, sub);
        if (!File.Exists(path) && !Directory.Exists(path))
            Assert.Inconclusive($"../shared not present: {path} does not exist");
        return path;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ModelBuild.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"ModelBuild.sln not found above {AppContext.BaseDirectory}");
    }
}
