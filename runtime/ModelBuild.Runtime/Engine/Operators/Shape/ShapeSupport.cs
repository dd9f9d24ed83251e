using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Runtime.Engine.Operators.Shape;

/// <summary>Parameter access, axis handling and reading of shape-like input tensors for the shape ops.</summary>
internal static class ShapeSupport
{
    /// <summary>The op's parameter table, or null when absent (upstream defaults then apply).</summary>
    public static T? Param<T>(OpT op)
        where T : class => op.Main?.Value as T;

    public static T RequireParam<T>(OpT op)
        where T : class =>
        op.Main?.Value as T
        ?? throw new ModelBuildException(ErrorCodes.MnnInvalidGraph,
            $"op '{op.Name}' ({op.Type}) has no {typeof(T).Name[..^1]} parameter (found {op.Main?.Type.ToString() ?? "none"})");

    public static void RequireInputs(OpContext ctx, int min, int max = int.MaxValue)
    {
        if (ctx.Inputs.Length < min || ctx.Inputs.Length > max)
        {
            throw new ModelBuildException(ErrorCodes.MnnInvalidGraph,
                $"op '{ctx.OpName}': has {ctx.Inputs.Length} inputs, expected {(max == int.MaxValue ? $"at least {min}" : min == max ? $"{min}" : $"{min} to {max}")}");
        }
    }

    public static void RequireOutputs(OpContext ctx, int count)
    {
        if (ctx.Outputs.Length != count)
        {
            throw new ModelBuildException(ErrorCodes.MnnInvalidGraph, $"op '{ctx.OpName}': has {ctx.Outputs.Length} outputs, expected {count}");
        }
    }

    /// <summary>Values of an integer (or integral float) tensor, e.g. a shape, axes or indices input.</summary>
    public static int[] ReadInts(OpContext ctx, int input)
    {
        var t = ctx.Inputs[input];
        if (t.ElementType == TensorElementType.Int32)
        {
            return t.Ints.ToArray();
        }

        var f = t.Floats;
        var r = new int[f.Length];
        for (int i = 0; i < r.Length; i++)
        {
            float v = f[i];
            r[i] = float.IsNaN(v) ? 0 : v >= int.MaxValue ? int.MaxValue : v <= int.MinValue ? int.MinValue : (int)v;
        }

        return r;
    }

    /// <summary>A scalar (or one-element) integer input.</summary>
    public static int ReadScalar(OpContext ctx, int input)
    {
        var v = ReadInts(ctx, input);
        if (v.Length != 1)
        {
            throw ctx.Error($"input {input} must hold one value, has shape [{string.Join(",", ctx.Inputs[input].ShapeArray)}]");
        }

        return v[0];
    }

    /// <summary>Maps a possibly negative axis into [0, rank) (MB4001 when out of range).</summary>
    public static int Axis(OpContext ctx, int axis, int rank)
    {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank)
        {
            throw ctx.Error($"axis {axis} is out of range for rank {rank}");
        }

        return a;
    }

    public static string Show(ReadOnlySpan<int> shape) => $"[{string.Join(",", shape.ToArray())}]";

    /// <summary>Product of dimensions, with the engine's size limits.</summary>
    public static int Elements(ReadOnlySpan<int> shape) => Tensor.ComputeLength(shape);
}
