namespace ModelBuild.Runtime.Engine.Operators.Shape;

/// <summary>Numpy-style broadcasting for the data-movement ops (BroadcastTo, Select).</summary>
internal static class Broadcasting
{
    /// <summary>The broadcast of several shapes (aligned at the last dimension); MB4001 when incompatible.</summary>
    public static int[] Shape(OpContext ctx, params int[][] shapes)
    {
        int rank = shapes.Max(s => s.Length);
        var result = Enumerable.Repeat(1, rank).ToArray();
        foreach (var s in shapes)
        {
            for (int i = 0; i < s.Length; i++)
            {
                int r = rank - s.Length + i;
                int d = s[i];
                if (d == result[r] || d == 1)
                {
                    continue;
                }

                if (result[r] == 1)
                {
                    result[r] = d;
                    continue;
                }

                throw ctx.Error($"shapes {string.Join(" and ", shapes.Select(x => ShapeSupport.Show(x)))} do not broadcast");
            }
        }

        return result;
    }

    /// <summary>Element strides that read <paramref name="shape"/> as if it had <paramref name="outShape"/> (0 on broadcast axes).</summary>
    public static int[] Strides(int[] shape, int[] outShape)
    {
        var own = StridedCopy.Strides(shape);
        var s = new int[outShape.Length];
        for (int i = 0; i < shape.Length; i++)
        {
            int r = outShape.Length - shape.Length + i;
            s[r] = shape[i] == 1 ? 0 : own[i];
        }

        return s;
    }

    /// <summary>Writes <paramref name="src"/> broadcast to <paramref name="dst"/>'s shape.</summary>
    public static void Expand(Tensor src, Tensor dst) =>
        StridedCopy.Copy(src, 0, Strides(src.ShapeArray, dst.ShapeArray), dst, 0, StridedCopy.Strides(dst.ShapeArray), dst.ShapeArray);
}
