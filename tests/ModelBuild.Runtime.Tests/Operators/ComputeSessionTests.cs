using ModelBuild.Runtime.Format.Schema;
using ModelBuild.Runtime.Kernels;
using static ModelBuild.Runtime.Tests.Operators.OpHarness;

namespace ModelBuild.Runtime.Tests.Operators;

/// <summary>
/// A small net of compute ops run through the public engine API (MnnModel + MnnSession) at every ISA level:
/// the session must give the same bits at every level and the same values as the executors chained by hand.
/// </summary>
[TestClass]
public sealed class ComputeSessionTests
{
    private static readonly float[] Weight = Random(4 * 3 * 3 * 3, 131);
    private static readonly float[] Bias = Random(4, 132);

    private static OpT Conv() => Op(OpType.Convolution, new Convolution2DT
    {
        Common = new Convolution2DCommonT { KernelX = 3, KernelY = 3, InputCount = 3, OutputCount = 4, Pads = [1, 1, 1, 1], Relu = true },
        Weight = [.. Weight],
        Bias = [.. Bias],
    }, name: "conv");

    private static OpT Pool() => Op(OpType.Pooling, new PoolT { KernelX = 2, KernelY = 2, StrideX = 2, StrideY = 2, Type = PoolType.MAXPOOL, CeilModel = false }, name: "pool");

    private static OpT Resize() => Op(OpType.Interp, new InterpT { ResizeType = 2, Ctm = CoordinateTransformationMode.HalfPixels }, name: "resize");

    private static OpT Add() => Op(OpType.BinaryOp, new BinaryOpT { OpType = BinaryOpOperation.ADD }, name: "add");

    private static OpT Softmax() => Op(OpType.Softmax, new AxisT { Axis_ = 1 }, name: "softmax");

    private static NetT Net()
    {
        OpT Wire(OpT op, int[] inputs, int output)
        {
            op.InputIndexes = [.. inputs];
            op.OutputIndexes = [output];
            return op;
        }

        var ops = new List<OpT>
        {
            new() { Name = "x", Type = OpType.Input, OutputIndexes = [0], Main = OpParameterUnion.FromInput(new InputT { Dims = [1, 3, 8, 8], Dtype = DataType.DT_FLOAT, Dformat = MNN_DATA_FORMAT.NCHW }) },
            Wire(Conv(), [0], 1),
            Wire(Pool(), [1], 2),
            new() { Name = "size", Type = OpType.Const, OutputIndexes = [3], Main = OpParameterUnion.FromBlob(new BlobT { Dims = [4], DataType = DataType.DT_INT32, DataFormat = MNN_DATA_FORMAT.NCHW, Int32s = [1, 4, 6, 6] }) },
            Wire(Resize(), [2, 3], 4),
            new() { Name = "c", Type = OpType.Const, OutputIndexes = [5], Main = OpParameterUnion.FromBlob(new BlobT { Dims = [4, 1, 1], DataType = DataType.DT_FLOAT, DataFormat = MNN_DATA_FORMAT.NCHW, Float32s = [0.5f, -1f, 2f, 0f] }) },
            Wire(Add(), [4, 5], 6),
            Wire(Softmax(), [6], 7),
        };
        return new NetT
        {
            BizCode = "ModelBuild",
            Oplists = ops,
            OutputName = ["y"],
            TensorName = ["x", "conv", "pool", "size", "resize", "c", "add", "y"],
            SourceType = NetSource.ONNX,
            Usage = Usage.INFERENCE,
        };
    }

    [TestMethod]
    public void SessionMatchesChainedExecutorsAtEveryIsaLevel()
    {
        var x = RandomTensor(133, 1, 3, 8, 8);
        var model = MnnModel.FromNet(Net(), "compute-session-test");

        // Hand-chained executors at the scalar level.
        var conv = RunOnce(Conv(), IsaLevel.Scalar, 1, [x])[0];
        var pool = RunOnce(Pool(), IsaLevel.Scalar, 1, [conv])[0];
        var resized = RunOnce(Resize(), IsaLevel.Scalar, 1, [pool, Tensor.FromInts([1, 4, 6, 6], 4)])[0];
        var added = RunOnce(Add(), IsaLevel.Scalar, 1, [resized, Tensor.FromFloats([0.5f, -1f, 2f, 0f], 4, 1, 1)])[0];
        var expected = RunOnce(Softmax(), IsaLevel.Scalar, 1, [added])[0];

        foreach (var level in KernelIsa.Available)
        {
            foreach (int threads in new[] { 1, 2 })
            {
                using var session = new MnnSession(model, new MnnSessionOptions { Isa = level, Threads = threads });
                var y = session.Run(new Dictionary<string, Tensor> { ["x"] = x })["y"];
                AssertBitIdentical(expected, y, $"session at {level} x{threads}");
            }
        }

        // Softmax over channels: every position sums to 1.
        var v = expected.Floats.ToArray();
        for (int p = 0; p < 36; p++)
        {
            Assert.AreEqual(1.0, Enumerable.Range(0, 4).Sum(c => (double)v[c * 36 + p]), 1e-5);
        }
    }

    [TestMethod]
    public void InvalidParametersFailAtSessionCreation()
    {
        var net = Net();
        net.Oplists[1].Main = OpParameterUnion.FromPool(new PoolT());
        var model = MnnModel.FromNet(net, "bad-conv");
        var e = Assert.ThrowsExactly<ModelBuildException>(() => new MnnSession(model).Dispose());
        StringAssert.Contains(e.Message, "conv");
    }
}
