using ModelBuild.Converter.Graph;
using ModelBuild.Converter.Graph.Passes;
using ModelBuild.Converter.Onnx;
using ModelBuild.Converter.Tests.Infrastructure;

namespace ModelBuild.Converter.Tests.Passes;

[TestClass]
public sealed class FoldingTests
{
    [TestMethod]
    public void ShapeGatherUnsqueezeConcatReshapeCollapses()
    {
        var m = new OnnxModelBuilder(13).Input("x", DataType.Float, 2, 3, 4)
            .Node("Shape", ["x"], ["sh"])
            .Initializer("i0", [0L]).Node("Gather", ["sh", "i0"], ["d0"], attrs: a => a.Int("axis", 0))
            .Initializer("ax", [0L], 1).Node("Unsqueeze", ["d0", "ax"], ["u"])
            .Initializer("m1", [-1L], 1).Node("Concat", ["u", "m1"], ["target"], attrs: a => a.Int("axis", 0))
            .Node("Reshape", ["x", "target"], ["y"])
            .Output("y").Build();
        m.Graph.Initializer.First(t => t.Name == "i0").Dims.Clear(); // scalar index
        var g = OnnxImporter.Import(m, "m.onnx", ".");
        PassPipeline.Run(g);
        Assert.AreEqual(1, g.Nodes.Count);
        Assert.AreEqual("Reshape", g.Nodes[0].OpType);
        CollectionAssert.AreEqual(new long[] { 2, -1 }, g.Values[g.Nodes[0].Inputs[1]].Constant!.Ints);
        CollectionAssert.AreEqual(new long[] { 2, 12 }, g.Values["y"].StaticShape);
    }

    [TestMethod]
    public void SymbolicBatchKeepsShapeNodeButFoldsStaticSlice()
    {
        var m = new OnnxModelBuilder(15).Input("x", DataType.Float, "N", 3, 4)
            .Node("Shape", ["x"], ["tail"], attrs: a => a.Int("start", 1))
            .Node("Shape", ["x"], ["all"])
            .Node("Cast", ["tail"], ["y"], attrs: a => a.Int("to", (long)DataType.Float))
            .Output("y").Output("all", DataType.Int64).Build();
        var g = OnnxImporter.Import(m, "m.onnx", ".");
        PassPipeline.Run(g);
        CollectionAssert.AreEqual(new[] { 3f, 4f }, g.Values["y"].Constant!.Floats);
        Assert.IsFalse(g.Values["all"].IsConstant);
        Assert.AreEqual(1, g.Nodes.Count);
    }

    [TestMethod]
    public void BatchNormFoldsIntoConvWeights()
    {
        float[] w = [1f, 2f, 3f, 4f];   // [2,1,1,2]
        var m = new OnnxModelBuilder(13).Input("x", DataType.Float, 1, 1, 3, 2)
            .Initializer("w", w, 2, 1, 1, 2).Initializer("b", [0.5f, -1f], 2)
            .Node("Conv", ["x", "w", "b"], ["c"], name: "conv")
            .Initializer("s", [2f, 0.5f], 2).Initializer("beta", [1f, 0f], 2)
            .Initializer("mean", [0.25f, 2f], 2).Initializer("var", [3f, 0.0f], 2)
            .Node("BatchNormalization", ["c", "s", "beta", "mean", "var"], ["y"], attrs: a => a.Float("epsilon", 1f))
            .Output("y").Build();
        var g = OnnxImporter.Import(m, "m.onnx", ".");
        PassPipeline.Run(g);
        Assert.AreEqual(1, g.Nodes.Count);
        var conv = g.Nodes[0];
        CollectionAssert.AreEqual(new[] { "y" }, conv.Outputs);
        var s0 = 2.0 / Math.Sqrt(3 + 1);
        var s1 = 0.5 / Math.Sqrt(0 + 1);
        var fw = g.Values[conv.Inputs[1]].Constant!.Floats!;
        var fb = g.Values[conv.Inputs[2]].Constant!.Floats!;
        CollectionAssert.AreEqual(new[] { (float)(1 * s0), (float)(2 * s0), (float)(3 * s1), (float)(4 * s1) }, fw);
        CollectionAssert.AreEqual(new[] { (float)(((0.5 - 0.25) * s0) + 1), (float)(((-1 - 2) * s1) + 0) }, fb);
        CollectionAssert.AreEqual(new[] { 1f, 2f, 3f, 4f }, w, "original array untouched");
        Assert.IsFalse(g.Values.ContainsKey("w"), "the unused original initializer is dropped");
    }

    [TestMethod]
    public void BatchNormFoldsIntoConvTransposeOutputChannels()
    {
        // W [Cin=2, Cout/g=1, 1, 1], group 2 -> output channel of W[ci] is ci.
        var m = new OnnxModelBuilder(13).Input("x", DataType.Float, 1, 2, 2, 2)
            .Initializer("w", [1f, 1f], 2, 1, 1, 1)
            .Node("ConvTranspose", ["x", "w"], ["c"], attrs: a => a.Int("group", 2))
            .Initializer("s", [2f, 3f], 2).Initializer("beta", [0f, 0f], 2).Initializer("mean", [0f, 0f], 2).Initializer("var", [1f, 1f], 2)
            .Node("BatchNormalization", ["c", "s", "beta", "mean", "var"], ["y"], attrs: a => a.Float("epsilon", 0f))
            .Output("y").Build();
        var g = OnnxImporter.Import(m, "m.onnx", ".");
        PassPipeline.Run(g);
        CollectionAssert.AreEqual(new[] { 2f, 3f }, g.Values[g.Nodes[0].Inputs[1]].Constant!.Floats);
    }

    [TestMethod]
    public void ReluAndRelu6FuseIntoConvKeepingOutputName()
    {
        var m = new OnnxModelBuilder(13).Input("x", DataType.Float, 1, 1, 2, 2)
            .Initializer("w", [1f], 1, 1, 1, 1)
            .Node("Conv", ["x", "w"], ["c1"]).Node("Relu", ["c1"], ["r"])
            .Node("Conv", ["r", "w"], ["c2"])
            .Initializer("lo", [0f]).Initializer("hi", [6f])
            .Node("Clip", ["c2", "lo", "hi"], ["y"])
            .Output("y").Build();
        foreach (var t in m.Graph.Initializer.Where(t => t.Name is "lo" or "hi"))
        {
            t.Dims.Clear();
        }

        var g = OnnxImporter.Import(m, "m.onnx", ".");
        PassPipeline.Run(g);
        Assert.AreEqual(2, g.Nodes.Count);
        Assert.AreEqual("Relu", g.Nodes[0].GetString("mb_activation", ""));
        Assert.AreEqual("Relu6", g.Nodes[1].GetString("mb_activation", ""));
        CollectionAssert.AreEqual(new[] { "y" }, g.Nodes[1].Outputs);
        CollectionAssert.AreEqual(new[] { "y" }, g.Outputs);
        CollectionAssert.AreEqual(new long[] { 1, 1, 2, 2 }, g.Values["y"].StaticShape);
    }

    [TestMethod]
    public void IdentityAndDropoutEliminationPreservesOutputNames()
    {
        var m = new OnnxModelBuilder(13).Input("x", DataType.Float, 2)
            .Node("Neg", ["x"], ["a"]).Node("Identity", ["a"], ["b"])
            .Node("Dropout", ["b"], ["c"]).Node("Abs", ["c"], ["d"]).Node("Identity", ["d"], ["out"])
            .Output("out").Build();
        var g = OnnxImporter.Import(m, "m.onnx", ".");
        PassPipeline.Run(g);
        CollectionAssert.AreEqual(new[] { "Neg", "Abs" }, g.Nodes.Select(n => n.OpType).ToArray());
        CollectionAssert.AreEqual(new[] { "out" }, g.Nodes[1].Outputs);
        CollectionAssert.AreEqual(new[] { "a" }, g.Nodes[1].Inputs);
        CollectionAssert.AreEqual(new long[] { 2 }, g.Values["out"].StaticShape);
    }

    [TestMethod]
    public void DropoutWithUsedMaskIsKept()
    {
        var m = new OnnxModelBuilder(13).Input("x", DataType.Float, 2)
            .Node("Dropout", ["x"], ["y", "mask"]).Output("y").Output("mask", DataType.Bool).Build();
        var g = OnnxImporter.Import(m, "m.onnx", ".");
        PassPipeline.Run(g);
        Assert.AreEqual("Dropout", g.Nodes.Single().OpType);
    }
}
