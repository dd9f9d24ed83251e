using ModelBuild.Build.Tests.Infrastructure;
using ModelBuild.Tasks;
using Microsoft.Build.Utilities;

namespace ModelBuild.Build.Tests;

/// <summary>
/// Cancel of the convert task, in-process against a stand-in converter (a shell script) that has written its temp
/// file and waits on a child process: the whole tree dies, the task returns, the temp file is gone.
/// </summary>
[TestClass]
public sealed class TaskCancellationTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void Cancel_KillsTheConverterTree_AndDeletesItsTempFile()
    {
        if (!ProcessTable.Supported || !File.Exists("/bin/sh"))
        {
            Assert.Inconclusive("needs /bin/sh and /proc (Linux)");
        }

        var dir = Path.Combine(Path.GetTempPath(), "modelbuild-task-cancel-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path.Combine(dir, "obj"));
        // a unique sleep length identifies the grandchild among the machine's processes
        var sleep = 900 + Random.Shared.Next(99);
        try
        {
            var converter = Path.Combine(dir, "fake-convert.sh");
            // argument 4 is the output (convert ONNX -o OUT): write the temp file the real writer would, then wait on a child
            File.WriteAllText(converter, $"""
                out="$4"
                printf partial > "$(dirname "$out")/.$(basename "$out").0123456789abcdef0123456789abcdef.tmp"
                sleep {sleep} &
                wait
                """);
            var onnx = Path.Combine(dir, "m.onnx");
            File.WriteAllText(onnx, "not read by the stand-in");
            var output = Path.Combine(dir, "obj", "m.mnn");
            var temp = Path.Combine(dir, "obj", ".m.mnn.0123456789abcdef0123456789abcdef.tmp");
            var model = new TaskItem("m.onnx");
            model.SetMetadata("OnnxFile", onnx);
            model.SetMetadata("OutputFile", output);
            model.SetMetadata("ConvertStamp", Path.Combine(dir, "obj", "m.mnn.convert.stamp"));

            var engine = new FakeBuildEngine();
            var task = new ModelBuildConvert
            {
                BuildEngine = engine,
                Models = [model],
                ConverterPath = converter,
                DotnetHostPath = "/bin/sh",
                WorkingDirectory = dir,
            };
            var execute = System.Threading.Tasks.Task.Run(task.Execute);

            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (!(File.Exists(temp) && ProcessTable.Find($"sleep {sleep}").Count > 0) && clock.Elapsed < TimeSpan.FromSeconds(30) && !execute.IsCompleted)
            {
                Thread.Sleep(20);
            }

            Assert.IsTrue(File.Exists(temp), "the stand-in never started:" + Environment.NewLine + engine.Log);
            clock.Restart();
            task.Cancel();
            var ended = execute.Wait(TimeSpan.FromSeconds(30)); // a hang guard: the child holds the output pipes until it dies
            TestContext.WriteLine($"Execute returned {clock.Elapsed.TotalSeconds:F2} s after Cancel");
            Assert.IsTrue(ended, "Execute did not return after Cancel:" + Environment.NewLine + engine.Log);
            Assert.IsFalse(execute.Result, engine.Log);
            StringAssert.Contains(engine.Log, "ModelBuild: convert of 'm.onnx' canceled", engine.Log);
            Assert.IsFalse(File.Exists(temp), "the killed converter's temp file was left:" + Environment.NewLine + engine.Log);
            Assert.IsFalse(File.Exists(output), engine.Log);
            Assert.AreEqual(0, ProcessTable.Find($"sleep {sleep}").Count, "the converter's child outlived Cancel");
            Assert.AreEqual(0, task.Processed.Length, engine.Log);
        }
        finally
        {
            foreach (var (pid, _) in ProcessTable.Find(dir).Concat(ProcessTable.Find($"sleep {sleep}")))
            {
                try
                {
                    System.Diagnostics.Process.GetProcessById(pid).Kill(entireProcessTree: true);
                }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException)
                {
                    // already gone
                }
            }

            Directory.Delete(dir, recursive: true);
        }
    }
}
