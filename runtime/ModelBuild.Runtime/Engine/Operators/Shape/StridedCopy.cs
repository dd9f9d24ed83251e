namespace ModelBuild.Runtime.Engine.Operators.Shape;

/// <summary>
/// The one data-movement primitive the shape ops share: copy an N-d box from a strided source view to a strided
/// destination view. Dimensions are first merged where both views are contiguous, so most slices, concats and
/// splits become a few large block copies; the innermost run is a span copy when both strides are 1.
/// </summary>
internal static class StridedCopy
{
    /// <summary>Ranks up to this use stack scratch; higher ranks (rare) allocate.</summary>
    public const int MaxStackRank = 8;

    /// <summary>Row-major strides of <paramref name="shape"/>.</summary>
    public static int[] Strides(ReadOnlySpan<int> shape)
    {
        var s = new int[shape.Length];
        Strides(shape, s);
        return s;
    }

    /// <summary>Row-major strides of <paramref name="shape"/> into <paramref name="s"/> (same length; no allocation).</summary>
    public static void Strides(ReadOnlySpan<int> shape, Span<int> s)
    {
        int acc = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            s[i] = acc;
            acc *= shape[i];
        }
    }

    /// <summary>Copies between two tensors of the same element type (strides and offsets in elements).</summary>
    public static void Copy(Tensor src, int srcOffset, ReadOnlySpan<int> srcStrides, Tensor dst, int dstOffset, ReadOnlySpan<int> dstStrides, ReadOnlySpan<int> size)
    {
        if (src.ElementType == TensorElementType.Float32)
        {
            Copy<float>(src.Floats, srcOffset, srcStrides, dst.Floats, dstOffset, dstStrides, size);
        }
        else
        {
            Copy<int>(src.Ints, srcOffset, srcStrides, dst.Ints, dstOffset, dstStrides, size);
        }
    }

    public static void Copy<T>(ReadOnlySpan<T> src, int srcOffset, ReadOnlySpan<int> srcStrides, Span<T> dst, int dstOffset, ReadOnlySpan<int> dstStrides, ReadOnlySpan<int> size)
    {
        // Simplify: drop unit dimensions, merge dimensions contiguous in both views. Scratch on the stack for the
        // usual ranks: this runs in every Slice/Concat/Permute of every run.
        int n = 0;
        int r = size.Length;
        Span<int> sz = r <= MaxStackRank ? stackalloc int[MaxStackRank] : new int[r];
        Span<int> ss = r <= MaxStackRank ? stackalloc int[MaxStackRank] : new int[r];
        Span<int> ds = r <= MaxStackRank ? stackalloc int[MaxStackRank] : new int[r];
        for (int i = 0; i < size.Length; i++)
        {
            if (size[i] == 0)
            {
                return;
            }

            if (size[i] == 1)
            {
                continue;
            }

            if (n > 0 && ss[n - 1] == srcStrides[i] * size[i] && ds[n - 1] == dstStrides[i] * size[i])
            {
                sz[n - 1] *= size[i];
                ss[n - 1] = srcStrides[i];
                ds[n - 1] = dstStrides[i];
                continue;
            }

            sz[n] = size[i];
            ss[n] = srcStrides[i];
            ds[n] = dstStrides[i];
            n++;
        }

        if (n == 0)
        {
            dst[dstOffset] = src[srcOffset];
            return;
        }

        bool innerBlock = ss[n - 1] == 1 && ds[n - 1] == 1;
        int inner = sz[n - 1];
        int outerDims = n - 1;
        Span<int> idx = outerDims <= MaxStackRank ? stackalloc int[MaxStackRank] : new int[outerDims];
        idx.Clear();
        int so = srcOffset, doff = dstOffset;
        while (true)
        {
            if (innerBlock)
            {
                src.Slice(so, inner).CopyTo(dst.Slice(doff, inner));
            }
            else
            {
                int sStride = ss[n - 1], dStride = ds[n - 1];
                for (int k = 0, a = so, b = doff; k < inner; k++, a += sStride, b += dStride)
                {
                    dst[b] = src[a];
                }
            }

            // Advance the outer counter (odometer over dimensions 0..n-2).
            int d = outerDims - 1;
            while (d >= 0)
            {
                idx[d]++;
                so += ss[d];
                doff += ds[d];
                if (idx[d] < sz[d])
                {
                    break;
                }

                so -= ss[d] * sz[d];
                doff -= ds[d] * sz[d];
                idx[d] = 0;
                d--;
            }

            if (d < 0)
            {
                return;
            }
        }
    }

    /// <summary>Copies all of <paramref name="src"/> into <paramref name="dst"/> (same element count and type).</summary>
    public static void CopyAll(Tensor src, Tensor dst)
    {
        if (src.ElementType == TensorElementType.Float32)
        {
            src.Floats.CopyTo(dst.Floats);
        }
        else
        {
            src.Ints.CopyTo(dst.Ints);
        }
    }
}
