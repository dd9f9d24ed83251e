using Google.Protobuf;
using ModelBuild.Converter.Conversion;
using ModelBuild.Converter.Onnx.Proto;
using ModelBuild.Converter.Tests.Infrastructure;
using ModelBuild.Converter.Tests.Ops;
using ModelBuild.Runtime;
using static ModelBuild.Converter.Tests.Infrastructure.Subgraphs;
using IrDataType = ModelBuild.Converter.Graph.DataType;
using MbSession = ModelBuild.Runtime.MnnSession;

namespace ModelBuild.Converter.Tests.Fuzz;

/// <summary>
/// A seeded, bounded sweep of damaged models through the whole path a user drives: mutated .onnx bytes through
/// conversion, the converted .mnn through load and run, mutated .mnn bytes through load and run. Every case must end
/// in success or a coded <see cref="ModelBuildException"/> other than MB9999 — never another exception, never a hang.
/// </summary>
[TestClass]
public sealed class MutatedModelFuzzTests : OpTestBase
{
    private static readonly TimeSpan PerCaseLimit = TimeSpan.FromSeconds(20);

    /// <summary>Conv, pooling, a Loop with a scan output and a run-time If: the converter's main paths and subgraphs.</summary>
    private static ModelProto Model()
    {
        var loopBody = Body(b => b.Input("i", IrDataType.Int64, Array.Empty<object>()).Input("c", IrDataType.Bool, Array.Empty<object>()).Input("acc", IrDataType.Float, 1, 4, 2, 2)
            .Node("Add", ["acc", "p"], ["acc2"]).Node("Identity", ["c"], ["c2"]).Node("Tanh", ["acc2"], ["t"])
            .Output("c2", IrDataType.Bool).Output("acc2", IrDataType.Float, 1, 4, 2, 2).Output("t", IrDataType.Float, 1, 4, 2, 2));
        var then = Branch(b => b.Node("Relu", ["acc"], ["r"]), "r");
        var otherwise = Branch(b => b.Node("Neg", ["acc"], ["e"]), "e");
        return new OnnxModelBuilder(13).Input("x", IrDataType.Float, 1, 3, 8, 8).Input("n", IrDataType.Int64).Input("c", IrDataType.Bool)
            .Initializer("w", TestTensors.Random(1, [4L, 3, 3, 3]), 4, 3, 3, 3)
            .Initializer("b", TestTensors.Random(2, [4L]), 4)
            .Node("Conv", ["x", "w", "b"], ["conv"], attrs: a => a.Ints("pads", 1, 1, 1, 1))
            .Node("MaxPool", ["conv"], ["p"], attrs: a => a.Ints("kernel_shape", 3, 3).Ints("strides", 3, 3))
            .Node("Loop", ["n", "", "p"], ["acc", "scan"], attrs: a => a.Graph("body", loopBody))
            .Node("If", ["c"], ["y"], attrs: a => a.Graph("then_branch", then).Graph("else_branch", otherwise))
            .Output("y", IrDataType.Float).Output("scan", IrDataType.Float).Build();
    }

    private static readonly Dictionary<string, Tensor> Feeds = new()
    {
        ["x"] = Tensor.FromFloats(TestTensors.Random(3, [1L, 3, 8, 8]), 1, 3, 8, 8),
        ["n"] = Tensor.FromInts([3]),
        ["c"] = Tensor.FromInts([1]),
    };

    [TestMethod]
    public void MutatedOnnxBytesConvertRunOrFailWithACode()
    {
        var original = Model().ToByteArray();
        Assert.IsNotNull(Convert(original), "the unmutated model converts");
        var rng = new Random(20261207);
        int converted = 0;
        for (int i = 0; i < 1000; i++)
        {
            var bytes = Mutate(original, rng);
            var mnn = Guarded($"onnx mutation {i}", () => Convert(bytes));
            if (mnn is not null)
            {
                converted++;
                Guarded($"run of onnx mutation {i}", () => Run(mnn));
            }
        }

        Assert.IsGreaterThan(0, converted, "some mutations (e.g. in weight values) still convert and run");
    }

    [TestMethod]
    public void MutatedMnnBytesLoadRunOrFailWithACode()
    {
        var original = ModelConverter.Convert(SaveModel(Model())).Bytes;
        var rng = new Random(7);
        for (int i = 0; i < 1500; i++)
        {
            var bytes = Mutate(original, rng);
            Guarded($"mnn mutation {i}", () => Run(bytes));
        }
    }

    private static byte[]? Convert(byte[] onnx)
    {
        var dir = TempDir();
        var path = Path.Combine(dir, "model.onnx");
        File.WriteAllBytes(path, onnx);
        return ModelConverter.Convert(path).Bytes;
    }

    private static byte[]? Run(byte[] mnn)
    {
        using var session = new MbSession(MnnModel.FromBytes(mnn, "fuzz.mnn"));
        session.Run(Feeds);
        return mnn;
    }

    /// <summary>1–8 random byte changes, a truncation or a duplicated span.</summary>
    private static byte[] Mutate(byte[] original, Random rng)
    {
        var bytes = (byte[])original.Clone();
        switch (rng.Next(4))
        {
            case 0:
                return bytes[..rng.Next(bytes.Length)];
            case 1:
                int at = rng.Next(bytes.Length), len = rng.Next(1, 64);
                return [.. bytes[..at], .. bytes[at..Math.Min(bytes.Length, at + len)], .. bytes[at..]];
            default:
                for (int k = rng.Next(1, 9); k > 0; k--)
                {
                    bytes[rng.Next(bytes.Length)] = (byte)rng.Next(256);
                }

                return bytes;
        }
    }

    /// <summary>Runs one case on a worker with a time limit; a coded error (not MB9999) counts as handled.</summary>
    private static byte[]? Guarded(string what, Func<byte[]?> action)
    {
        byte[]? result = null;
        Exception? failure = null;
        var worker = new Thread(() =>
        {
            try
            {
                result = action();
            }
            catch (Exception e)
            {
                failure = e;
            }
        }, 64 << 20) { IsBackground = true };
        worker.Start();
        Assert.IsTrue(worker.Join(PerCaseLimit), $"{what} did not end within {PerCaseLimit.TotalSeconds} s");
        if (failure is ModelBuildException coded)
        {
            Assert.AreNotEqual(ErrorCodes.InternalError, coded.Code, $"{what}: {coded.Message}");
            return null;
        }

        Assert.IsNull(failure, $"{what}: {failure?.GetType().Name}: {failure?.Message}\n{failure?.StackTrace}");
        return result;
    }
}
