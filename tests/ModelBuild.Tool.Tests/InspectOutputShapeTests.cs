using System.Text.Json;
using ModelBuild.Converter.Onnx.Proto;
using ModelBuild.Tool.Tests.Infrastructure;

namespace ModelBuild.Tool.Tests;

/// <summary><c>inspect</c> shows the output shapes the runtime plans for fixed input shapes, and says why a <c>?</c> is left.</summary>
[TestClass]
public sealed class InspectOutputShapeTests
{
    private static readonly AttributeProto Axis0 = new() { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 0 };

    /// <summary>y = Concat(x, x) on axis 0 (x[2,3] → y[4,3]); z = NonZero(x), sized by the data.</summary>
    private static string Build(TempDir tmp, object batch, string name = "m.onnx") => new TinyOnnx()
        .Input("x", batch, 3)
        .Output("y", "M", 3)
        .TypedOutput("z", TensorProto.Types.DataType.Int64, 2, "K")
        .Node("Concat", ["x", "x"], ["y"], "", Axis0)
        .Node("NonZero", ["x"], ["z"])
        .Save(tmp.File(name));

    private static string Convert(TempDir tmp, string onnx)
    {
        var mnn = Path.ChangeExtension(onnx, ".mnn");
        var r = CliRun.InProcess("convert", onnx, "-o", mnn);
        Assert.AreEqual(0, r.ExitCode, r.ToString());
        return mnn;
    }

    [TestMethod]
    public void Mnn_FixedInputs_ShowPlannedShapes_AndWhyTheDataSizedOneIsOpen()
    {
        using var tmp = new TempDir();
        var r = CliRun.InProcess("inspect", Convert(tmp, Build(tmp, 2)));
        Assert.AreEqual(0, r.ExitCode, r.ToString());
        Assert.MatchesRegex(@"(?m)^\s+y\s+float32\s+\[4,3\]$", r.Out, r.ToString());
        Assert.MatchesRegex(@"(?m)^\s+z\s+int32\s+\?$", r.Out, r.ToString());
        Assert.Contains("depends on input values", r.Out, r.ToString());
    }

    [TestMethod]
    public void Mnn_Json_HasPlannedShapesAndTheNote()
    {
        using var tmp = new TempDir();
        var r = CliRun.InProcess("inspect", Convert(tmp, Build(tmp, 2)), "--json");
        using var doc = JsonDocument.Parse(r.Out);
        var outputs = doc.RootElement.GetProperty("outputs");
        Assert.AreEqual("float32", outputs[0].GetProperty("type").GetString());
        CollectionAssert.AreEqual(new[] { 4, 3 }, outputs[0].GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray());
        Assert.AreEqual(JsonValueKind.Null, outputs[1].GetProperty("shape").ValueKind, "a data-sized output has no planned shape");
        StringAssert.Contains(doc.RootElement.GetProperty("outputShapeNote").GetString(), "depends on input values");
    }

    [TestMethod]
    public void Mnn_AllPlanned_SaysTheShapesArePlanned()
    {
        using var tmp = new TempDir();
        var onnx = new TinyOnnx().Input("x", 2, 3).Output("y", 4, 3).Node("Concat", ["x", "x"], ["y"], "", Axis0).Save(tmp.File("c.onnx"));
        var r = CliRun.InProcess("inspect", Convert(tmp, onnx));
        Assert.MatchesRegex(@"(?m)^\s+y\s+float32\s+\[4,3\]$", r.Out, r.ToString());
        Assert.Contains("planned for the declared input shapes", r.Out, r.ToString());
    }

    [TestMethod]
    public void Mnn_DynamicInput_LeavesOutputsOpen_AndNamesTheInput()
    {
        using var tmp = new TempDir();
        var r = CliRun.InProcess("inspect", Convert(tmp, Build(tmp, "N")));
        Assert.MatchesRegex(@"(?m)^\s+y\s+float32\s+\?$", r.Out, r.ToString());
        Assert.Contains("input 'x' [?,3] has dynamic dimensions", r.Out, r.ToString());
    }

    [TestMethod]
    public void Onnx_FixedInputs_FillOpenDeclaredDims_KeepingTheDeclaredType()
    {
        using var tmp = new TempDir();
        var r = CliRun.InProcess("inspect", Build(tmp, 2));
        Assert.AreEqual(0, r.ExitCode, r.ToString());
        Assert.MatchesRegex(@"(?m)^\s+y\s+float32\s+\[4,3\]$", r.Out, "the symbolic M is planned: " + r);
        Assert.MatchesRegex(@"(?m)^\s+z\s+int64\s+\[2,K\]$", r.Out, "a data-sized dim stays as declared: " + r);
        Assert.Contains("depends on input values", r.Out, r.ToString());
    }

    [TestMethod]
    public void Onnx_SymbolicInputs_KeepTheDeclaredSymbols()
    {
        using var tmp = new TempDir();
        var r = CliRun.InProcess("inspect", Build(tmp, "N"));
        Assert.MatchesRegex(@"(?m)^\s+y\s+float32\s+\[M,3\]$", r.Out, r.ToString());
        Assert.Contains("input 'x' [N,3] has dynamic dimensions", r.Out, r.ToString());
    }

    [TestMethod]
    public void Onnx_FullyDeclaredOutputs_AreShownAsDeclaredWithoutANote()
    {
        using var tmp = new TempDir();
        var onnx = new TinyOnnx().Input("x", 2, 3).Output("y", 4, 3).Node("Concat", ["x", "x"], ["y"], "", Axis0).Save(tmp.File("c.onnx"));
        var r = CliRun.InProcess("inspect", onnx, "--json");
        using var doc = JsonDocument.Parse(r.Out);
        Assert.AreEqual(JsonValueKind.Null, doc.RootElement.GetProperty("outputShapeNote").ValueKind, r.ToString());
    }
}
