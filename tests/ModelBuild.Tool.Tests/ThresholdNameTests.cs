using ModelBuild.Tool.Cli;
using ModelBuild.Tool.Tests.Infrastructure;

namespace ModelBuild.Tool.Tests;

/// <summary>
/// One threshold vocabulary: --max-relative-error / --min-cosine-similarity (MSBuild MaxRelativeError /
/// MinCosineSimilarity, messages "relative error" / "cosine similarity"); the older short names still work.
/// </summary>
[TestClass]
public sealed class ThresholdNameTests
{
    private static CliResult Check(params string[] extra) =>
        CliRun.InProcess(["check", RepoPaths.SampleModel, "--inputs", RepoPaths.SampleData, "--isa", "scalar", "--no-localize", .. extra]);

    [TestMethod]
    [DataRow("--max-relative-error", "0")]
    [DataRow("--max-rel-error", "0")]
    [DataRow("--threshold", "output:max-relative-error=0")]
    [DataRow("--threshold", "output:max-rel-error=0")]
    public void RelativeErrorLimit_ByEveryName_FailsWithTheSameWords(string option, string value)
    {
        var r = Check(option, value);
        Assert.AreEqual(ExitCodes.ParityFailed, r.ExitCode, r.ToString());
        Assert.Contains("relative error", r.Error, r.ToString());
        Assert.Contains("> 0", r.Error, r.ToString());
        Assert.DoesNotContain("peak-relative", r.Out + r.Error, r.ToString());
    }

    [TestMethod]
    [DataRow("--min-cosine-similarity")]
    [DataRow("--min-cosine")]
    public void CosineLimit_ByEitherName(string option)
    {
        var r = Check(option, "2");
        Assert.AreEqual(ExitCodes.Usage, r.ExitCode, r.ToString());
        Assert.StartsWith("MB5001: --min-cosine-similarity 2 is above 1", r.ErrorLine, r.ToString());
    }

    [TestMethod]
    public void Help_NamesTheNewOptionsAndTheirMSBuildMetadata()
    {
        var r = CliRun.InProcess("check", "--help");
        Assert.Contains("--max-relative-error", r.Out, r.ToString());
        Assert.Contains("MaxRelativeError", r.Out, r.ToString());
        Assert.Contains("--min-cosine-similarity", r.Out, r.ToString());
    }
}
