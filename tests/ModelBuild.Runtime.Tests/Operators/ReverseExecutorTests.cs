using ModelBuild.Runtime.Format.Schema;
using static ModelBuild.Runtime.Tests.Operators.OpHarness;

namespace ModelBuild.Runtime.Tests.Operators;

/// <summary>MNN Reverse (upstream's bidirectional LSTM/GRU While form uses it): one axis reversed, exact copies.</summary>
[TestClass]
public sealed class ReverseExecutorTests
{
    [TestMethod]
    [DataRow(0, new[] { 3f, 4f, 5f, 0f, 1f, 2f })]
    [DataRow(1, new[] { 2f, 1f, 0f, 5f, 4f, 3f })]
    [DataRow(-1, new[] { 2f, 1f, 0f, 5f, 4f, 3f })]
    public void ReversesOneAxis(int axis, float[] expected)
    {
        var y = Run(Op(OpType.Reverse, null), Tensor.FromFloats([0f, 1f, 2f, 3f, 4f, 5f], 2, 3), Tensor.FromInts([axis]));
        CollectionAssert.AreEqual(new[] { 2, 3 }, y.Shape.ToArray());
        CollectionAssert.AreEqual(expected, y.Floats.ToArray());
    }

    [TestMethod]
    public void IntegerTensorsAndEmptyAxes()
    {
        AssertInts(Run(Op(OpType.Reverse, null), Tensor.FromInts([1, 2, 3], 3), Tensor.FromInts([0], 1)), [3], [3, 2, 1]);
        var empty = Run(Op(OpType.Reverse, null), Tensor.FromFloats([], 0, 2), Tensor.FromInts([0]));
        CollectionAssert.AreEqual(new[] { 0, 2 }, empty.Shape.ToArray());
    }

    [TestMethod]
    [DataRow(2)]
    [DataRow(-3)]
    public void AxisOutsideTheRankIsACodedError(int axis)
    {
        var e = Assert.ThrowsExactly<ModelBuildException>(() => Run(Op(OpType.Reverse, null), Tensor.FromFloats([1f, 2f], 1, 2), Tensor.FromInts([axis])));
        StringAssert.Contains(e.Message, "axis");
    }
}
