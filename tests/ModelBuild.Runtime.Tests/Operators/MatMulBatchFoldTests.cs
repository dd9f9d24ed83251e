using ModelBuild.Runtime.Format.Schema;
using static ModelBuild.Runtime.Tests.Operators.OpHarness;

namespace ModelBuild.Runtime.Tests.Operators;

/// <summary>
/// A batched A against one shared B runs as a single GEMM of batch·M rows: the result must be bit-identical to
/// multiplying each batch on its own (every output is the same dot product in the same order).
/// </summary>
[TestClass]
public sealed class MatMulBatchFoldTests
{
    [TestMethod]
    [DataRow(new[] { 16, 1, 64 }, new[] { 64, 48 })]
    [DataRow(new[] { 2, 3, 7, 9 }, new[] { 9, 5 })]
    [DataRow(new[] { 5, 1, 9 }, new[] { 1, 9, 5 })]
    public void BatchedAWithSharedB_EqualsOneMatMulPerBatch(int[] shapeA, int[] shapeB)
    {
        var a = RandomTensor(11, shapeA);
        var b = RandomTensor(12, shapeB);
        var bias = RandomTensor(13, shapeB[^1]);
        var op = Op(OpType.MatMul, new MatMulT { Bias = [.. bias.Floats.ToArray()] });
        var batched = Run(op, a, b);

        int m = shapeA[^2], k = shapeA[^1], n = shapeB[^1];
        int batches = a.Length / (m * k);
        var b2 = Tensor.FromFloats(b.Floats.ToArray(), k, n);
        CollectionAssert.AreEqual(shapeA[..^1].Append(n).ToArray(), batched.Shape.ToArray());
        for (int i = 0; i < batches; i++)
        {
            var ai = Tensor.FromFloats(a.Floats.Slice(i * m * k, m * k).ToArray(), m, k);
            var one = Run(op, ai, b2);
            CollectionAssert.AreEqual(
                one.Floats.ToArray().Select(BitConverter.SingleToInt32Bits).ToArray(),
                batched.Floats.Slice(i * m * n, m * n).ToArray().Select(BitConverter.SingleToInt32Bits).ToArray(),
                $"batch {i}");
        }
    }
}
