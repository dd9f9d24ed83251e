using ModelBuild.Tool.Cli;
using ModelBuild.Converter.Onnx.Proto;
using ModelBuild.Tool.Tests.Infrastructure;

namespace ModelBuild.Tool.Tests;

/// <summary>
/// A FIFO or device where the CLI expects a file (model, input .pb, --inputs, external data) is one coded error,
/// at once: opening it would block forever. The timeouts make a regression fail instead of hang.
/// </summary>
[TestClass]
public sealed class SpecialFileTests
{
    private static void AssertError(CliResult r, string code, string text, int exit = ExitCodes.Error)
    {
        Assert.AreEqual(exit, r.ExitCode, r.ToString());
        Assert.StartsWith($"{code}: ", r.ErrorLine, r.ToString());
        Assert.Contains(text, r.ErrorLine, r.ToString());
    }

    [TestMethod]
    [Timeout(30_000)]
    public void FifoOnnxModel_IsMB1000ForEveryCommand()
    {
        using var tmp = new TempDir();
        var fifo = SpecialFiles.MakeFifo(tmp.File("m.onnx"));
        AssertError(CliRun.InProcess("convert", fifo), "MB1000", "FIFO");
        AssertError(CliRun.InProcess("inspect", fifo), "MB1000", "FIFO");
        AssertError(CliRun.InProcess("run", fifo, "--inputs", RepoPaths.SampleData, "--outputs", tmp.Dir("out")), "MB1000", "FIFO");
        AssertError(CliRun.InProcess("check", fifo), "MB1000", "FIFO");
    }

    [TestMethod]
    [Timeout(30_000)]
    public void FifoMnnModel_IsMB1100()
    {
        using var tmp = new TempDir();
        var fifo = SpecialFiles.MakeFifo(tmp.File("m.mnn"));
        AssertError(CliRun.InProcess("inspect", fifo), "MB1100", "FIFO");
        AssertError(CliRun.InProcess("run", fifo, "--inputs", RepoPaths.SampleData, "--outputs", tmp.Dir("out")), "MB1100", "FIFO");
        AssertError(CliRun.InProcess("check", RepoPaths.SampleModel, "--mnn", fifo), "MB1100", "FIFO");
    }

    [TestMethod]
    [Timeout(60_000)]
    public void FifoInputs_AreMB1201()
    {
        using var tmp = new TempDir();
        var folder = tmp.Dir("in");
        var fifo = SpecialFiles.MakeFifo(Path.Combine(folder, "input_0.pb"));
        AssertError(CliRun.InProcess("run", RepoPaths.SampleModel, "--inputs", folder, "--outputs", tmp.Dir("out")), "MB1201", "FIFO");
        AssertError(CliRun.InProcess("run", RepoPaths.SampleModel, "--inputs", fifo, "--outputs", tmp.Dir("out")), "MB1201", "FIFO");
        AssertError(CliRun.InProcess("check", RepoPaths.SampleModel, "--inputs", fifo), "MB1201", "FIFO");
        AssertError(CliRun.InProcess("check", RepoPaths.SampleModel, "--inputs", folder), "MB1201", "FIFO");
    }

    [TestMethod]
    [Timeout(30_000)]
    public void DeviceAsInputs_IsMB1201()
    {
        using var tmp = new TempDir();
        AssertError(CliRun.InProcess("run", RepoPaths.SampleModel, "--inputs", "/dev/zero", "--outputs", tmp.Dir("out")), "MB1201", "character device");
    }

    [TestMethod]
    [Timeout(30_000)]
    public void FifoExternalData_IsMB1004()
    {
        using var tmp = new TempDir();
        SpecialFiles.MakeFifo(tmp.File("w.bin"));
        var w = new TensorProto { Name = "w", DataType = (int)TensorProto.Types.DataType.Float, DataLocation = TensorProto.Types.DataLocation.External };
        w.Dims.Add(4);
        w.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = "w.bin" });
        var tiny = new TinyOnnx().Input("x", 1, 4).Output("y", 1, 4).Node("Add", ["x", "w"], ["y"]);
        tiny.Graph.Initializer.Add(w);
        var onnx = tiny.Save(tmp.File("m.onnx"));
        AssertError(CliRun.InProcess("convert", onnx), "MB1004", "FIFO");
        AssertError(CliRun.InProcess("check", onnx), "MB1004", "FIFO");
    }

    [TestMethod]
    [Timeout(120_000)]
    public void RealProcess_FifoModelEndsAtOnce()
    {
        using var tmp = new TempDir();
        var r = CliRun.Process("convert", SpecialFiles.MakeFifo(tmp.File("m.onnx")));
        AssertError(r, "MB1000", "FIFO");
    }
}
