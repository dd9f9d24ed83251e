using ModelBuild.Converter.Graph;
using ModelBuild.Converter.Onnx;
using ModelBuild.Converter.Tests.Infrastructure;

namespace ModelBuild.Converter.Tests.Onnx;

[TestClass]
public sealed class OnnxModelLoaderTests
{
    private static byte[] SmallModel() => new OnnxModelBuilder(13)
        .Input("x", DataType.Float, 1, 3, 4, 4)
        .Initializer("w", TestTensors.Random(1, [2L, 3, 3, 3]), 2, 3, 3, 3)
        .Node("Conv", ["x", "w"], ["y"], attrs: a => a.Ints("pads", 1, 1, 1, 1))
        .Output("y", DataType.Float)
        .ToBytes();

    [TestMethod]
    public void MissingFileIsMB1000()
    {
        var e = AssertCode.Throws(ErrorCodes.OnnxFileNotFound, () => OnnxModelLoader.Load("/nonexistent/model.onnx"));
        StringAssert.Contains(e.Message, "/nonexistent/model.onnx");
    }

    [TestMethod]
    public void RandomGarbageIsMB1001NamingTheFile()
    {
        for (var seed = 0; seed < 200; seed++)
        {
            var rng = new Random(seed);
            var bytes = new byte[rng.Next(1, 512)];
            rng.NextBytes(bytes);
            try
            {
                var m = OnnxModelLoader.Parse(bytes, "garbage.onnx");
                // Some random bytes happen to be valid protobuf; the importer must still fail cleanly.
                OnnxImporter.Import(m, "garbage.onnx", Path.GetTempPath());
            }
            catch (ModelBuildException e)
            {
                StringAssert.StartsWith(e.Code, "MB");
            }
        }
    }

    [TestMethod]
    public void GarbageWithBadWireTypeIsMB1001()
    {
        using var dir = new TempFolder();
        var path = dir.File("bad.onnx");
        File.WriteAllBytes(path, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]);
        var e = AssertCode.Throws(ErrorCodes.OnnxMalformed, () => OnnxModelLoader.Load(path));
        StringAssert.Contains(e.Message, path);
    }

    [TestMethod]
    public void EveryTruncationOfARealModelIsMB1001OrParses()
    {
        var bytes = SmallModel();
        var malformed = 0;
        for (var len = 1; len < bytes.Length; len++)
        {
            try
            {
                var m = OnnxModelLoader.Parse(bytes[..len], "t.onnx");
                OnnxImporter.Import(m, "t.onnx", Path.GetTempPath());
            }
            catch (ModelBuildException e)
            {
                if (e.Code == ErrorCodes.OnnxMalformed)
                {
                    malformed++;
                }
            }
        }

        Assert.IsGreaterThan(bytes.Length / 2, malformed, "most truncations must be reported as MB1001");
    }

    [TestMethod]
    public void DeepNestingIsRejected()
    {
        // GraphProto.node(1) -> NodeProto.attribute(5) -> AttributeProto.g(6) -> GraphProto ... 200 levels.
        var inner = Array.Empty<byte>();
        for (var i = 0; i < 200; i++)
        {
            inner = Wrap(6, inner);          // attribute.g
            inner = Wrap(5, inner);          // node.attribute
            inner = Wrap(1, inner);          // graph.node
        }

        var model = Wrap(7, inner);          // model.graph
        var e = Assert.ThrowsExactly<ModelBuildException>(() => OnnxModelLoader.Parse(model, "deep.onnx"));
        Assert.IsTrue(e.Code is ErrorCodes.OnnxNestingTooDeep or ErrorCodes.OnnxMalformed, e.ToString());
    }

    private static byte[] Wrap(int field, byte[] payload)
    {
        var result = new List<byte> { (byte)((field << 3) | 2) };
        var len = (uint)payload.Length;
        while (len >= 0x80)
        {
            result.Add((byte)(len | 0x80));
            len >>= 7;
        }

        result.Add((byte)len);
        result.AddRange(payload);
        return [.. result];
    }

    [TestMethod]
    [DataRow(29)]
    [DataRow(1000)]
    public void UnsupportedOpsetIsMB1007(int opset)
    {
        var m = new OnnxModelBuilder(opset).Input("x", DataType.Float, 1).Node("Relu", ["x"], ["y"]).Output("y").Build();
        AssertCode.Throws(ErrorCodes.OnnxUnsupportedOpset, () => OnnxImporter.Import(m, "m.onnx", "."));
    }

    [TestMethod]
    public void MissingDefaultDomainOpsetIsMB1007()
    {
        var m = new OnnxModelBuilder(0).Opset("com.microsoft", 1).Input("x", DataType.Float, 1).Node("Relu", ["x"], ["y"]).Output("y").Build();
        AssertCode.Throws(ErrorCodes.OnnxUnsupportedOpset, () => OnnxImporter.Import(m, "m.onnx", "."));
    }

    [TestMethod]
    public void AiOnnxDomainAndOtherDomainNodesAreAccepted()
    {
        var m = new OnnxModelBuilder(0).Opset("ai.onnx", 17).Opset("com.microsoft", 1)
            .Input("x", DataType.Float, 1).Node("FusedGelu", ["x"], ["y"], domain: "com.microsoft").Output("y").Build();
        var g = OnnxImporter.Import(m, "m.onnx", ".");
        Assert.AreEqual(17, g.Opset);
        Assert.AreEqual("com.microsoft", g.Nodes[0].Domain);
    }
}
