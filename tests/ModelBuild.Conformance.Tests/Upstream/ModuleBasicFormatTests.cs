using System.Text.Json;
using ModelBuild.Converter.Graph;

namespace ModelBuild.Conformance.Tests.Upstream;

/// <summary>The ModuleBasic folder format and log parsing the upstream check relies on (no MNN build needed).</summary>
[TestClass]
public sealed class ModuleBasicFormatTests
{
    [TestMethod]
    public void Json_ListsInputsWithShapesOutputsAndOneRepeat()
    {
        var json = ModuleBasicFolder.Json([new NamedTensor("x", new TensorData(DataType.Float, [2, 3], new float[6])), new NamedTensor("s", TensorData.Scalar(1f))], ["y"]);
        using var doc = JsonDocument.Parse(json);
        var inputs = doc.RootElement.GetProperty("inputs");
        Assert.AreEqual("x", inputs[0].GetProperty("name").GetString());
        CollectionAssert.AreEqual(new[] { 2, 3 }, inputs[0].GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray());
        Assert.AreEqual(0, inputs[1].GetProperty("shape").GetArrayLength());
        Assert.AreEqual("y", doc.RootElement.GetProperty("outputs")[0].GetString());
        Assert.AreEqual(1, doc.RootElement.GetProperty("repeat").GetInt32());
    }

    [TestMethod]
    public void Values_RoundTripFloatsExactlyAndSpellNonFiniteAsIostreams()
    {
        float[] values = [0.1f, -3.4028235e38f, 1.401298e-45f, float.NaN, float.NegativeInfinity];
        var text = ModuleBasicFolder.Values(new TensorData(DataType.Float, [5], values));
        var back = ModuleBasicProcess.ParseValues(text);
        Assert.AreEqual(5, back.Length);
        for (var i = 0; i < 3; i++)
        {
            Assert.AreEqual(values[i], (float)back[i]);
        }

        Assert.IsTrue(double.IsNaN(back[3]));
        Assert.AreEqual(double.NegativeInfinity, back[4]);
        Assert.AreEqual("7\n-2\n", ModuleBasicFolder.Values(new TensorData(DataType.Int64, [2], [7L, -2L])));
    }

    [TestMethod]
    public void NotExpressible_NonFiniteInputsAndIntegersBeyondFloatPrecision()
    {
        Assert.IsNull(ModuleBasicFolder.NotExpressible(new NamedTensor("a", new TensorData(DataType.Float, [2], [1f, -2f]))));
        Assert.IsNull(ModuleBasicFolder.NotExpressible(new NamedTensor("a", new TensorData(DataType.Int64, [2], [16_777_216L, -5L]))));
        Assert.IsNotNull(ModuleBasicFolder.NotExpressible(new NamedTensor("a", new TensorData(DataType.Float, [1], [float.NaN]))));
        Assert.IsNotNull(ModuleBasicFolder.NotExpressible(new NamedTensor("a", new TensorData(DataType.Float, [1], [float.PositiveInfinity]))));
        Assert.IsNotNull(ModuleBasicFolder.NotExpressible(new NamedTensor("a", new TensorData(DataType.Int64, [1], [16_777_217L]))));
    }

    [TestMethod]
    public void ParseValues_ReadsIostreamSpellings()
    {
        CollectionAssert.AreEqual(new[] { 1e6, -1.5e-7, 0.0 }, ModuleBasicProcess.ParseValues("1e+06\n-1.5e-07\n-0\n"));
        var special = ModuleBasicProcess.ParseValues("nan\n-nan\ninf\n-inf\n");
        Assert.IsTrue(double.IsNaN(special[0]) && double.IsNaN(special[1]));
        Assert.AreEqual(double.PositiveInfinity, special[2]);
        Assert.AreEqual(double.NegativeInfinity, special[3]);
    }

    [TestMethod]
    public void Shapes_ComeFromTheBeforeCompareLines()
    {
        var shapes = ModuleBasicProcess.Shapes("output: y\nbefore compare y: (1, 3, 224, )\nbefore compare a:b: ()\nFor y, max = 1\n");
        CollectionAssert.AreEqual(new[] { 1, 3, 224 }, shapes["y"]);
        Assert.IsEmpty(shapes["a:b"]);
        Assert.HasCount(2, shapes);
    }

    [TestMethod]
    public void FailureLine_FindsLoadAndForwardErrors()
    {
        Assert.AreEqual("Error: can't load module", ModuleBasicProcess.FailureLine("Test m\nError: can't load module\n"));
        Assert.AreEqual("Error in forward", ModuleBasicProcess.FailureLine("Run for 0 time\nError in forward\n"));
        Assert.IsNull(ModuleBasicProcess.FailureLine("Run for 0 time\nWrite y output to output/0_0.txt\n"));
        Assert.AreEqual("Don't support type 7", ModuleBasicProcess.Complaint("Test m\nDon't support type 7\nError in forward\n", "Error in forward"));
        Assert.IsNull(ModuleBasicProcess.Complaint("The device supports: fp16:0\nCan't open file:.tempcache\nLoad Cache file error.\nError in forward\n", "Error in forward"));
        Assert.AreEqual("Create execution error : 68", ModuleBasicProcess.Complaint("Can't open file:.tempcache\nRun for 0 time\nCreate execution error : 68\nError in forward\n", "Error in forward"));
    }
}
