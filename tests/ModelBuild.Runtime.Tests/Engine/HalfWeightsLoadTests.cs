using ModelBuild.Runtime.Format;
using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Runtime.Tests.Engine;

/// <summary>fp16 weight storage (upstream --fp16) expanded to float32 at load; malformed storage is a coded error.</summary>
[TestClass]
public sealed class HalfWeightsLoadTests
{
    private static NetT Net(OpT op) => new() { Oplists = [op], TensorName = ["c"], OutputName = ["c"] };

    private static OpT HalfConst(params byte[] bytes) => new()
    {
        Name = "c",
        Type = OpType.Const,
        OutputIndexes = [0],
        Main = OpParameterUnion.FromBlob(new BlobT { DataType = DataType.DT_HALF, Dims = [bytes.Length / 2], Uint8s = [.. bytes] }),
    };

    [TestMethod]
    public void HalfConstantsBecomeFloats()
    {
        // 1.0 = 0x3C00, -2.5 = 0xC100, 65504 = 0x7BFF (little-endian bytes).
        var net = Net(HalfConst(0x00, 0x3C, 0x00, 0xC1, 0xFF, 0x7B));
        HalfWeights.Expand(net, "test");
        var blob = net.Oplists[0].Main.AsBlob();
        Assert.AreEqual(DataType.DT_FLOAT, blob.DataType);
        CollectionAssert.AreEqual(new[] { 1f, -2.5f, 65504f }, blob.Float32s.ToArray());
    }

    [TestMethod]
    public void CompressThenExpandRoundsToHalf()
    {
        var conv = new Convolution2DT { Common = new Convolution2DCommonT(), Weight = [0.1f, 1e6f, -3f], Bias = [0.5f] };
        var net = Net(new OpT { Name = "conv", Type = OpType.Convolution, Main = OpParameterUnion.FromConvolution2D(conv) });
        HalfWeights.Compress(net);
        Assert.AreEqual(HalfWeights.QuanTypeHalf, conv.QuanParameter.Type);
        HalfWeights.Expand(net, "test");
        CollectionAssert.AreEqual(new[] { (float)(Half)0.1f, 65504f, -3f }, conv.Weight.ToArray());
        Assert.IsNull(conv.QuanParameter);
        CollectionAssert.AreEqual(new[] { 0.5f }, conv.Bias.ToArray());
    }

    [TestMethod]
    public void OddByteCountIsACodedError()
    {
        var e = Assert.ThrowsExactly<ModelBuildException>(() => HalfWeights.Expand(Net(HalfConst(0x00, 0x3C, 0x01)), "m.mnn"));
        Assert.AreEqual(ErrorCodes.MnnCorrupt, e.Code);
        StringAssert.Contains(e.Message, "odd");
    }
}
