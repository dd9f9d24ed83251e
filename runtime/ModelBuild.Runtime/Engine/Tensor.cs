using System.Runtime.InteropServices;

namespace ModelBuild.Runtime;

/// <summary>
/// A dense row-major tensor (logical NCHW for images). Tensors created by callers own their arrays;
/// tensors returned by <see cref="InferenceSession.Run"/> are fresh copies owned by the caller.
/// Inside the engine the same type is used for intermediate values whose buffers the session reuses.
/// </summary>
public sealed class Tensor
{
    private int[] _shape;
    private float[] _floats = [];
    private int[] _ints = [];

    public Tensor(TensorElementType elementType, ReadOnlySpan<int> shape)
    {
        ElementType = elementType;
        _shape = shape.ToArray();
        Length = ComputeLength(_shape);
        EnsureCapacity(Length);
    }

    private Tensor(TensorElementType elementType, int[] shape, float[]? floats, int[]? ints)
    {
        ElementType = elementType;
        _shape = shape;
        Length = ComputeLength(shape);
        if (floats is not null)
        {
            _floats = floats;
        }

        if (ints is not null)
        {
            _ints = ints;
        }
    }

    public TensorElementType ElementType { get; private set; }

    /// <summary>The dimensions. Do not mutate the returned array.</summary>
    public IReadOnlyList<int> Shape => _shape;

    internal int[] ShapeArray => _shape;

    public int Rank => _shape.Length;

    /// <summary>Number of elements (product of the shape; 1 for a scalar).</summary>
    public int Length { get; private set; }

    /// <summary>The elements of a float tensor.</summary>
    public Span<float> Floats => ElementType == TensorElementType.Float32
        ? _floats.AsSpan(0, Length)
        : throw new ModelBuildException(ErrorCodes.RuntimeTypeMismatch, $"tensor is {ElementType}, not Float32");

    /// <summary>The elements of an int32 tensor.</summary>
    public Span<int> Ints => ElementType == TensorElementType.Int32
        ? _ints.AsSpan(0, Length)
        : throw new ModelBuildException(ErrorCodes.RuntimeTypeMismatch, $"tensor is {ElementType}, not Int32");

    /// <summary>Wraps (does not copy) a float array; the tensor then shares it with the caller.</summary>
    public static Tensor FromFloats(float[] data, params int[] shape)
    {
        var t = new Tensor(TensorElementType.Float32, (int[])shape.Clone(), data, null);
        if (data.Length != t.Length)
        {
            throw new ModelBuildException(ErrorCodes.RuntimeInvalidShape, $"{data.Length} values do not fill shape [{string.Join(",", shape)}] ({t.Length} elements)");
        }

        return t;
    }

    /// <summary>Wraps (does not copy) an int array; the tensor then shares it with the caller.</summary>
    public static Tensor FromInts(int[] data, params int[] shape)
    {
        var t = new Tensor(TensorElementType.Int32, (int[])shape.Clone(), null, data);
        if (data.Length != t.Length)
        {
            throw new ModelBuildException(ErrorCodes.RuntimeInvalidShape, $"{data.Length} values do not fill shape [{string.Join(",", shape)}] ({t.Length} elements)");
        }

        return t;
    }

    /// <summary>A deep copy with exactly-sized arrays, owned by the caller.</summary>
    public Tensor Clone() => ElementType == TensorElementType.Float32
        ? new Tensor(ElementType, (int[])_shape.Clone(), Floats.ToArray(), null)
        : new Tensor(ElementType, (int[])_shape.Clone(), null, Ints.ToArray());

    /// <summary>
    /// Engine use: give the tensor a new shape and type, growing (never shrinking) its buffer.
    /// Contents are unspecified afterwards.
    /// </summary>
    internal void Reshape(ReadOnlySpan<int> shape, TensorElementType type)
    {
        if (!shape.SequenceEqual(_shape))
        {
            _shape = shape.ToArray();
        }

        ElementType = type;
        Length = ComputeLength(_shape);
        EnsureCapacity(Length);
    }

    /// <summary>Engine use: the raw backing arrays (may be longer than <see cref="Length"/>).</summary>
    internal float[] FloatBuffer => _floats;

    internal int[] IntBuffer => _ints;

    /// <summary>Engine use: share another tensor's buffer (for memory planning / in-place views).</summary>
    internal void ShareBufferOf(Tensor other)
    {
        _floats = other._floats;
        _ints = other._ints;
    }

    /// <summary>Engine use: adopt arrays of a shared buffer slot (each at least <see cref="Length"/> long for its type).</summary>
    internal void AttachBuffers(float[] floats, int[] ints)
    {
        _floats = floats;
        _ints = ints;
    }

    internal static int ComputeLength(ReadOnlySpan<int> shape)
    {
        long n = 1;
        foreach (var d in shape)
        {
            if (d < 0)
            {
                throw new ModelBuildException(ErrorCodes.RuntimeInvalidShape, $"negative dimension in shape [{string.Join(",", shape.ToArray())}]");
            }

            n *= d;
            if (n > Array.MaxLength)
            {
                throw new ModelBuildException(ErrorCodes.RuntimeInvalidShape, $"shape [{string.Join(",", shape.ToArray())}] has too many elements");
            }
        }

        return (int)n;
    }

    private void EnsureCapacity(int length)
    {
        if (ElementType == TensorElementType.Float32)
        {
            if (_floats.Length < length)
            {
                _floats = new float[length];
            }
        }
        else if (_ints.Length < length)
        {
            _ints = new int[length];
        }
    }

    public override string ToString() => $"{ElementType}[{string.Join(",", _shape)}]";
}
