using ModelBuild.Tool.Cli;
using ModelBuild.Tool.Tests.Infrastructure;

namespace ModelBuild.Tool.Tests;

/// <summary>Numeric options outside their sane range are refused up front with a message naming the bound.</summary>
[TestClass]
public sealed class OptionRangeTests
{
    [TestMethod]
    [DataRow("100000")]
    [DataRow("1025")]
    [DataRow("-1")]
    public void ThreadsOutside0To1024_IsMB5001(string threads)
    {
        using var tmp = new TempDir();
        var r = CliRun.InProcess("run", RepoPaths.SampleModel, "--inputs", RepoPaths.SampleData, "--outputs", tmp.Path, "--threads", threads);
        Assert.AreEqual(2, r.ExitCode, r.ToString());
        Assert.StartsWith($"MB5001: --threads {threads} ", r.ErrorLine, r.ToString());
        Assert.Contains("1024", r.ErrorLine, r.ToString());
    }

    [TestMethod]
    [DataRow("input=0x3x64x64", "axis 0 is 0")]
    [DataRow("input=1x3x0x64", "axis 2 is 0")]
    public void ZeroInputShapeDimension_IsMB1012(string shape, string why)
    {
        using var tmp = new TempDir();
        foreach (var r in new[]
        {
            CliRun.InProcess("convert", RepoPaths.SampleModel, "-o", tmp.File("never.mnn"), "--input-shape", shape),
            CliRun.InProcess("run", RepoPaths.SampleModel, "--inputs", RepoPaths.SampleData, "--outputs", tmp.Path, "--input-shape", shape),
        })
        {
            Assert.AreEqual(ExitCodes.Error, r.ExitCode, r.ToString());
            Assert.StartsWith("MB1012: ", r.ErrorLine, r.ToString());
            Assert.Contains(why, r.ErrorLine, r.ToString());
        }

        Assert.IsFalse(File.Exists(tmp.File("never.mnn")));
    }
}
