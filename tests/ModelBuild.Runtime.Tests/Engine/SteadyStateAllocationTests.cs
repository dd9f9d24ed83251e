using ModelBuild.Runtime.Format.Schema;
using static ModelBuild.Runtime.Tests.Engine.TestRun;

namespace ModelBuild.Runtime.Tests.Engine;

/// <summary>
/// <see cref="MnnSession.Run(IReadOnlyDictionary{string, Tensor}, IReadOnlyList{Tensor})"/> with caller-owned
/// outputs allocates no managed memory once shapes are planned (no per-run dictionaries, closures, shape arrays or
/// plan objects), on one thread and on two. Allocation is counted process-wide
/// (<see cref="GC.GetTotalAllocatedBytes(bool)"/>, which also sees the kernel worker threads), so the class does not
/// run in parallel with other tests. Convolutions are not in these graphs: their executor and kernel still allocate
/// a parameter object and a closure per call (see docs/benchmarks.md, "Allocation per run").
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class SteadyStateAllocationTests
{
    private const int WarmupRuns = 30;
    private const int MeasuredRuns = 10;

    [TestMethod]
    [DataRow(1)]
    [DataRow(2)]
    public void CnnTail_ReluPoolAddGlobalPoolGemmSoftmax_AllocatesNothingPerRun(int threads) =>
        AssertNoAllocation(CnnTail(), ("x", Floats(Values(1 * 8 * 16 * 16, 1), 1, 8, 16, 16)), threads);

    [TestMethod]
    [DataRow(1)]
    [DataRow(2)]
    public void Attention_LayerNormMatMulPermuteSoftmaxSlice_AllocatesNothingPerRun(int threads) =>
        AssertNoAllocation(Attention(), ("x", Floats(Values(16 * 32, 2), 1, 16, 32)), threads);

    [TestMethod]
    public void RunIntoCallerOutputs_GivesTheBitsOfRunReturningNewTensors()
    {
        var input = Floats(Values(16 * 32, 3), 1, 16, 32);
        using var session = Attention().Session(new MnnSessionOptions { Threads = 2 });
        var expected = session.Run(Inputs(("x", input)));
        var outputs = session.OutputNames.Select(_ => new Tensor(TensorElementType.Float32, [])).ToArray();
        for (int run = 0; run < 3; run++)
        {
            session.Run(Inputs(("x", input)), outputs);
            for (int k = 0; k < outputs.Length; k++)
            {
                var want = expected[session.OutputNames[k]];
                CollectionAssert.AreEqual(want.Shape.ToArray(), outputs[k].Shape.ToArray());
                CollectionAssert.AreEqual(Bits(want), Bits(outputs[k]), $"output {k}, run {run}");
            }
        }
    }

    [TestMethod]
    public void RunIntoCallerOutputs_WrongCountOrNull_IsMB5001()
    {
        using var session = CnnTail().Session();
        var inputs = Inputs(("x", Floats(Values(1 * 8 * 16 * 16, 1), 1, 8, 16, 16)));
        Throws(() => session.Run(inputs, Array.Empty<Tensor>()), ErrorCodes.UsageError);
        Throws(() => session.Run(inputs, new Tensor[] { null! }), ErrorCodes.UsageError);
    }

    /// <summary>A shape op re-plans when a parameter input's value changes, although every input shape stays the same.</summary>
    [TestMethod]
    public void ReshapeWithShapeInput_NewShapeValues_ArePlannedAgain()
    {
        var b = new NetBuilder()
            .Input("x", [2, 6])
            .Input("shape", [2], DataType.DT_INT32)
            .Op(OpType.Reshape, OpParameterUnion.FromReshape(new ReshapeT()), ["x", "shape"], ["y"])
            .Output("y");
        using var session = b.Session();
        var x = Floats(Iota(12), 2, 6);
        var y = new Tensor(TensorElementType.Float32, []);
        foreach (var dims in new[] { new[] { 3, 4 }, [3, 4], [4, 3], [12, 1], [4, 3] })
        {
            session.Run(Inputs(("x", x), ("shape", Ints(dims, 2))), [y]);
            AssertShape(y, dims);
            AssertFloats(y, Iota(12));
        }
    }

    private static void AssertNoAllocation(NetBuilder net, (string Name, Tensor Value) input, int threads)
    {
        using var session = net.Session(new MnnSessionOptions { Threads = threads });
        var inputs = Inputs(input);
        var outputs = session.OutputNames.Select(_ => new Tensor(TensorElementType.Float32, [])).ToArray();
        for (int i = 0; i < WarmupRuns; i++)
        {
            session.Run(inputs, outputs);
        }

        // The least of a few batches: a runtime-internal allocation elsewhere in the process (tiered JIT, a timer)
        // may land in one batch, but a per-run allocation lands in every batch.
        long least = long.MaxValue;
        for (int batch = 0; batch < 5 && least > 0; batch++)
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            for (int i = 0; i < MeasuredRuns; i++)
            {
                session.Run(inputs, outputs);
            }

            least = Math.Min(least, GC.GetTotalAllocatedBytes(precise: true) - before);
        }

        Assert.AreEqual(0L, least, $"bytes allocated by {MeasuredRuns} steady-state runs at {threads} thread(s)");
    }

    /// <summary>ReLU → 2×2 max pool → broadcast ADD → global average pool → Reshape → MatMul (+bias) → Softmax.</summary>
    private static NetBuilder CnnTail() => new NetBuilder()
        .Input("x", [1, 8, 16, 16])
        .Op(OpType.ReLU, OpParameterUnion.FromRelu(new ReluT { Slope = 0f }), ["x"], ["relu"])
        .Op(OpType.Pooling, OpParameterUnion.FromPool(new PoolT { KernelX = 2, KernelY = 2, StrideX = 2, StrideY = 2, Type = PoolType.MAXPOOL, PadType = PoolPadType.CAFFE }), ["relu"], ["pool"])
        .Const("shift", Values(8, 4), 1, 8, 1, 1)
        .Op(OpType.BinaryOp, OpParameterUnion.FromBinaryOp(new BinaryOpT { OpType = BinaryOpOperation.ADD, T = DataType.DT_FLOAT }), ["pool", "shift"], ["add"])
        .Op(OpType.Pooling, OpParameterUnion.FromPool(new PoolT { IsGlobal = true, Type = PoolType.AVEPOOL }), ["add"], ["gap"])
        .Op(OpType.Reshape, OpParameterUnion.FromReshape(new ReshapeT { Dims = [1, 8] }), ["gap"], ["flat"])
        .Const("w", Values(8 * 10, 5), 8, 10)
        .Op(OpType.MatMul, OpParameterUnion.FromMatMul(new MatMulT { Bias = [.. Values(10, 6)] }), ["flat", "w"], ["logits"])
        .Op(OpType.Softmax, OpParameterUnion.FromAxis(new AxisT { Axis_ = 1 }), ["logits"], ["prob"])
        .Output("prob");

    /// <summary>
    /// One attention-like block on x[1, 16, 32]: LayerNorm → MatMul → Reshape/Permute into 4 heads → q·kᵀ → scale →
    /// Softmax → ·v → Permute/Reshape back → residual ADD → StridedSlice (const starts/ends: a value-dependent
    /// shape op) → UnaryOp.
    /// </summary>
    private static NetBuilder Attention() => new NetBuilder()
        .Input("x", [1, 16, 32])
        .Op(OpType.LayerNorm, OpParameterUnion.FromLayerNorm(new LayerNormT { Axis = [-1], Epsilon = 1e-5f, Gamma = [.. Values(32, 7)], Beta = [.. Values(32, 8)], Group = 1 }), ["x"], ["ln"])
        .Const("wq", Values(32 * 32, 9), 32, 32)
        .Op(OpType.MatMul, OpParameterUnion.FromMatMul(new MatMulT()), ["ln", "wq"], ["q"])
        .Op(OpType.Reshape, OpParameterUnion.FromReshape(new ReshapeT { Dims = [1, 16, 4, 8] }), ["q"], ["q4"])
        .Op(OpType.Permute, OpParameterUnion.FromPermute(new PermuteT { Dims = [0, 2, 1, 3] }), ["q4"], ["heads"])
        .Op(OpType.MatMul, OpParameterUnion.FromMatMul(new MatMulT { TransposeB = true }), ["heads", "heads"], ["scores"])
        .Const("scale", [0.125f], 1)
        .Op(OpType.BinaryOp, OpParameterUnion.FromBinaryOp(new BinaryOpT { OpType = BinaryOpOperation.MUL, T = DataType.DT_FLOAT }), ["scores", "scale"], ["scaled"])
        .Op(OpType.Softmax, OpParameterUnion.FromAxis(new AxisT { Axis_ = -1 }), ["scaled"], ["attn"])
        .Op(OpType.MatMul, OpParameterUnion.FromMatMul(new MatMulT()), ["attn", "heads"], ["ctx"])
        .Op(OpType.Permute, OpParameterUnion.FromPermute(new PermuteT { Dims = [0, 2, 1, 3] }), ["ctx"], ["ctx_t"])
        .Op(OpType.Reshape, OpParameterUnion.FromReshape(new ReshapeT { Dims = [1, 16, 32] }), ["ctx_t"], ["merged"])
        .Op(OpType.BinaryOp, OpParameterUnion.FromBinaryOp(new BinaryOpT { OpType = BinaryOpOperation.ADD, T = DataType.DT_FLOAT }), ["merged", "x"], ["res"])
        .ConstInts("starts", [0], 1)
        .ConstInts("ends", [8], 1)
        .ConstInts("axes", [1], 1)
        .Op(OpType.StridedSlice, OpParameterUnion.FromStridedSliceParam(new StridedSliceParamT { FromType = 1 }), ["res", "starts", "ends", "axes"], ["half"])
        .Op(OpType.UnaryOp, OpParameterUnion.FromUnaryOp(new UnaryOpT { OpType = UnaryOpOperation.EXP, T = DataType.DT_FLOAT }), ["half"], ["y"])
        .Output("y");

    /// <summary>Deterministic values in about [-1, 1].</summary>
    private static float[] Values(int n, int seed) => Enumerable.Range(0, n).Select(i => MathF.Sin((i * 0.37f) + seed)).ToArray();

    private static int[] Bits(Tensor t) => t.Floats.ToArray().Select(BitConverter.SingleToInt32Bits).ToArray();
}
