namespace ModelBuild.Runtime.Tests.Diagnostics;

/// <summary><see cref="UserFiles"/> sees through links and tells regular files from FIFOs, devices and folders without opening them.</summary>
[TestClass]
public sealed class UserFilesTests
{
    private string _dir = "";

    [TestInitialize]
    public void Create() => _dir = SpecialFiles.TempFolder();

    [TestCleanup]
    public void Delete() => Directory.Delete(_dir, recursive: true);

    [TestMethod]
    [Timeout(10_000)]
    public void Probe_TellsTheKinds()
    {
        var file = Path.Combine(_dir, "f.bin");
        File.WriteAllBytes(file, [1, 2, 3]);
        var fifo = SpecialFiles.MakeFifo(Path.Combine(_dir, "pipe"));
        Assert.AreEqual(UserFileKind.Regular, UserFiles.Probe(file));
        Assert.AreEqual(UserFileKind.Fifo, UserFiles.Probe(fifo));
        Assert.AreEqual(UserFileKind.Directory, UserFiles.Probe(_dir));
        Assert.AreEqual(UserFileKind.CharacterDevice, UserFiles.Probe("/dev/null"));
        Assert.AreEqual(UserFileKind.Missing, UserFiles.Probe(Path.Combine(_dir, "nothing")));
    }

    [TestMethod]
    [Timeout(10_000)]
    public void Probe_FollowsLinksToTheirTarget()
    {
        var fifo = SpecialFiles.MakeFifo(Path.Combine(_dir, "pipe"));
        var file = Path.Combine(_dir, "f.bin");
        File.WriteAllBytes(file, [1]);
        var toFifo = Path.Combine(_dir, "a");
        var toLink = Path.Combine(_dir, "b");
        var toFile = Path.Combine(_dir, "c");
        var dangling = Path.Combine(_dir, "d");
        File.CreateSymbolicLink(toFifo, fifo);
        File.CreateSymbolicLink(toLink, toFifo);
        File.CreateSymbolicLink(toFile, file);
        File.CreateSymbolicLink(dangling, Path.Combine(_dir, "gone"));
        Assert.AreEqual(UserFileKind.Fifo, UserFiles.Probe(toFifo));
        Assert.AreEqual(UserFileKind.Fifo, UserFiles.Probe(toLink));
        Assert.AreEqual(UserFileKind.Regular, UserFiles.Probe(toFile));
        Assert.AreEqual(UserFileKind.Missing, UserFiles.Probe(dangling));
    }

    [TestMethod]
    [Timeout(10_000)]
    public void RequireRegularFile_NamesTheKindInACodedError()
    {
        var fifo = SpecialFiles.MakeFifo(Path.Combine(_dir, "pipe"));
        var e = Assert.ThrowsExactly<ModelBuildException>(() => UserFiles.RequireRegularFile(fifo, ErrorCodes.MnnFileNotFound, "MNN model"));
        Assert.AreEqual(ErrorCodes.MnnFileNotFound, e.Code);
        Assert.Contains("FIFO", e.Message);
        Assert.Contains(fifo, e.Message);
        var d = Assert.ThrowsExactly<ModelBuildException>(() => UserFiles.ReadAllBytes("/dev/zero", ErrorCodes.TensorFileNotFound, "tensor file"));
        Assert.Contains("character device", d.Message);
    }

    [TestMethod]
    public void HardLinkCount_CountsLinks()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Inconclusive("hard-link counts are read on Unix only");
        }

        var file = Path.Combine(_dir, "f.bin");
        File.WriteAllBytes(file, [1]);
        Assert.AreEqual(1L, UserFiles.HardLinkCount(file));
        SpecialFiles.Run("ln", file, Path.Combine(_dir, "second"));
        Assert.AreEqual(2L, UserFiles.HardLinkCount(file));
        var link = Path.Combine(_dir, "sym");
        File.CreateSymbolicLink(link, file);
        Assert.AreEqual(2L, UserFiles.HardLinkCount(link), "a symbolic link reports its target's count");
    }
}
