namespace ModelBuild.Runtime.Engine.Planning;

/// <summary>
/// One shared buffer: the float and int arrays handed to every tensor assigned to the slot. Tensors in a slot
/// never live at the same time, so any of them may hold the slot's arrays.
/// </summary>
internal sealed class BufferSlot
{
    private float[] _floats = [];
    private int[] _ints = [];

    /// <summary>
    /// Makes <paramref name="tensor"/> (already shaped by its op) use the slot's arrays. When the tensor had to
    /// allocate a larger array than the slot's, the slot adopts it, so the buffer grows to the largest shape seen.
    /// </summary>
    public void Bind(Tensor tensor)
    {
        if (tensor.ElementType == TensorElementType.Float32)
        {
            var own = tensor.FloatBuffer;
            if (own.Length > _floats.Length)
            {
                _floats = own;
            }
        }
        else
        {
            var own = tensor.IntBuffer;
            if (own.Length > _ints.Length)
            {
                _ints = own;
            }
        }

        tensor.AttachBuffers(_floats, _ints);
    }

    /// <summary>Bytes currently held (for diagnostics and tests).</summary>
    public long Bytes => (_floats.LongLength + _ints.LongLength) * 4;
}
