using System.Text.Json;
using ModelBuild.Tool.Cli;
using ModelBuild.Tool.Tests.Infrastructure;

namespace ModelBuild.Tool.Tests;

/// <summary>
/// <c>bench</c>: its JSON and text reports on a tiny model, and option checks that happen before any model is read.
/// Timings are only checked to be present and positive, never compared.
/// </summary>
[TestClass]
public sealed class BenchCommandTests
{
    /// <summary>y = Relu(x · w) + x on a [2, 8] input: a MatMul, a Relu and a broadcast Add.</summary>
    private static string BuildModel(TempDir tmp) => new TinyOnnx()
        .Input("x", 2, 8)
        .Output("y", 2, 8)
        .FloatInitializer("w", Enumerable.Range(0, 64).Select(i => MathF.Sin(i)).ToArray(), 8, 8)
        .Node("MatMul", ["x", "w"], ["m"])
        .Node("Relu", ["m"], ["r"])
        .Node("Add", ["r", "x"], ["y"])
        .Save(tmp.File("tiny.onnx"));

    [TestMethod]
    [DataRow("1")]
    [DataRow("2")]
    public void Json_IsOneObjectWithTimingsAndZeroAllocationPerRun(string threads)
    {
        using var tmp = new TempDir();
        var model = BuildModel(tmp);
        var r = CliRun.InProcess("bench", model, "--json", "--iterations", "5", "--warmup", "3", "--threads", threads);
        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());

        using var doc = JsonDocument.Parse(r.Out);
        var root = doc.RootElement;
        Assert.AreEqual(JsonValueKind.Object, root.ValueKind);
        Assert.AreEqual(model, root.GetProperty("model").GetString());
        Assert.AreEqual(int.Parse(threads), root.GetProperty("threads").GetInt32());
        Assert.AreEqual(5, root.GetProperty("iterations").GetInt32());
        Assert.StartsWith("generated", root.GetProperty("inputs").GetString(), r.Out);
        Assert.IsFalse(string.IsNullOrWhiteSpace(root.GetProperty("cpu").GetString()));
        Assert.IsFalse(string.IsNullOrWhiteSpace(root.GetProperty("isa").GetString()));
        Assert.Contains("allow_spinning=0", root.GetProperty("method").GetString()!);
        foreach (var key in new[] { "ours_median_ms", "ours_min_ms", "ours_load_ms", "ort_median_ms", "ort_min_ms", "ort_load_ms" })
        {
            Assert.IsGreaterThan(0.0, root.GetProperty(key).GetDouble(), key);
        }

        Assert.IsLessThanOrEqualTo(root.GetProperty("ours_median_ms").GetDouble(), root.GetProperty("ours_min_ms").GetDouble());
        // the timed runs write into caller-owned outputs: nothing is allocated once the session is warm
        Assert.AreEqual(0L, root.GetProperty("ours_alloc_bytes_per_run").GetInt64(), r.Out);
        Assert.IsGreaterThan(0L, root.GetProperty("ours_alloc_bytes_per_run_new_outputs").GetInt64(), r.Out);
    }

    [TestMethod]
    public void Text_NamesTheMethodAndBothEngines_WithInputsFromAFolder()
    {
        using var tmp = new TempDir();
        var model = BuildModel(tmp);
        var inputs = tmp.Dir("test_data_set_0");
        TinyOnnx.WriteTensor(Path.Combine(inputs, "input_0.pb"), "x", Enumerable.Range(0, 16).Select(i => i * 0.25f - 2).ToArray(), 2, 8);
        var r = CliRun.InProcess("bench", model, "--inputs", inputs, "--iterations", "2", "--warmup", "0");
        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        Assert.Contains($"inputs: {inputs}", r.Out, r.ToString());
        Assert.Contains("each engine timed alone", r.Out, r.ToString());
        Assert.Contains("session.intra_op.allow_spinning=0", r.Out, r.ToString());
        Assert.MatchesRegex(@"(?m)^ModelBuild\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+$", r.Out, r.ToString());
        Assert.MatchesRegex(@"(?m)^ONNX Runtime\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+$", r.Out, r.ToString());
    }

    /// <summary>A bad option is reported as MB5001 even when the model does not exist: options are checked first.</summary>
    [TestMethod]
    [DataRow("--iterations", "0", "--iterations 0 must be between 1 and 100000")]
    [DataRow("--iterations", "100001", "--iterations 100001 must be between 1 and 100000")]
    [DataRow("--warmup", "-1", "--warmup -1 must be between 0 and 100000")]
    [DataRow("--threads", "1025", "--threads 1025 must be 0 (all cores) or between 1 and 1024")]
    [DataRow("--threads", "-1", "--threads -1 must be 0 (all cores) or between 1 and 1024")]
    [DataRow("--isa", "1024", "--isa '1024' is not one of scalar, 128, 256, 512")]
    public void BadOption_IsMB5001_BeforeTheModelIsRead(string option, string value, string message)
    {
        using var tmp = new TempDir();
        var r = CliRun.InProcess("bench", tmp.File("missing.onnx"), option, value);
        Assert.AreEqual(ExitCodes.Usage, r.ExitCode, r.ToString());
        Assert.AreEqual($"MB5001: {message}", r.ErrorLine, r.ToString());
        Assert.AreEqual("", r.Out, r.ToString());
    }

    [TestMethod]
    public void MissingModel_IsMB1000_AndMissingInputs_IsMB1201()
    {
        using var tmp = new TempDir();
        var r = CliRun.InProcess("bench", tmp.File("missing.onnx"));
        Assert.AreEqual(ExitCodes.Error, r.ExitCode, r.ToString());
        Assert.StartsWith("MB1000: ", r.ErrorLine, r.ToString());

        r = CliRun.InProcess("bench", BuildModel(tmp), "--inputs", tmp.File("no-such-folder"));
        Assert.AreEqual(ExitCodes.Error, r.ExitCode, r.ToString());
        Assert.StartsWith("MB1201: ", r.ErrorLine, r.ToString());
    }

    [TestMethod]
    public void Help_ListsBench()
    {
        var r = CliRun.InProcess("--help");
        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        Assert.MatchesRegex(@"(?m)^\s+bench\s", r.Out, r.ToString());
    }
}
