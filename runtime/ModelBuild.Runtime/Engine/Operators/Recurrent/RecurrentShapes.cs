using ModelBuild.Runtime.Engine.Operators.Compute;

namespace ModelBuild.Runtime.Engine.Operators.Recurrent;

/// <summary>Checks and buffers the recurrent executors share.</summary>
internal static class RecurrentShapes
{
    /// <summary>Optional float input <paramref name="index"/>: absent, empty, or exactly <paramref name="length"/> elements.</summary>
    public static void Check(OpContext ctx, int index, long length, string what)
    {
        if (index >= ctx.Inputs.Length || ctx.Inputs[index].Length == 0)
        {
            return;
        }

        var t = ComputeSupport.FloatInput(ctx, index);
        if (t.Length != length)
        {
            throw ctx.Error($"{what} {ComputeSupport.ShapeText(t.ShapeArray)} has {t.Length} values, expected {length}");
        }
    }

    /// <summary>Direction <paramref name="dir"/>'s part of optional input <paramref name="index"/>, or empty.</summary>
    public static ReadOnlySpan<float> Part(OpContext ctx, int index, int dir, int length) =>
        index < ctx.Inputs.Length && ctx.Inputs[index].Length != 0 ? ctx.Inputs[index].Floats.Slice(dir * length, length) : default;

    /// <summary>Reuses <paramref name="buffer"/> when it is large enough (scratch kept between runs).</summary>
    public static float[] Buffer(float[] buffer, long length) =>
        buffer.Length >= length ? buffer : new float[checked((int)length)];

    /// <summary>dst = srcᵀ for a rows × cols matrix (weights to the GEMM's row-major B; exact copies).</summary>
    public static void Transpose(OpContext ctx, ReadOnlySpan<float> src, int rows, int cols, Span<float> dst) =>
        Kernels.DataMovement.Transpose(ctx.Isa, src, [rows, cols], [1, 0], dst[..(rows * cols)]);
}
