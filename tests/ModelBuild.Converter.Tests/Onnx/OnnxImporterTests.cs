using ModelBuild.Converter.Graph;
using ModelBuild.Converter.Onnx;
using ModelBuild.Converter.Tests.Infrastructure;

namespace ModelBuild.Converter.Tests.Onnx;

[TestClass]
public sealed class OnnxImporterTests
{
    [TestMethod]
    public void ImportsInputsInitializersConstantsAndAttributes()
    {
        var m = new OnnxModelBuilder(13)
            .Input("x", DataType.Float, "N", 3, 8, 8)
            .Input("w", DataType.Float, 4, 3, 3, 3)
            .Initializer("w", TestTensors.Random(2, [4L, 3, 3, 3]), 4, 3, 3, 3)
            .Node("Constant", [], ["k"], attrs: a => a.Ints("value_ints", 1, 2))
            .Node("Conv", ["x", "w"], ["y"], name: "conv1", attrs: a => a.Ints("pads", 1, 1, 1, 1).Int("group", 1).String("auto_pad", "NOTSET"))
            .Output("y", DataType.Float, "N", 4, 8, 8)
            .Build();
        var g = OnnxImporter.Import(m, "m.onnx", ".");
        CollectionAssert.AreEqual(new[] { "x" }, g.Inputs);
        Assert.IsTrue(g.Values["w"].IsConstant);
        CollectionAssert.AreEqual(new long[] { 1, 2 }, g.Values["k"].Constant!.Ints);
        Assert.AreEqual(1, g.Nodes.Count);
        Assert.AreEqual("NOTSET", g.Nodes[0].GetString("auto_pad", ""));
        CollectionAssert.AreEqual(new long[] { 1, 1, 1, 1 }, g.Nodes[0].GetInts("pads"));
        Assert.AreEqual("N", g.Values["x"].Shape![0].Symbol);
    }

    [TestMethod]
    public void InputShapeOverrideAndErrors()
    {
        var m = new OnnxModelBuilder(13).Input("x", DataType.Float, "N", 3).Node("Relu", ["x"], ["y"]).Output("y").Build();
        var opts = new OnnxImportOptions { InputShapes = { ["x"] = [2, 3] } };
        var g = OnnxImporter.Import(m, "m.onnx", ".", opts);
        CollectionAssert.AreEqual(new long[] { 2, 3 }, g.Values["x"].StaticShape);
        AssertCode.Throws(ErrorCodes.InvalidInputShapeOption, () => OnnxImporter.Import(m, "m.onnx", ".", new OnnxImportOptions { InputShapes = { ["nope"] = [1] } }));
        AssertCode.Throws(ErrorCodes.InvalidInputShapeOption, () => OnnxImporter.Import(m, "m.onnx", ".", new OnnxImportOptions { InputShapes = { ["x"] = [2, 4] } }));
    }

    [TestMethod]
    public void ParseInputShape()
    {
        var kv = OnnxImportOptions.ParseInputShape("data=1x3x224x224");
        Assert.AreEqual("data", kv.Key);
        CollectionAssert.AreEqual(new long[] { 1, 3, 224, 224 }, kv.Value);
        foreach (var bad in new[] { "x", "=1x2", "x=", "x=1xax2", "x=-1x2" })
        {
            AssertCode.Throws(ErrorCodes.InvalidInputShapeOption, () => OnnxImportOptions.ParseInputShape(bad));
        }
    }

    [TestMethod]
    [DataRow("x=0x3", "axis 0 is 0")]
    [DataRow("x=1x3x0x4", "axis 2 is 0")]
    [DataRow("x=1x4294967296", "axis 1 is 4294967296")]
    public void InputShapeDimensionsMustBePositiveAndFitAnInt(string text, string why)
    {
        var e = AssertCode.Throws(ErrorCodes.InvalidInputShapeOption, () => OnnxImportOptions.ParseInputShape(text));
        StringAssert.Contains(e.Message, why);
        var m = new OnnxModelBuilder(13).Input("x", DataType.Float, "N", 3).Node("Relu", ["x"], ["y"]).Output("y").Build();
        AssertCode.Throws(ErrorCodes.InvalidInputShapeOption, () => OnnxImporter.Import(m, "m.onnx", ".", new OnnxImportOptions { InputShapes = { ["x"] = [0, 3] } }));
    }

    [TestMethod]
    public void MissingEpsilonWarnsMB7001()
    {
        var m = new OnnxModelBuilder(13).Input("x", DataType.Float, 1, 2, 4, 4)
            .Initializer("s", [1f, 1f], 2).Initializer("b", [0f, 0f], 2)
            .Node("InstanceNormalization", ["x", "s", "b"], ["y"], name: "in1")
            .Output("y").Build();
        var g = OnnxImporter.Import(m, "m.onnx", ".");
        Assert.AreEqual(1, g.Warnings.Count);
        Assert.AreEqual(ErrorCodes.OnnxDefaultAttributeUsed, g.Warnings[0].Code);
        StringAssert.Contains(g.Warnings[0].Message, "in1");
        StringAssert.Contains(g.Warnings[0].Message, "1e-5");
    }

    [TestMethod]
    public void UndefinedValueAndCycleAreMB1008()
    {
        var undefined = new OnnxModelBuilder(13).Input("x", DataType.Float, 1).Node("Add", ["x", "q"], ["y"]).Output("y").Build();
        AssertCode.Throws(ErrorCodes.OnnxInvalidGraph, () => OnnxImporter.Import(undefined, "m.onnx", "."));
        var cycle = new OnnxModelBuilder(13).Input("x", DataType.Float, 1)
            .Node("Add", ["x", "b"], ["a"]).Node("Relu", ["a"], ["b"]).Output("b").Build();
        AssertCode.Throws(ErrorCodes.OnnxInvalidGraph, () => OnnxImporter.Import(cycle, "m.onnx", "."));
    }

    [TestMethod]
    public void NodesAreSortedTopologically()
    {
        var m = new OnnxModelBuilder(13).Input("x", DataType.Float, 1)
            .Node("Relu", ["a"], ["y"], name: "second").Node("Neg", ["x"], ["a"], name: "first").Output("y").Build();
        var g = OnnxImporter.Import(m, "m.onnx", ".");
        Assert.AreEqual("first", g.Nodes[0].Name);
    }

    [TestMethod]
    public void SubgraphAttributeIsMarked()
    {
        var body = new OnnxModelBuilder(13).Graph;
        var m = new OnnxModelBuilder(13).Input("c", DataType.Bool)
            .Node("If", ["c"], ["y"], attrs: a => a.Graph("then_branch", body).Graph("else_branch", body)).Output("y").Build();
        var g = OnnxImporter.Import(m, "m.onnx", ".");
        Assert.IsTrue(g.Nodes[0].Attributes["then_branch"].HasGraph);
    }
}
