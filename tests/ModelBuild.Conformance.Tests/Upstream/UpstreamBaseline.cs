using ModelBuild.Conformance.Tests.Infrastructure;

namespace ModelBuild.Conformance.Tests.Upstream;

/// <summary>
/// tests/ModelBuild.Conformance.Tests/upstream-passing.txt: the cases whose converted file upstream MNN loads, runs
/// and gets right, one key per line ('#' starts a comment). It is separate from baseline-passing.txt because it
/// only means something against an upstream build. MODELBUILD_UPDATE_CONFORMANCE=1 rewrites it.
/// </summary>
public static class UpstreamBaseline
{
    public static string FilePath => Path.Combine(TestPaths.RepoRoot, "tests", "ModelBuild.Conformance.Tests", "upstream-passing.txt");

    /// <summary>upstream-only.txt: the cases only upstream's own converter gets right (see UpstreamOnlySurveyTests).</summary>
    public static string UpstreamOnlyPath => Path.Combine(TestPaths.RepoRoot, "tests", "ModelBuild.Conformance.Tests", "upstream-only.txt");

    public static HashSet<string> Load(string? path = null)
    {
        path ??= FilePath;
        return File.Exists(path)
            ? File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToHashSet(StringComparer.Ordinal)
            : [];
    }

    public static void Update(IEnumerable<string> passing, string revision) =>
        Write(FilePath, $"Cases whose file from our converter upstream MNN runs correctly (ModuleBasic.out; {revision}).", passing);

    public static void Write(string path, string what, IEnumerable<string> keys)
    {
        var text = $"# {what}\n"
            + "# Regenerate: MODELBUILD_MNN_TOOLS=<MNN build> MODELBUILD_UPDATE_CONFORMANCE=1 dotnet test tests/ModelBuild.Conformance.Tests\n"
            + string.Concat(keys.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(k => k + "\n"));
        ReportFile.WriteAtomic(path, text);
    }
}
