namespace ModelBuild.Runtime.Engine.Operators.Shape;

/// <summary>A box inside a tensor: a start and step per input dimension and the number of elements taken.</summary>
internal readonly record struct SliceBox(int[] Begin, int[] Step, int[] Size)
{
    /// <summary>Copies the box of <paramref name="src"/> into the dense <paramref name="dst"/> (already shaped).</summary>
    public void CopyTo(Tensor src, Tensor dst)
    {
        int rank = src.ShapeArray.Length;
        Span<int> strides = rank <= StridedCopy.MaxStackRank ? stackalloc int[StridedCopy.MaxStackRank] : new int[rank];
        strides = strides[..rank];
        StridedCopy.Strides(src.ShapeArray, strides);
        int offset = 0;
        Span<int> srcStrides = rank <= StridedCopy.MaxStackRank ? stackalloc int[StridedCopy.MaxStackRank] : new int[rank];
        srcStrides = srcStrides[..rank];
        for (int i = 0; i < strides.Length; i++)
        {
            offset += Begin[i] * strides[i];
            srcStrides[i] = strides[i] * Step[i];
        }

        Span<int> dstStrides = Size.Length <= StridedCopy.MaxStackRank ? stackalloc int[StridedCopy.MaxStackRank] : new int[Size.Length];
        dstStrides = dstStrides[..Size.Length];
        StridedCopy.Strides(Size, dstStrides);
        StridedCopy.Copy(src, offset, srcStrides, dst, 0, dstStrides, Size);
    }

    /// <summary>Start and length of a Python/ONNX-style slice of one dimension (clamped, never an error).</summary>
    public static (int Begin, int Size) Clamp(int dim, int begin, int end, int step, bool beginToEdge, bool endToEdge)
    {
        long b = begin, e = end;
        if (step > 0)
        {
            b = beginToEdge ? 0 : b < 0 ? Math.Max(0, b + dim) : Math.Min(b, dim);
            e = endToEdge ? dim : e < 0 ? Math.Max(0, e + dim) : Math.Min(e, dim);
            return ((int)b, e > b ? (int)((e - b + step - 1) / step) : 0);
        }

        b = beginToEdge ? dim - 1 : b < 0 ? Math.Max(-1, b + dim) : Math.Min(b, dim - 1);
        e = endToEdge ? -1 : e < 0 ? Math.Max(-1, e + dim) : Math.Min(e, dim - 1);
        long s = -(long)step;
        return ((int)b, b > e ? (int)((b - e + s - 1) / s) : 0);
    }
}
