namespace ModelBuild.Runtime.Tests.Format;

/// <summary>
/// <see cref="MnnModel.Load(string)"/> refuses what is not a regular file before opening it: a FIFO would block
/// the open forever and a device would stream forever. The timeouts turn a regression into a failure, not a hang.
/// </summary>
[TestClass]
public sealed class MnnSpecialFileTests
{
    private string _dir = "";

    [TestInitialize]
    public void Create() => _dir = SpecialFiles.TempFolder();

    [TestCleanup]
    public void Delete() => Directory.Delete(_dir, recursive: true);

    [TestMethod]
    [Timeout(10_000)]
    public void Fifo_IsMB1100()
    {
        var fifo = SpecialFiles.MakeFifo(Path.Combine(_dir, "model.mnn"));
        var e = Assert.ThrowsExactly<ModelBuildException>(() => MnnModel.Load(fifo));
        Assert.AreEqual(ErrorCodes.MnnFileNotFound, e.Code);
        Assert.Contains("FIFO", e.Message);
    }

    [TestMethod]
    [Timeout(10_000)]
    public void LinkToFifo_IsMB1100()
    {
        var fifo = SpecialFiles.MakeFifo(Path.Combine(_dir, "pipe"));
        var link = Path.Combine(_dir, "model.mnn");
        File.CreateSymbolicLink(link, fifo);
        var e = Assert.ThrowsExactly<ModelBuildException>(() => MnnModel.Load(link));
        Assert.AreEqual(ErrorCodes.MnnFileNotFound, e.Code);
        Assert.Contains("FIFO", e.Message);
    }

    [TestMethod]
    [Timeout(10_000)]
    [DataRow("/dev/zero", "character device")]
    [DataRow("/dev/null", "character device")]
    public void Device_IsMB1100(string device, string kind)
    {
        if (!File.Exists(device))
        {
            Assert.Inconclusive($"{device} is not on this system");
        }

        var e = Assert.ThrowsExactly<ModelBuildException>(() => MnnModel.Load(device));
        Assert.AreEqual(ErrorCodes.MnnFileNotFound, e.Code);
        Assert.Contains(kind, e.Message);
    }

    [TestMethod]
    public void FromBytes_NamesTheGivenSourceInErrors()
    {
        var e = Assert.ThrowsExactly<ModelBuildException>(() => MnnModel.FromBytes([1, 2, 3, 4, 5, 6, 7, 8], "converted from m.onnx"));
        Assert.AreEqual(ErrorCodes.MnnCorrupt, e.Code);
        Assert.StartsWith("converted from m.onnx: ", e.Message);
    }
}
