namespace ModelBuild.Runtime.Engine.Operators.Compute;

/// <summary>
/// Numpy-style broadcasting of two shapes, with adjacent axes merged where both inputs allow it, so that the
/// work becomes rows of <see cref="Inner"/> elements whose input steps are 0 (broadcast) or 1.
/// </summary>
internal sealed class BroadcastPlan
{
    private readonly int[] _outer;     // merged outer dims
    private readonly int[] _strideA;   // element strides of A per outer dim (0 when broadcast)
    private readonly int[] _strideB;

    private BroadcastPlan(int[] outShape, int[] outer, int[] strideA, int[] strideB, int inner, int stepA, int stepB)
    {
        OutShape = outShape;
        _outer = outer;
        _strideA = strideA;
        _strideB = strideB;
        Inner = inner;
        StepA = stepA;
        StepB = stepB;
        Rows = 1;
        foreach (var d in outer)
        {
            Rows *= d;
        }
    }

    public int[] OutShape { get; }

    public int Rows { get; }

    public int Inner { get; }

    public int StepA { get; }

    public int StepB { get; }

    /// <summary>Output shape of broadcasting a and b; null when incompatible.</summary>
    public static int[]? Shape(ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var o = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i - (rank - a.Length) >= 0 ? a[i - (rank - a.Length)] : 1;
            int db = i - (rank - b.Length) >= 0 ? b[i - (rank - b.Length)] : 1;
            if (da == db || db == 1)
            {
                o[i] = da;
            }
            else if (da == 1)
            {
                o[i] = db;
            }
            else
            {
                return null;
            }
        }

        return o;
    }

    public static BroadcastPlan Create(OpContext ctx, ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        var outShape = Shape(a, b) ?? throw ctx.Error($"shapes {ComputeSupport.ShapeText(a)} and {ComputeSupport.ShapeText(b)} cannot be broadcast");
        int rank = outShape.Length;
        var sa = Strides(a, outShape);
        var sb = Strides(b, outShape);

        // Merge axis i into i+1 when, for both inputs, stepping axis i equals stepping over the whole axis i+1.
        var dims = new List<int>();
        var ma = new List<int>();
        var mb = new List<int>();
        for (int i = 0; i < rank; i++)
        {
            if (outShape[i] == 1)
            {
                continue;
            }

            if (dims.Count > 0)
            {
                int last = dims.Count - 1;
                if (ma[last] == sa[i] * outShape[i] && mb[last] == sb[i] * outShape[i])
                {
                    dims[last] *= outShape[i];
                    ma[last] = sa[i];
                    mb[last] = sb[i];
                    continue;
                }
            }

            dims.Add(outShape[i]);
            ma.Add(sa[i]);
            mb.Add(sb[i]);
        }

        if (dims.Count == 0)
        {
            return new BroadcastPlan(outShape, [], [], [], 1, 0, 0);
        }

        int n = dims.Count - 1;
        return new BroadcastPlan(outShape, dims.GetRange(0, n).ToArray(), ma.GetRange(0, n).ToArray(), mb.GetRange(0, n).ToArray(), dims[n], ma[n], mb[n]);
    }

    private static int[] Strides(ReadOnlySpan<int> shape, int[] outShape)
    {
        int rank = outShape.Length;
        var s = new int[rank];
        int stride = 1;
        for (int i = rank - 1; i >= 0; i--)
        {
            int j = i - (rank - shape.Length);
            int d = j >= 0 ? shape[j] : 1;
            s[i] = d == 1 ? 0 : stride;
            stride *= d;
        }

        return s;
    }

    /// <summary>Start offsets in A and B of output row <paramref name="row"/>.</summary>
    public void RowOffsets(int row, out int offsetA, out int offsetB)
    {
        offsetA = 0;
        offsetB = 0;
        for (int i = _outer.Length - 1; i >= 0; i--)
        {
            int idx = row % _outer[i];
            row /= _outer[i];
            offsetA += idx * _strideA[i];
            offsetB += idx * _strideB[i];
        }
    }
}
