using ModelBuild.Runtime.Format;
using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Runtime.Tests.Format;

[TestClass]
public sealed class MnnWriterTests
{
    [TestMethod]
    public void Serialize_IsDeterministic()
    {
        byte[] a = MnnModelWriter.Serialize(MnnTestNets.Small());
        byte[] b = MnnModelWriter.Serialize(MnnTestNets.Small());
        var net = MnnTestNets.Small();
        byte[] c = MnnModelWriter.Serialize(net);
        byte[] d = MnnModelWriter.Serialize(net);
        CollectionAssert.AreEqual(a, b);
        CollectionAssert.AreEqual(a, c);
        CollectionAssert.AreEqual(c, d);
        // UnPack turns absent vectors into empty lists (which then serialize as empty vectors), so compare
        // from the first read-back on: read -> write is then a fixed point.
        byte[] once = MnnModelWriter.Serialize(MnnModelReader.Read(a, "small"));
        byte[] twice = MnnModelWriter.Serialize(MnnModelReader.Read(once, "small again"));
        CollectionAssert.AreEqual(once, twice);
    }

    [TestMethod]
    public void Serialize_NoFileIdentifier_RootOffsetFirst()
    {
        byte[] data = MnnModelWriter.Serialize(MnnTestNets.Small());
        int root = BitConverter.ToInt32(data, 0);
        Assert.IsTrue(root >= 4 && root < data.Length);
    }

    [TestMethod]
    public void RoundTrip_PreservesParameters()
    {
        var back = MnnModelReader.Read(MnnModelWriter.Serialize(MnnTestNets.Small()), "small");
        Assert.AreEqual("ModelBuild", back.BizCode);
        Assert.AreEqual(NetSource.ONNX, back.SourceType);
        CollectionAssert.AreEqual(new[] { "in", "in_c4", "conv", "bias", "add", "relu", "pool", "out" }, back.TensorName);
        var conv = back.Oplists[2];
        Assert.AreEqual(OpType.Convolution, conv.Type);
        Assert.AreEqual(OpParameter.Convolution2D, conv.Main.Type);
        var p = conv.Main.AsConvolution2D();
        Assert.AreEqual(3, p.Common.KernelX);
        Assert.AreEqual(4, p.Common.OutputCount);
        Assert.AreEqual(1, p.Common.Group); // default survives omission
        CollectionAssert.AreEqual(new[] { 1, 1, 1, 1 }, p.Common.Pads);
        Assert.AreEqual(108, p.Weight.Count);
        Assert.AreEqual(BinaryOpOperation.ADD, back.Oplists[4].Main.AsBinaryOp().OpType);
        Assert.AreEqual(PoolType.MAXPOOL, back.Oplists[6].Main.AsPool().Type);
        Assert.AreEqual(1, back.Oplists[7].Main.AsAxis().Axis_);
        Assert.AreEqual(MNN_DATA_FORMAT.NHWC, back.Oplists[0].DefaultDimentionFormat);
        Assert.AreEqual(MNN_DATA_FORMAT.NC4HW4, back.ExtraTensorDescribe[0].Blob.DataFormat);
    }

    [TestMethod]
    public void WriteFileAtomic_WritesAndOverwrites()
    {
        string dir = NewTempDir();
        try
        {
            string path = Path.Combine(dir, "model.mnn");
            File.WriteAllText(path, "old content");
            MnnModelWriter.WriteFileAtomic(MnnTestNets.Small(), path);
            CollectionAssert.AreEqual(MnnModelWriter.Serialize(MnnTestNets.Small()), File.ReadAllBytes(path));
            Assert.AreEqual(8, MnnModelReader.ReadFile(path).Oplists.Count);
            CollectionAssert.AreEqual(new[] { "model.mnn" }, Directory.GetFiles(dir).Select(Path.GetFileName).ToArray());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void WriteFileAtomic_SerializationFailure_LeavesNoFile()
    {
        string dir = NewTempDir();
        try
        {
            string path = Path.Combine(dir, "model.mnn");
            var net = MnnTestNets.Small();
            // Discriminator says Convolution2D but the value is a pool parameter: flatc would silently drop it.
            net.Oplists[2].Main = new OpParameterUnion { Type = OpParameter.Convolution2D, Value = new PoolT() };
            var e = Assert.ThrowsExactly<ModelBuildException>(() => MnnModelWriter.WriteFileAtomic(net, path));
            Assert.AreEqual(ErrorCodes.MnnWriteFailed, e.Code);
            StringAssert.Contains(e.Message, "conv");
            Assert.IsFalse(File.Exists(path));
            Assert.AreEqual(0, Directory.GetFileSystemEntries(dir).Length, "temporary file left behind");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void WriteFileAtomic_FailureKeepsExistingFile()
    {
        string dir = NewTempDir();
        try
        {
            string path = Path.Combine(dir, "model.mnn");
            File.WriteAllText(path, "previous");
            var net = MnnTestNets.Small();
            net.Oplists[0].Main = new OpParameterUnion { Type = OpParameter.Input, Value = null! };
            var e = Assert.ThrowsExactly<ModelBuildException>(() => MnnModelWriter.WriteFileAtomic(net, path));
            Assert.AreEqual(ErrorCodes.MnnWriteFailed, e.Code);
            Assert.AreEqual("previous", File.ReadAllText(path));
            Assert.AreEqual(1, Directory.GetFileSystemEntries(dir).Length);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void WriteFileAtomic_MissingDirectory_IsMnnWriteFailed()
    {
        string path = Path.Combine(Path.GetTempPath(), $"modelbuild-nodir-{Guid.NewGuid():N}", "model.mnn");
        var e = Assert.ThrowsExactly<ModelBuildException>(() => MnnModelWriter.WriteFileAtomic(MnnTestNets.Small(), path));
        Assert.AreEqual(ErrorCodes.MnnWriteFailed, e.Code);
    }

    private static string NewTempDir()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"modelbuild-writer-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }
}
