using ModelBuild.Converter.Graph;
using ModelBuild.Converter.Graph.Passes;
using ModelBuild.Converter.Onnx;
using ModelBuild.Converter.Tests.Infrastructure;

namespace ModelBuild.Converter.Tests.Passes;

[TestClass]
public sealed class ShapeInferenceTests
{
    private static ModelGraph Run(OnnxModelBuilder b)
    {
        var g = OnnxImporter.Import(b.Build(), "m.onnx", ".");
        PassPipeline.Run(g);
        return g;
    }

    private static string S(ModelGraph g, string v) => string.Join(",", g.Values[v].Shape!.Select(d => d.ToString()));

    [TestMethod]
    public void ConvPoolGemmChainWithSymbolicBatch()
    {
        var g = Run(new OnnxModelBuilder(13)
            .Input("x", DataType.Float, "N", 3, 32, 32)
            .Initializer("w", TestTensors.Random(1, [8L, 3, 3, 3]), 8, 3, 3, 3)
            .Node("Conv", ["x", "w"], ["c"], attrs: a => a.Ints("pads", 1, 1, 1, 1).Ints("strides", 2, 2))
            .Node("MaxPool", ["c"], ["p"], attrs: a => a.Ints("kernel_shape", 3, 3).Ints("strides", 2, 2).Int("ceil_mode", 1))
            .Node("GlobalAveragePool", ["p"], ["gp"])
            .Node("Flatten", ["gp"], ["f"])
            .Initializer("fw", TestTensors.Random(2, [10L, 8]), 10, 8)
            .Node("Gemm", ["f", "fw"], ["y"], attrs: a => a.Int("transB", 1))
            .Output("y", DataType.Float));
        Assert.AreEqual("N,8,16,16", S(g, "c"));
        Assert.AreEqual("N,8,8,8", S(g, "p"));
        Assert.AreEqual("?,10", S(g, "y").Replace("N", "?", StringComparison.Ordinal));
        Assert.AreEqual(DataType.Float, g.Values["y"].Type);
    }

    [TestMethod]
    public void BroadcastConcatSliceTransposeReduce()
    {
        var g = Run(new OnnxModelBuilder(13)
            .Input("a", DataType.Float, "B", 1, 4)
            .Input("b", DataType.Float, 3, 1)
            .Node("Add", ["a", "b"], ["s"])
            .Node("Concat", ["s", "s"], ["c"], attrs: a => a.Int("axis", -1))
            .Initializer("st", [1L], 1).Initializer("en", [-1L], 1).Initializer("ax", [2L], 1)
            .Node("Slice", ["c", "st", "en", "ax"], ["sl"])
            .Node("Transpose", ["sl"], ["t"], attrs: a => a.Ints("perm", 2, 0, 1))
            .Node("ReduceSum", ["t"], ["r"], attrs: a => a.Int("keepdims", 0))
            .Node("Equal", ["s", "s"], ["e"])
            .Output("r").Output("e", DataType.Bool));
        Assert.AreEqual("B,3,4", S(g, "s"));
        Assert.AreEqual("B,3,8", S(g, "c"));
        Assert.AreEqual("B,3,6", S(g, "sl"));
        Assert.AreEqual("6,B,3", S(g, "t"));
        Assert.AreEqual("", S(g, "r"));
        Assert.AreEqual(DataType.Bool, g.Values["e"].Type);
    }

    [TestMethod]
    public void UnsqueezeSqueezeByOpset()
    {
        var g7 = Run(new OnnxModelBuilder(11).Input("x", DataType.Float, 2, 3)
            .Node("Unsqueeze", ["x"], ["u"], attrs: a => a.Ints("axes", 0, 3)).Node("Squeeze", ["u"], ["y"], attrs: a => a.Ints("axes", 0)).Output("y"));
        Assert.AreEqual("2,3,1", S(g7, "y"));
        var g13 = Run(new OnnxModelBuilder(13).Input("x", DataType.Float, 2, 3).Initializer("ax", [0L, 3L], 2).Initializer("sq", [0L], 1)
            .Node("Unsqueeze", ["x", "ax"], ["u"]).Node("Squeeze", ["u", "sq"], ["y"]).Output("y"));
        Assert.AreEqual("2,3,1", S(g13, "y"));
    }

    [TestMethod]
    public void ConvTransposeWithOutputPadding()
    {
        var g = Run(new OnnxModelBuilder(13).Input("x", DataType.Float, 1, 4, 5, 5)
            .Initializer("w", TestTensors.Random(3, [4L, 2, 3, 3]), 4, 2, 3, 3)
            .Node("ConvTranspose", ["x", "w"], ["y"], attrs: a => a.Ints("strides", 2, 2).Ints("pads", 1, 1, 1, 1).Ints("output_padding", 1, 1).Int("group", 2))
            .Output("y"));
        Assert.AreEqual("1,4,10,10", S(g, "y"));
    }

    [TestMethod]
    public void ResizeSplitPadByInputs()
    {
        var g = Run(new OnnxModelBuilder(13).Input("x", DataType.Float, 1, 4, 5, 6)
            .Initializer("sc", [1f, 1f, 2f, 2f], 4)
            .Node("Resize", ["x", "", "sc"], ["r"], attrs: a => a.String("mode", "nearest"))
            .Initializer("sp", [1L, 3L], 2)
            .Node("Split", ["r", "sp"], ["s0", "s1"], attrs: a => a.Int("axis", 1))
            .Initializer("pads", [0L, 0L, 1L, 2L, 0L, 0L, 1L, 2L], 8)
            .Node("Pad", ["s1", "pads"], ["p"])
            .Output("s0").Output("p"));
        Assert.AreEqual("1,1,10,12", S(g, "s0"));
        Assert.AreEqual("1,3,12,16", S(g, "p"));
    }

    [TestMethod]
    public void ReshapeWithZeroAndMinusOneKeepsSymbol()
    {
        var g = Run(new OnnxModelBuilder(13).Input("x", DataType.Float, "N", 3, 4)
            .Initializer("s", [0L, -1L], 2).Node("Reshape", ["x", "s"], ["y"]).Output("y"));
        Assert.AreEqual("N,12", S(g, "y"));
    }
}
