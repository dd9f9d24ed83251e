using ModelBuild.Runtime.Format.Schema;
using static ModelBuild.Runtime.Tests.Operators.OpHarness;

namespace ModelBuild.Runtime.Tests.Operators;

/// <summary>
/// TopKV2, CumSum, ScatterNd, ScatterElements, OneHot and GridSample executors on what converted ONNX models do not reach
/// (files written by upstream MNN may): NaN ordering, missing optional inputs, parameter forms and errors.
/// </summary>
[TestClass]
public sealed class IndexingExecutorTests
{
    [TestMethod]
    public void TopKOrdersNaNFirstWhenLargestAndDefaultsToTheLastAxis()
    {
        var x = Tensor.FromFloats([1f, float.NaN, 3f, 3f, -2f, 0f], 2, 3);
        var outs = RunMany(Op(OpType.TopKV2, new TopKV2T { Largest = true }), 2, x, Tensor.FromInts([2]));
        CollectionAssert.AreEqual(new[] { 2, 2 }, outs[0].Shape.ToArray());
        Assert.IsTrue(float.IsNaN(outs[0].Floats[0]));
        Assert.AreEqual(3f, outs[0].Floats[1]);
        CollectionAssert.AreEqual(new[] { 1, 2, 0, 2 }, outs[1].Ints.ToArray());
        CollectionAssert.AreEqual(new[] { 3f, 0f }, outs[0].Floats.ToArray()[2..]);
    }

    [TestMethod]
    public void TopKSmallestOfIntegersAndKZero()
    {
        var x = Tensor.FromInts([5, -1, 7, -1], 4);
        var outs = RunMany(Op(OpType.TopKV2, new TopKV2T { Largest = false }), 2, x, Tensor.FromInts([3]), Tensor.FromInts([0]));
        CollectionAssert.AreEqual(new[] { -1, -1, 5 }, outs[0].Ints.ToArray());
        CollectionAssert.AreEqual(new[] { 1, 3, 0 }, outs[1].Ints.ToArray());
        var empty = RunMany(Op(OpType.TopKV2, new TopKV2T()), 2, x, Tensor.FromInts([0]));
        Assert.AreEqual(0, empty[0].Length);
        Assert.ThrowsExactly<ModelBuildException>(() => Run(Op(OpType.TopKV2, new TopKV2T()), x, Tensor.FromInts([5])));
    }

    [TestMethod]
    public void CumSumWithoutAxisInputRunsAlongAxis0()
    {
        var y = Run(Op(OpType.CumSum, new CumSumT { Exclusive = true, Reverse = true }), Tensor.FromInts([1, 2, 3, 4, 5, 6], 3, 2));
        CollectionAssert.AreEqual(new[] { 8, 10, 5, 6, 0, 0 }, y.Ints.ToArray());
    }

    [TestMethod]
    public void ScatterNdWithoutDataStartsFromZerosAndRejectsOutOfRangeIndices()
    {
        var indices = Tensor.FromInts([2, 0], 2, 1);
        var updates = Tensor.FromFloats([1f, 2f, 3f, 4f], 2, 2);
        var y = Run(Op(OpType.ScatterNd, null), indices, updates, Tensor.FromInts([3, 2], 2));
        CollectionAssert.AreEqual(new[] { 3f, 4f, 0f, 0f, 1f, 2f }, y.Floats.ToArray());

        // opType −1 in a BinaryOp parameter is upstream's "no reduction".
        var data = Tensor.FromFloats([9f, 9f, 9f, 9f, 9f, 9f], 3, 2);
        var replaced = Run(Op(OpType.ScatterNd, new BinaryOpT { OpType = (BinaryOpOperation)(-1) }), indices, updates, Tensor.FromInts([3, 2], 2), data);
        CollectionAssert.AreEqual(new[] { 3f, 4f, 9f, 9f, 1f, 2f }, replaced.Floats.ToArray());
        var added = Run(Op(OpType.ScatterNd, new BinaryOpT { OpType = BinaryOpOperation.ADD }), indices, updates, Tensor.FromInts([3, 2], 2), data);
        CollectionAssert.AreEqual(new[] { 12f, 13f, 9f, 9f, 10f, 11f }, added.Floats.ToArray());

        var e = Assert.ThrowsExactly<ModelBuildException>(() => Run(Op(OpType.ScatterNd, null), Tensor.FromInts([3, 0], 2, 1), updates, Tensor.FromInts([3, 2], 2)));
        StringAssert.Contains(e.Message, "out of range");
        Assert.ThrowsExactly<ModelBuildException>(() => Run(Op(OpType.ScatterNd, new BinaryOpT { OpType = BinaryOpOperation.POW }), indices, updates, Tensor.FromInts([3, 2], 2)));
    }

    [TestMethod]
    public void ScatterElementsOfIntegersWithDefaultAxisAndNegativeIndices()
    {
        var data = Tensor.FromInts([1, 2, 3, 4, 5, 6], 2, 3);
        var y = Run(Op(OpType.ScatterElements, new BinaryOpT { OpType = BinaryOpOperation.MUL }), data, Tensor.FromInts([-1, 0, 1], 1, 3), Tensor.FromInts([10, 20, 30], 1, 3));
        CollectionAssert.AreEqual(new[] { 1, 40, 3, 40, 5, 180 }, y.Ints.ToArray());
        Assert.ThrowsExactly<ModelBuildException>(() => Run(Op(OpType.ScatterElements, null), data, Tensor.FromInts([2, 0, 0], 1, 3), Tensor.FromInts([1, 1, 1], 1, 3)));
    }

    [TestMethod]
    public void GridSampleRejectsTheBackwardForm()
    {
        Assert.ThrowsExactly<ModelBuildException>(() => Run(Op(OpType.GridSample, new GridSampleT { Backward = true }),
            Tensor.FromFloats(new float[4], 1, 1, 2, 2), Tensor.FromFloats(new float[2], 1, 1, 1, 2)));
    }

    [TestMethod]
    public void GridSampleBilinearAtPixelCentres()
    {
        // align_corners: grid (-1, -1) is pixel (0, 0), (1, 1) is (1, 1), (0, 0) is the mean of the four.
        var x = Tensor.FromFloats([1f, 2f, 3f, 4f], 1, 1, 2, 2);
        var grid = Tensor.FromFloats([-1f, -1f, 1f, 1f, 0f, 0f], 1, 1, 3, 2);
        var y = Run(Op(OpType.GridSample, new GridSampleT { Mode = SampleMode.BILINEAR, PaddingMode = BorderMode.ZEROS, AlignCorners = true }), x, grid);
        CollectionAssert.AreEqual(new[] { 1, 1, 1, 3 }, y.Shape.ToArray());
        CollectionAssert.AreEqual(new[] { 1f, 4f, 2.5f }, y.Floats.ToArray());
    }

    [TestMethod]
    public void OneHotMatchesIndicesLiterallyAsUpstream()
    {
        // Negative and too-large indices select nothing (upstream's kernel; ONNX negatives are wrapped by the converter).
        var y = Run(Op(OpType.OneHot, new OneHotParamT { Axis = -1 }), Tensor.FromInts([1, -1, 3], 3), Tensor.FromInts([3]), Tensor.FromFloats([5f]), Tensor.FromFloats([0f]));
        CollectionAssert.AreEqual(new[] { 3, 3 }, y.Shape.ToArray());
        CollectionAssert.AreEqual(new[] { 0f, 5f, 0f, 0f, 0f, 0f, 0f, 0f, 0f }, y.Floats.ToArray());
    }
}
