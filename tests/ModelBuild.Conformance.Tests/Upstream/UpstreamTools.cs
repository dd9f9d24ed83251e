using System.Diagnostics;
using System.Text.RegularExpressions;

namespace ModelBuild.Conformance.Tests.Upstream;

/// <summary>
/// An upstream MNN build to check our files against: MODELBUILD_MNN_TOOLS names the folder holding its
/// <c>ModuleBasic.out</c> (the build folder of upstream MNN configured with <c>-DMNN_BUILD_TOOLS=ON</c>).
/// <see cref="Revision"/> says which MNN that is: MNNDefine.h's version from the source folder recorded in the
/// build's CMakeCache.txt, plus the commit from MODELBUILD_MNN_COMMIT or, failing that, that folder's git HEAD.
/// </summary>
public sealed partial record UpstreamTools(string ModuleBasic, string Revision)
{
    public const string ToolsVariable = "MODELBUILD_MNN_TOOLS";
    public const string CommitVariable = "MODELBUILD_MNN_COMMIT";

    /// <summary>The tools named by MODELBUILD_MNN_TOOLS, or Assert.Inconclusive saying how to provide them.</summary>
    public static UpstreamTools Require()
    {
        var dir = Environment.GetEnvironmentVariable(ToolsVariable);
        if (string.IsNullOrEmpty(dir))
        {
            Assert.Inconclusive($"{ToolsVariable} is not set: point it at a build folder of upstream MNN (cmake -DMNN_BUILD_TOOLS=ON) holding ModuleBasic.out to check that our files load and run in upstream MNN");
        }

        var exe = Path.Combine(Path.GetFullPath(dir), "ModuleBasic.out");
        if (!File.Exists(exe))
        {
            Assert.Inconclusive($"{ToolsVariable}={dir} has no ModuleBasic.out: build upstream MNN's tools there (cmake -DMNN_BUILD_TOOLS=ON, target ModuleBasic.out)");
        }

        return new UpstreamTools(exe, DescribeRevision(Path.GetDirectoryName(exe)!));
    }

    [GeneratedRegex(@"^MNN_SOURCE_DIR:\w+=(.+)$", RegexOptions.Multiline)]
    private static partial Regex SourceDirPattern();

    [GeneratedRegex(@"#define MNN_VERSION_(MAJOR|MINOR|PATCH) (\d+)")]
    private static partial Regex VersionPattern();

    private static string DescribeRevision(string buildDir)
    {
        var cache = Path.Combine(buildDir, "CMakeCache.txt");
        var source = File.Exists(cache) ? SourceDirPattern().Match(File.ReadAllText(cache)) is { Success: true } m ? m.Groups[1].Value.Trim() : null : null;
        var version = source is null ? null : Version(Path.Combine(source, "include", "MNN", "MNNDefine.h"));
        var commit = Environment.GetEnvironmentVariable(CommitVariable);
        if (string.IsNullOrEmpty(commit) && source is not null)
        {
            commit = GitHead(source);
        }

        return $"MNN {version ?? "(version unknown)"}, commit {(string.IsNullOrEmpty(commit) ? $"unknown (set {CommitVariable})" : commit)}";
    }

    private static string? Version(string header)
    {
        if (!File.Exists(header))
        {
            return null;
        }

        var parts = VersionPattern().Matches(File.ReadAllText(header)).ToDictionary(x => x.Groups[1].Value, x => x.Groups[2].Value);
        return parts.Count == 3 ? $"{parts["MAJOR"]}.{parts["MINOR"]}.{parts["PATCH"]}" : null;
    }

    /// <summary>The source folder's git HEAD when it is a git checkout; null otherwise (e.g. an exported tree).</summary>
    private static string? GitHead(string source)
    {
        if (!Directory.Exists(Path.Combine(source, ".git")) && !File.Exists(Path.Combine(source, ".git")))
        {
            return null;
        }

        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", ["-C", source, "rev-parse", "HEAD"]) { RedirectStandardOutput = true, RedirectStandardError = true });
            if (git is null)
            {
                return null;
            }

            var head = git.StandardOutput.ReadToEnd().Trim();
            return git.WaitForExit(10_000) && git.ExitCode == 0 ? head : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // no git on this machine
        }
    }
}
