namespace ModelBuild.Conformance.Tests.Infrastructure;

/// <summary>
/// tests/ModelBuild.Conformance.Tests/baseline-passing.txt: the case keys ("suite/name") known to pass, one per
/// line ('#' starts a comment). A listed case that no longer passes is a regression. With
/// MODELBUILD_UPDATE_CONFORMANCE=1 a suite rewrites its own lines (those with its prefix) to the current passes.
/// </summary>
public static class Baseline
{
    public static string FilePath => Path.Combine(TestPaths.RepoRoot, "tests", "ModelBuild.Conformance.Tests", "baseline-passing.txt");

    public static bool UpdateRequested => Environment.GetEnvironmentVariable("MODELBUILD_UPDATE_CONFORMANCE") == "1";

    /// <summary>Baseline keys starting with one of <paramref name="prefixes"/>.</summary>
    public static HashSet<string> Load(params string[] prefixes) =>
        ReadLines().Where(l => prefixes.Any(p => l.StartsWith(p, StringComparison.Ordinal))).ToHashSet(StringComparer.Ordinal);

    /// <summary>Replaces the lines with these prefixes by <paramref name="passing"/>, keeping everything else; sorted.</summary>
    public static void Update(IEnumerable<string> passing, params string[] prefixes)
    {
        var keep = ReadLines().Where(l => !prefixes.Any(p => l.StartsWith(p, StringComparison.Ordinal)));
        var lines = keep.Concat(passing).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var text = "# Conformance cases that pass (suite/case). Regenerate: MODELBUILD_UPDATE_CONFORMANCE=1 dotnet test tests/ModelBuild.Conformance.Tests\n"
            + string.Concat(lines.Select(l => l + "\n"));
        ReportFile.WriteAtomic(FilePath, text);
    }

    private static IEnumerable<string> ReadLines() =>
        File.Exists(FilePath)
            ? File.ReadAllLines(FilePath).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))
            : [];
}
