using ModelBuild.Runtime.Format.Schema;
using static ModelBuild.Runtime.Tests.Engine.TestRun;

namespace ModelBuild.Runtime.Tests.Engine;

/// <summary>Tensors over caller memory (<see cref="Tensor.FromMemory(Memory{float}, ReadOnlySpan{int})"/>) and copies of spans.</summary>
[TestClass]
public sealed class MemoryTensorTests
{
    /// <summary>y = x + x.</summary>
    private static MnnSession Doubler(int[] shape) => new NetBuilder().Input("x", shape)
        .Op(OpType.Eltwise, OpParameterUnion.FromEltwise(new EltwiseT { Type = EltwiseType.SUM }), ["x", "x"], ["y"])
        .Output("y")
        .Session();

    [TestMethod]
    public void ASliceOfAnArrayIsReadAndWrittenInPlace()
    {
        var buffer = Enumerable.Range(0, 20).Select(i => (float)i).ToArray();
        using var s = Doubler([2, 3]);
        var x = Tensor.FromMemory(buffer.AsMemory(2, 6), [2, 3]);
        buffer[2] = 100;
        Assert.AreEqual(100f, x.Floats[0], "no copy: the tensor sees the caller's later writes");

        var y = Tensor.FromMemory(buffer.AsMemory(10, 6), [2, 3]);
        s.Run(Inputs(("x", x)), [y]);
        CollectionAssert.AreEqual(new float[] { 200, 6, 8, 10, 12, 14 }, buffer[10..16], "the output landed in the caller's memory");
        Assert.AreEqual(9f, buffer[9], "nothing written before the slice");
        Assert.AreEqual(16f, buffer[16], "nothing written after the slice");
        y.Floats[0] = -1;
        Assert.AreEqual(-1f, buffer[10], "the tensor still shares the memory");
    }

    [TestMethod]
    public void AnOutputNeedingMoreRoomMovesToItsOwnArray()
    {
        var buffer = new float[8];
        using var s = Doubler([-1, 3]);
        var y = Tensor.FromMemory(buffer.AsMemory(0, 3), [1, 3]);
        s.Run(Inputs(("x", Tensor.CopyOf([1f, 2, 3, 4, 5, 6], [2, 3]))), [y]);
        AssertFloats(y, 2, 4, 6, 8, 10, 12);
        CollectionAssert.AreEqual(new float[8], buffer, "the caller's memory is never written past its length");
        y.Floats[0] = 7;
        Assert.AreEqual(0f, buffer[0], "the tensor no longer shares it");
    }

    [TestMethod]
    public void CopyOfOwnsItsElements()
    {
        Span<float> stack = [1, 2, 3, 4];
        var t = Tensor.CopyOf(stack, [2, 2]);
        stack[0] = 9;
        AssertFloats(t, 1, 2, 3, 4);
        var ints = Tensor.CopyOf([5, 6], [2]);
        Assert.AreEqual(TensorElementType.Int32, ints.ElementType);
        AssertInts(ints, 5, 6);
    }

    [TestMethod]
    public void IntMemoryWorksAsAnInput()
    {
        var ids = new[] { 0, 3, 1, 4, 1, 5 };
        var b = new NetBuilder().Input("i", [6], DataType.DT_INT32).Op(OpType.Shape, null, ["i"], ["s"]);
        using var s = b.Session();
        AssertInts(s.Run(Inputs(("i", Tensor.FromMemory(ids.AsMemory(), [6]))))["s"], 6);
    }

    [TestMethod]
    public void LengthsMustMatchTheShape()
    {
        Throws(() => Tensor.FromMemory(new float[5].AsMemory(), [2, 3]), "MB4004");
        Throws(() => Tensor.FromMemory(new int[7].AsMemory(), [2, 3]), "MB4004");
        Throws(() => Tensor.CopyOf(new float[5], [2, 3]), "MB4004");
    }

    [TestMethod]
    public void NativeMemoryCanBeWrapped()
    {
        using var native = new NativeFloats(6);
        native.Memory.Span.Fill(1.5f);
        using var s = Doubler([6]);
        var y = s.Run(Inputs(("x", Tensor.FromMemory(native.Memory, [6]))))["y"];
        AssertFloats(y, 3, 3, 3, 3, 3, 3);
    }

    /// <summary>Unmanaged memory exposed as <see cref="Memory{T}"/>, as an app wrapping a native buffer would.</summary>
    private sealed unsafe class NativeFloats(int length) : System.Buffers.MemoryManager<float>
    {
        private readonly float* _data = (float*)System.Runtime.InteropServices.NativeMemory.AllocZeroed((nuint)length, sizeof(float));

        public override Span<float> GetSpan() => new(_data, length);

        public override System.Buffers.MemoryHandle Pin(int elementIndex = 0) => new(_data + elementIndex);

        public override void Unpin()
        {
        }

        protected override void Dispose(bool disposing) => System.Runtime.InteropServices.NativeMemory.Free(_data);
    }
}
