using System.Runtime.InteropServices;

namespace ModelBuild.Runtime;

/// <summary>
/// A dense row-major tensor (logical NCHW for images). Who owns the elements depends on how it was made:
/// <list type="bullet">
/// <item><see cref="Tensor(TensorElementType, ReadOnlySpan{int})"/>, <see cref="CopyOf(ReadOnlySpan{float}, ReadOnlySpan{int})"/>
/// and <see cref="Clone"/>: the tensor owns its arrays.</item>
/// <item><see cref="FromFloats"/> / <see cref="FromInts"/> (an array) and <see cref="FromMemory(Memory{float}, ReadOnlySpan{int})"/>
/// (any <see cref="Memory{T}"/>: a slice of an array, pooled or native memory): no copy, the tensor reads and writes
/// the caller's elements, and the caller keeps ownership (it must keep the memory valid while the tensor is used).</item>
/// <item>Tensors returned by <see cref="MnnSession.Run(IReadOnlyDictionary{string, Tensor})"/>: fresh, owned by the caller.</item>
/// </list>
/// Inside the engine the same type is used for intermediate values whose buffers the session reuses.
/// </summary>
public sealed class Tensor
{
    private int[] _shape;
    private float[] _floats = [];
    private int[] _ints = [];

    /// <summary>
    /// The caller's memory of a tensor made by <see cref="FromMemory(Memory{float}, ReadOnlySpan{int})"/> (one of the
    /// two, by <see cref="ElementType"/>); used while <see cref="_external"/> is set, i.e. until a reshape needs more
    /// elements than it holds or the other element type.
    /// </summary>
    private Memory<float> _externalFloats;
    private Memory<int> _externalInts;
    private bool _external;

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
        ? _external ? _externalFloats.Span[..Length] : _floats.AsSpan(0, Length)
        : throw new ModelBuildException(ErrorCodes.RuntimeTypeMismatch, $"tensor is {ElementType}, not Float32");

    /// <summary>The elements of an int32 tensor.</summary>
    public Span<int> Ints => ElementType == TensorElementType.Int32
        ? _external ? _externalInts.Span[..Length] : _ints.AsSpan(0, Length)
        : throw new ModelBuildException(ErrorCodes.RuntimeTypeMismatch, $"tensor is {ElementType}, not Int32");

    /// <summary>
    /// Wraps (does not copy) caller memory holding exactly the shape's elements: a slice of a larger array, pooled
    /// (<see cref="System.Buffers.MemoryPool{T}"/>) or native memory (a <see cref="System.Buffers.MemoryManager{T}"/>).
    /// The caller keeps ownership and must keep the memory valid while the tensor is in use; the tensor never
    /// writes outside it. As an input the session reads it during a run and keeps no reference afterwards; as an
    /// output of <see cref="MnnSession.Run(IReadOnlyDictionary{string, Tensor}, IReadOnlyList{Tensor})"/> the
    /// values are written into it, unless the output needs more elements (or the int32 type), in which case the
    /// tensor moves to an array of its own and stops sharing the memory. MB4004 when the lengths differ.
    /// </summary>
    public static Tensor FromMemory(Memory<float> data, ReadOnlySpan<int> shape)
    {
        var t = new Tensor(TensorElementType.Float32, shape.ToArray(), null, null);
        Fill(data.Length, t);
        t._externalFloats = data;
        t._external = true;
        return t;
    }

    /// <summary>As <see cref="FromMemory(Memory{float}, ReadOnlySpan{int})"/> for an int32 tensor.</summary>
    public static Tensor FromMemory(Memory<int> data, ReadOnlySpan<int> shape)
    {
        var t = new Tensor(TensorElementType.Int32, shape.ToArray(), null, null);
        Fill(data.Length, t);
        t._externalInts = data;
        t._external = true;
        return t;
    }

    /// <summary>
    /// A tensor owning a copy of <paramref name="data"/> (a span cannot be kept, so this copies once; use
    /// <see cref="FromMemory(Memory{float}, ReadOnlySpan{int})"/> to share memory instead). MB4004 when the lengths differ.
    /// </summary>
    public static Tensor CopyOf(ReadOnlySpan<float> data, ReadOnlySpan<int> shape)
    {
        var t = new Tensor(TensorElementType.Float32, shape.ToArray(), null, null);
        Fill(data.Length, t);
        t._floats = data.ToArray();
        return t;
    }

    /// <summary>As <see cref="CopyOf(ReadOnlySpan{float}, ReadOnlySpan{int})"/> for an int32 tensor.</summary>
    public static Tensor CopyOf(ReadOnlySpan<int> data, ReadOnlySpan<int> shape)
    {
        var t = new Tensor(TensorElementType.Int32, shape.ToArray(), null, null);
        Fill(data.Length, t);
        t._ints = data.ToArray();
        return t;
    }

    /// <summary>
    /// Wraps (does not copy) a float array holding exactly the shape's elements; the tensor then shares it with the
    /// caller, who keeps ownership. MB4004 when the lengths differ.
    /// </summary>
    public static Tensor FromFloats(float[] data, params int[] shape)
    {
        var t = new Tensor(TensorElementType.Float32, (int[])shape.Clone(), data, null);
        Fill(data.Length, t);
        return t;
    }

    /// <summary>As <see cref="FromFloats"/> for an int32 array.</summary>
    public static Tensor FromInts(int[] data, params int[] shape)
    {
        var t = new Tensor(TensorElementType.Int32, (int[])shape.Clone(), null, data);
        Fill(data.Length, t);
        return t;
    }

    private static void Fill(int values, Tensor t)
    {
        if (values != t.Length)
        {
            throw new ModelBuildException(ErrorCodes.RuntimeInvalidShape, $"{values} values do not fill shape [{string.Join(",", t._shape)}] ({t.Length} elements)");
        }
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

    /// <summary>
    /// Engine use: the raw backing arrays (may be longer than <see cref="Length"/>). Engine tensors are always
    /// array-backed; a tensor wrapping caller memory is moved to an array of its own first.
    /// </summary>
    internal float[] FloatBuffer
    {
        get
        {
            OwnArrays();
            return _floats;
        }
    }

    internal int[] IntBuffer
    {
        get
        {
            OwnArrays();
            return _ints;
        }
    }

    /// <summary>Engine use: share another tensor's buffer (for memory planning / in-place views).</summary>
    internal void ShareBufferOf(Tensor other)
    {
        other.OwnArrays();
        _external = false;
        _floats = other._floats;
        _ints = other._ints;
    }

    /// <summary>Engine use: adopt arrays of a shared buffer slot (each at least <see cref="Length"/> long for its type).</summary>
    internal void AttachBuffers(float[] floats, int[] ints)
    {
        _external = false;
        _floats = floats;
        _ints = ints;
    }

    /// <summary>Stops using caller memory: copies the elements into arrays of the tensor's own.</summary>
    private void OwnArrays()
    {
        if (!_external)
        {
            return;
        }

        if (ElementType == TensorElementType.Float32 && _externalFloats.Length >= Length)
        {
            _floats = _externalFloats.Span[..Length].ToArray();
        }
        else if (ElementType == TensorElementType.Int32 && _externalInts.Length >= Length)
        {
            _ints = _externalInts.Span[..Length].ToArray();
        }

        _external = false;
        _externalFloats = default;
        _externalInts = default;
        EnsureCapacity(Length);
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
        if (_external)
        {
            // caller memory: keep using it while it holds the elements, never write past it
            var room = ElementType == TensorElementType.Float32 ? _externalFloats.Length : _externalInts.Length;
            if (room >= length && (ElementType == TensorElementType.Float32 ? _externalInts.IsEmpty : _externalFloats.IsEmpty))
            {
                return;
            }

            _external = false;
            _externalFloats = default;
            _externalInts = default;
        }

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
