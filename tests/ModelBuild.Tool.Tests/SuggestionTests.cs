using ModelBuild.Tool.Cli;
using ModelBuild.Tool.Tests.Infrastructure;

namespace ModelBuild.Tool.Tests;

/// <summary>Bad usage is an MB5001 error line (not a help dump) with "did you mean" for a near miss.</summary>
[TestClass]
public sealed class SuggestionTests
{
    [TestMethod]
    [DataRow("--max-rel-eror", "--max-rel-error", "check", "m.onnx")]
    [DataRow("--max-relative-eror", "--max-relative-error", "check", "m.onnx")]
    [DataRow("--input", "--inputs", "run", "m.mnn", "--outputs", "o")]
    [DataRow("--jsn", "--json", "inspect", "m.onnx")]
    public void MistypedOption_SuggestsTheClosest(string typo, string expected, params string[] args)
    {
        var r = CliRun.InProcess([.. args, typo, "x"]);
        Assert.AreEqual(ExitCodes.Usage, r.ExitCode, r.ToString());
        Assert.Contains($"MB5001: Unrecognized command or argument '{typo}'. Did you mean '{expected}'?", r.Error, r.ToString());
        Assert.DoesNotContain("Usage:", r.Out + r.Error, "an error, not the help text: " + r);
    }

    [TestMethod]
    public void MistypedCommand_SuggestsTheCommand()
    {
        var r = CliRun.InProcess("chek", "m.onnx");
        Assert.AreEqual(ExitCodes.Usage, r.ExitCode, r.ToString());
        Assert.Contains("Did you mean 'check'?", r.Error, r.ToString());
    }

    [TestMethod]
    public void FarOff_HasNoSuggestion()
    {
        var r = CliRun.InProcess("inspect", "m.onnx", "--frobnicate");
        Assert.AreEqual(ExitCodes.Usage, r.ExitCode, r.ToString());
        Assert.DoesNotContain("Did you mean", r.Error, r.ToString());
    }

    [TestMethod]
    [DataRow("kitten", "sitting", 3)]
    [DataRow("--input", "--inputs", 1)]
    [DataRow("", "abc", 3)]
    [DataRow("same", "same", 0)]
    public void EditDistance(string a, string b, int d) => Assert.AreEqual(d, Suggestions.Distance(a, b));
}
