using System.Text.Json;
using ModelBuild.Tool.Cli;
using ModelBuild.Tool.Tests.Infrastructure;

namespace ModelBuild.Tool.Tests;

/// <summary><c>--json</c> of check, inspect and run: stdout is exactly one JSON object, in the shapes README documents.</summary>
[TestClass]
public sealed class JsonOutputTests
{
    private static JsonElement Parse(CliResult r)
    {
        using var doc = JsonDocument.Parse(r.Out); // throws on anything but one JSON value (no text around it)
        Assert.AreEqual(JsonValueKind.Object, doc.RootElement.ValueKind, r.ToString());
        return doc.RootElement.Clone();
    }

    [TestMethod]
    public void InspectOnnx_Json()
    {
        var r = CliRun.InProcess("inspect", RepoPaths.SampleModel, "--json");
        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        var j = Parse(r);
        Assert.AreEqual("onnx", j.GetProperty("format").GetString());
        Assert.AreEqual(13, j.GetProperty("opsets")[0].GetProperty("version").GetInt32());
        var input = j.GetProperty("inputs")[0];
        Assert.AreEqual("input", input.GetProperty("name").GetString());
        Assert.AreEqual("float32", input.GetProperty("type").GetString());
        CollectionAssert.AreEqual(new[] { 1, 3, 64, 64 }, input.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray());
        Assert.AreEqual(8, j.GetProperty("ops").GetProperty("Conv").GetInt32());
        Assert.AreEqual(23, j.GetProperty("nodes").GetInt32());
    }

    [TestMethod]
    public void InspectSymbolicDims_AreStrings()
    {
        using var tmp = new TempDir();
        var onnx = new TinyOnnx().Input("x", "N", 4).Output("y", "N", 4).Node("Relu", ["x"], ["y"]).Save(tmp.File("relu.onnx"));
        var shape = Parse(CliRun.InProcess("inspect", onnx, "--json")).GetProperty("inputs")[0].GetProperty("shape");
        Assert.AreEqual("N", shape[0].GetString());
        Assert.AreEqual(4, shape[1].GetInt32());
    }

    [TestMethod]
    public void Run_Json_ListsEveryOutputFile()
    {
        using var tmp = new TempDir();
        var r = CliRun.InProcess("run", RepoPaths.SampleModel, "--inputs", RepoPaths.SampleData, "--outputs", tmp.Dir("out"), "--json");
        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        var output = Parse(r).GetProperty("outputs")[0];
        Assert.AreEqual("output", output.GetProperty("name").GetString());
        Assert.IsTrue(File.Exists(output.GetProperty("file").GetString()), r.ToString());
        CollectionAssert.AreEqual(new[] { 1, 3, 64, 64 }, output.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray());
        Assert.IsLessThan(output.GetProperty("max").GetDouble(), output.GetProperty("min").GetDouble());
        Assert.AreEqual(0, output.GetProperty("nonFinite").GetInt32());
    }

    [TestMethod]
    public void Check_Json_IsTheReportDocument_PassAndFail()
    {
        var pass = CliRun.InProcess("check", RepoPaths.SampleModel, "--inputs", RepoPaths.SampleData, "--isa", "scalar", "--json");
        Assert.AreEqual(ExitCodes.Success, pass.ExitCode, pass.ToString());
        var j = Parse(pass);
        Assert.IsTrue(j.GetProperty("passed").GetBoolean());
        Assert.AreEqual(1e-3, j.GetProperty("thresholds").GetProperty("maxRelativeError").GetDouble());
        var metrics = j.GetProperty("samples")[0].GetProperty("outputs")[0].GetProperty("metrics");
        Assert.IsLessThan(1e-3, metrics.GetProperty("relativeError").GetDouble());

        var fail = CliRun.InProcess("check", RepoPaths.SampleModel, "--inputs", RepoPaths.SampleData, "--isa", "scalar", "--no-localize", "--max-relative-error", "0", "--json");
        Assert.AreEqual(ExitCodes.ParityFailed, fail.ExitCode, fail.ToString());
        Assert.IsFalse(Parse(fail).GetProperty("passed").GetBoolean());
        Assert.Contains("MB2001", fail.Error, "the verdict stays on stderr: " + fail);
    }
}
