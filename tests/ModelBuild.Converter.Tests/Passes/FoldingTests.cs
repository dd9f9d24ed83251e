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
    public void UnaryOpsOnConstantsFold()
    {
        float[] v = [-1.5f, -0.5f, 0f, 0.5f, 2.5f, float.NaN];
        var m = new OnnxModelBuilder(14).Input("x", DataType.Float, 6)
            .Initializer("c", v, 6)
            .Node("Abs", ["c"], ["abs"]).Node("Floor", ["c"], ["floor"]).Node("Ceil", ["c"], ["ceil"]).Node("Relu", ["c"], ["relu"])
            .Node("Add", ["x", "abs"], ["a1"]).Node("Add", ["a1", "floor"], ["a2"]).Node("Add", ["a2", "ceil"], ["a3"]).Node("Add", ["a3", "relu"], ["y"])
            .Output("y").Build();
        var g = OnnxImporter.Import(m, "m.onnx", ".");
        PassPipeline.Run(g);
        Assert.IsFalse(g.Nodes.Any(n => n.OpType is "Abs" or "Floor" or "Ceil" or "Relu"), string.Join(",", g.Nodes.Select(n => n.OpType)));
        CollectionAssert.AreEqual(new[] { 1.5f, 0.5f, 0f, 0.5f, 2.5f, float.NaN }, g.Values["abs"].Constant!.Floats);
        CollectionAssert.AreEqual(new[] { -2f, -1f, 0f, 0f, 2f, float.NaN }, g.Values["floor"].Constant!.Floats);
        CollectionAssert.AreEqual(new[] { -1f, -0f, 0f, 1f, 3f, float.NaN }, g.Values["ceil"].Constant!.Floats);
        CollectionAssert.AreEqual(new[] { 0f, 0f, 0f, 0.5f, 2.5f, float.NaN }, g.Values["relu"].Constant!.Floats);
    }

    [TestMethod]
    public void IntegerAbsAndReluFold()
    {
        var m = new OnnxModelBuilder(14).Input("x", DataType.Int64, 3)
            .Initializer("c", new long[] { -3, 0, 4 }, 3)
            .Node("Abs", ["c"], ["abs"]).Node("Relu", ["c"], ["relu"])
            .Node("Add", ["x", "abs"], ["a1"]).Node("Add", ["a1", "relu"], ["y"])
            .Output("y", DataType.Int64).Build();
        var g = OnnxImporter.Import(m, "m.onnx", ".");
        PassPipeline.Run(g);
        CollectionAssert.AreEqual(new long[] { 3, 0, 4 }, g.Values["abs"].Constant!.Ints);
        CollectionAssert.AreEqual(new long[] { 0, 0, 4 }, g.Values["relu"].Constant!.Ints);
    }

    [TestMethod]
    [DataRow(new long[] { 2, 3 }, new long[] { 3, 2 }, new long[] { 2, 2 }, DisplayName = "matrix")]
    [DataRow(new long[] { 3 }, new long[] { 3, 2 }, new long[] { 2 }, DisplayName = "vector · matrix")]
    [DataRow(new long[] { 2, 3 }, new long[] { 3 }, new long[] { 2 }, DisplayName = "matrix · vector")]
    [DataRow(new long[] { 3 }, new long[] { 3 }, new long[] { }, DisplayName = "dot")]
    [DataRow(new long[] { 2, 1, 2, 3 }, new long[] { 4, 3, 2 }, new long[] { 2, 4, 2, 2 }, DisplayName = "broadcast batch")]
    public void MatMulOfConstantsFolds(long[] aShape, long[] bShape, long[] yShape)
    {
        var a = Enumerable.Range(0, (int)aShape.Aggregate(1L, (p, d) => p * d)).Select(i => (float)((i % 7) - 3) * 0.5f).ToArray();
        var b = Enumerable.Range(0, (int)bShape.Aggregate(1L, (p, d) => p * d)).Select(i => (float)((i % 5) - 2)).ToArray();
        var m = new OnnxModelBuilder(13).Input("x", DataType.Float)
            .Initializer("a", a, aShape).Initializer("b", b, bShape)
            .Node("MatMul", ["a", "b"], ["p"]).Node("Add", ["x", "p"], ["y"])
            .Output("y").Build();
        var g = OnnxImporter.Import(m, "m.onnx", ".");
        PassPipeline.Run(g);
        Assert.IsFalse(g.Nodes.Any(n => n.OpType == "MatMul"));
        var folded = g.Values["p"].Constant!;
        CollectionAssert.AreEqual(yShape, folded.Shape);
        CollectionAssert.AreEqual(MatMulReference(a, aShape, b, bShape, yShape), folded.Floats);
    }

    [TestMethod]
    public void IntegerMatMulOfConstantsFolds()
    {
        var m = new OnnxModelBuilder(13).Input("x", DataType.Int32, 2, 2)
            .Initializer("a", new int[] { 1, -2, 3, 4 }, 2, 2).Initializer("b", new int[] { 5, 6, -7, 8 }, 2, 2)
            .Node("MatMul", ["a", "b"], ["p"]).Node("Add", ["x", "p"], ["y"])
            .Output("y", DataType.Int32).Build();
        var g = OnnxImporter.Import(m, "m.onnx", ".");
        PassPipeline.Run(g);
        CollectionAssert.AreEqual(new long[] { 19, -10, -13, 50 }, g.Values["p"].Constant!.Ints);
    }

    /// <summary>The textbook triple loop over numpy-broadcast operands (1-D operands as row / column).</summary>
    private static float[] MatMulReference(float[] a, long[] aShape, float[] b, long[] bShape, long[] yShape)
    {
        long[] aS = aShape.Length == 1 ? [1, aShape[0]] : aShape, bS = bShape.Length == 1 ? [bShape[0], 1] : bShape;
        long m = aS[^2], k = aS[^1], n = bS[^1];
        var batch = yShape.Length >= 2 && aShape.Length > 1 && bShape.Length > 1 ? yShape[..^2] : [];
        var batches = batch.Aggregate(1L, (p, d) => p * d);
        var result = new float[batches * m * n];
        for (long t = 0; t < batches; t++)
        {
            long ai = BatchIndex(t, batch, aS[..^2]), bi = BatchIndex(t, batch, bS[..^2]);
            for (long r = 0; r < m; r++)
            {
                for (long c = 0; c < n; c++)
                {
                    double acc = 0;
                    for (long j = 0; j < k; j++)
                    {
                        acc += (double)a[(ai * m * k) + (r * k) + j] * b[(bi * k * n) + (j * n) + c];
                    }

                    result[(t * m * n) + (r * n) + c] = (float)acc;
                }
            }
        }

        return result;
    }

    private static long BatchIndex(long t, long[] batch, long[] own)
    {
        long index = 0, stride = 1;
        for (var i = batch.Length - 1; i >= 0; i--)
        {
            var coord = t % batch[i];
            t /= batch[i];
            var j = i - (batch.Length - own.Length);
            if (j >= 0)
            {
                index += (own[j] == 1 ? 0 : coord) * stride;
                stride *= own[j];
            }
        }

        return index;
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
