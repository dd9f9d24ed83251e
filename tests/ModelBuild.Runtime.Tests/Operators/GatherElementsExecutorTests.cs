using ModelBuild.Runtime.Format.Schema;
using static ModelBuild.Runtime.Tests.Operators.OpHarness;

namespace ModelBuild.Runtime.Tests.Operators;

/// <summary>GatherElements (upstream layout: data, indices, axis): either axis, negative indices, ints, errors.</summary>
[TestClass]
public sealed class GatherElementsExecutorTests
{
    private static readonly Tensor Data = Tensor.FromFloats([1f, 2f, 3f, 4f, 5f, 6f], 2, 3);

    [TestMethod]
    [DataRow(0, new[] { 1, 0, -1, 0 }, new[] { 2, 2 }, new[] { 4f, 2f, 4f, 2f })]
    [DataRow(1, new[] { 2, 0, -1, 1 }, new[] { 2, 2 }, new[] { 3f, 1f, 6f, 5f })]
    [DataRow(-1, new[] { 0, 0, 0 }, new[] { 1, 3 }, new[] { 1f, 1f, 1f })]
    public void GathersAlongTheAxis(int axis, int[] indices, int[] shape, float[] expected)
    {
        var y = Run(Op(OpType.GatherElements, null), Data, Tensor.FromInts(indices, shape), Tensor.FromInts([axis]));
        CollectionAssert.AreEqual(shape, y.Shape.ToArray());
        CollectionAssert.AreEqual(expected, y.Floats.ToArray());
    }

    [TestMethod]
    public void IntegerDataAndDefaultAxis() =>
        AssertInts(Run(Op(OpType.GatherElements, null), Tensor.FromInts([7, 8, 9, 10], 2, 2), Tensor.FromInts([1, 1], 1, 2)), [1, 2], [9, 10]);

    [TestMethod]
    [DataRow(3)]
    [DataRow(-4)]
    public void IndexOutsideTheAxisIsACodedError(int index)
    {
        var e = Assert.ThrowsExactly<ModelBuildException>(() => Run(Op(OpType.GatherElements, null), Data, Tensor.FromInts([index], 1, 1), Tensor.FromInts([1])));
        StringAssert.Contains(e.Message, "outside axis 1");
    }
}
