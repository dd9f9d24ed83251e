using ModelBuild.Runtime.Format.Schema;
using ModelBuild.Runtime.Kernels;

namespace ModelBuild.Runtime.Engine.Operators.Compute;

/// <summary>Parameter access, shape checks and threading shared by the compute executors.</summary>
internal static class ComputeSupport
{
    /// <summary>The op's parameter table of type <typeparamref name="T"/>; a clear error when it is absent.</summary>
    public static T Param<T>(OpT op)
        where T : class =>
        op.Main?.Value as T
        ?? throw new ModelBuildException(
            ErrorCodes.MnnInvalidGraph,
            $"op '{op.Name}' ({op.Type}): expected a {typeof(T).Name.TrimEnd('T')} parameter, found {op.Main?.Type.ToString() ?? "none"}");

    public static T? OptionalParam<T>(OpT op)
        where T : class => op.Main?.Value as T;

    public static float[] Floats(List<float>? list) => list is null ? [] : [.. list];

    public static int[] Ints(List<int>? list) => list is null ? [] : [.. list];

    public static void RequireInputs(OpContext ctx, int min)
    {
        if (ctx.Inputs.Length < min)
        {
            throw new ModelBuildException(ErrorCodes.MnnInvalidGraph, $"op '{ctx.OpName}': needs at least {min} inputs, has {ctx.Inputs.Length}");
        }
    }

    public static Tensor FloatInput(OpContext ctx, int index)
    {
        RequireInputs(ctx, index + 1);
        var t = ctx.Inputs[index];
        if (t.ElementType != TensorElementType.Float32)
        {
            throw new ModelBuildException(ErrorCodes.RuntimeTypeMismatch, $"op '{ctx.OpName}': input {index} must be float32, is {t.ElementType}");
        }

        return t;
    }

    public static int[] RequireRank(OpContext ctx, Tensor t, int rank, string what)
    {
        if (t.Rank != rank)
        {
            throw ctx.Error($"{what} must have rank {rank}, has shape [{string.Join(",", t.ShapeArray)}]");
        }

        return t.ShapeArray;
    }

    /// <summary>
    /// An image-op input as [N, C, H, W]: rank 4 as it is, rank 2 or 3 with the missing trailing dims read as 1, as
    /// upstream MNN's Tensor height()/width() read them (its converter leaves ONNX Conv1D inputs [N, C, L] rank 3).
    /// </summary>
    public static int[] ImageShape(OpContext ctx, Tensor t, string what)
    {
        var s = t.ShapeArray;
        if (s.Length is < 2 or > 4)
        {
            throw ctx.Error($"{what} must have rank 2 to 4 ([N, C, H, W] with H, W read as 1 when absent), has shape [{string.Join(",", s)}]");
        }

        return [s[0], s[1], s.Length > 2 ? s[2] : 1, s.Length > 3 ? s[3] : 1];
    }

    /// <summary>An [N, C, H, W] result cut back to the rank of the image-op input it came from.</summary>
    public static int[] ImageOutput(Tensor input, int n, int c, int h, int w) =>
        input.Rank switch { 2 => [n, c], 3 => [n, c, h], _ => [n, c, h, w] };

    /// <summary>Maps a possibly negative axis into [0, rank).</summary>
    public static int Axis(OpContext ctx, int axis, int rank)
    {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= Math.Max(rank, 1))
        {
            throw ctx.Error($"axis {axis} is out of range for rank {rank}");
        }

        return a;
    }

    public static long Product(ReadOnlySpan<int> dims, int from, int to)
    {
        long p = 1;
        for (int i = from; i < to; i++)
        {
            p *= dims[i];
        }

        return p;
    }

    public static int CheckedInt(OpContext ctx, long value, string what) =>
        value is < 0 or > int.MaxValue ? throw ctx.Error($"{what} ({value}) is out of range") : (int)value;

    /// <summary>Runs body(i) for i in [0, count), spread over at most <paramref name="threads"/> threads.</summary>
    public static void For(int threads, int count, Action<int> body)
    {
        if (threads <= 1 || count <= 1)
        {
            for (int i = 0; i < count; i++)
            {
                body(i);
            }

            return;
        }

        // Contiguous chunks on the shared worker team (cheaper than a Parallel.For per op); body(i) is independent per i.
        KernelParallel.For(count, threads, (s, e) =>
        {
            for (int i = s; i < e; i++)
            {
                body(i);
            }
        });
    }

    public static string ShapeText(ReadOnlySpan<int> shape) => "[" + string.Join(",", shape.ToArray()) + "]";
}
