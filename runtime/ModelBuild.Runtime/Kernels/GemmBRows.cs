using System.Runtime.CompilerServices;

namespace ModelBuild.Runtime.Kernels;

/// <summary>
/// Where a GEMM micro-kernel finds row k of its B panel. A struct type argument, so each kernel is compiled once
/// per row source with the call inlined: one FMA sequence serves both the plain and the implicit-GEMM paths.
/// </summary>
internal unsafe interface IBRows
{
    float* Row(int k);
}

/// <summary>Rows at a fixed stride (packed panels, or B read in place).</summary>
internal readonly unsafe struct StridedBRows : IBRows
{
    private readonly float* _b;
    private readonly nint _stride;

    public StridedBRows(float* b, nint stride)
    {
        _b = b;
        _stride = stride;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float* Row(int k) => _b + (k * _stride);
}

/// <summary>Row k at b + offsets[k]: the padded input of an implicit-GEMM convolution, read in place.</summary>
internal readonly unsafe struct IndirectBRows : IBRows
{
    private readonly float* _b;
    private readonly int* _offsets;

    public IndirectBRows(float* b, int* offsets)
    {
        _b = b;
        _offsets = offsets;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float* Row(int k) => _b + _offsets[k];
}
