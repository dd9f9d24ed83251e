using ModelBuild.Runtime.Format.Schema;
using ModelBuild.Runtime.Kernels;

namespace ModelBuild.Runtime.Engine.Operators.Compute;

/// <summary>
/// MNN Padding: input 1 holds int32 pads as (before, after) pairs per axis — [d0_before, d0_after, d1_before, ...]
/// (negative values crop); optional input 2 is the constant (default 0). Modes: CONSTANT, REFLECT (mirror without the
/// edge), SYMMETRIC (mirror with the edge), EDGE (replicate). Works on float32 and int32.
/// </summary>
[MnnOperator((int)OpType.Padding)]
internal sealed class PaddingExecutor : OperatorExecutor
{
    private readonly PadValueMode _mode;
    private int[] _before = [];
    private int[] _inStride = [];
    private int[] _map = [];
    private int _lo, _hi;

    public PaddingExecutor(OpT op)
    {
        _mode = ComputeSupport.OptionalParam<PadParamT>(op)?.Mode ?? PadValueMode.CONSTANT;
    }

    public override bool ShapeDependsOnInputValues => true;

    public override bool ShapeReadsOnlyParameterValues => true;

    public override void Reshape(OpContext ctx)
    {
        ComputeSupport.RequireInputs(ctx, 2);
        var input = ctx.Inputs[0];
        var pads = ctx.Inputs[1];
        var s = input.ShapeArray;
        if (pads.ElementType != TensorElementType.Int32 || pads.Length != 2 * s.Length)
        {
            throw ctx.Error($"Padding needs {2 * s.Length} int32 pads for input {ComputeSupport.ShapeText(s)}, got {pads.ElementType}{ComputeSupport.ShapeText(pads.ShapeArray)}");
        }

        var p = pads.Ints;
        _before = new int[s.Length];
        var shape = new int[s.Length];
        for (int i = 0; i < s.Length; i++)
        {
            long d = (long)s[i] + p[2 * i] + p[2 * i + 1];
            if (d < 0 || d > int.MaxValue)
            {
                throw ctx.Error($"padding [{p[2 * i]}, {p[2 * i + 1]}] gives invalid length {d} on axis {i}");
            }

            if (_mode != PadValueMode.CONSTANT && d > 0 && s[i] == 0)
            {
                throw ctx.Error($"{_mode} padding of an empty axis {i}");
            }

            if (_mode == PadValueMode.REFLECT && (p[2 * i] >= s[i] && p[2 * i] > 0 || p[2 * i + 1] >= s[i] && p[2 * i + 1] > 0))
            {
                throw ctx.Error($"REFLECT padding [{p[2 * i]}, {p[2 * i + 1]}] must be smaller than axis {i} length {s[i]}");
            }

            if (_mode == PadValueMode.SYMMETRIC && (p[2 * i] > s[i] || p[2 * i + 1] > s[i]))
            {
                throw ctx.Error($"SYMMETRIC padding [{p[2 * i]}, {p[2 * i + 1]}] must not exceed axis {i} length {s[i]}");
            }

            _before[i] = p[2 * i];
            shape[i] = (int)d;
        }

        ctx.Outputs[0].Reshape(shape, input.ElementType);
        PlanRows(s, shape);
    }

    public override void Execute(OpContext ctx)
    {
        var input = ctx.Inputs[0];
        var output = ctx.Outputs[0];
        if (input.ElementType == TensorElementType.Float32)
        {
            float value = ctx.Inputs.Length > 2 && ctx.Inputs[2].Length > 0 ? ScalarFloat(ctx.Inputs[2]) : 0f;
            Pad(input.ShapeArray, output.ShapeArray, input.FloatBuffer, output.FloatBuffer, value, ctx.Threads);
        }
        else
        {
            int value = ctx.Inputs.Length > 2 && ctx.Inputs[2].Length > 0 ? ScalarInt(ctx.Inputs[2]) : 0;
            Pad(input.ShapeArray, output.ShapeArray, input.IntBuffer, output.IntBuffer, value, ctx.Threads);
        }
    }

    private static float ScalarFloat(Tensor t) => t.ElementType == TensorElementType.Float32 ? t.Floats[0] : t.Ints[0];

    private static int ScalarInt(Tensor t) => t.ElementType == TensorElementType.Int32 ? t.Ints[0] : (int)t.Floats[0];

    private void Pad<T>(int[] inShape, int[] outShape, T[] src, T[] dst, T value, int threads)
    {
        int rank = outShape.Length;
        int total = Tensor.ComputeLength(outShape);
        if (rank == 0)
        {
            if (total > 0)
            {
                dst[0] = src[0];
            }

            return;
        }

        if (total == 0)
        {
            return;
        }

        // Row by row: the outer indices decide once per row whether it is padding or which source row it reads;
        // the innermost axis copies its interior as one block and maps only the border columns (map: Reshape).
        int rows = total / outShape[rank - 1];

        // Rows are independent copies: contiguous row ranges per thread, each starting from its own outer index.
        int t = KernelParallel.Effective(threads, total, 1 << 15);
        if (t <= 1)
        {
            PadRows(inShape, outShape, src, dst, value, 0, rows);
        }
        else
        {
            PadParallel(inShape, outShape, src, dst, value, rows, t);
        }
    }

    /// <summary>Separate from <see cref="Pad"/> so that only a parallel pad allocates its closure.</summary>
    private void PadParallel<T>(int[] inShape, int[] outShape, T[] src, T[] dst, T value, int rows, int t) =>
        KernelParallel.For(rows, t, (r0, r1) => PadRows(inShape, outShape, src, dst, value, r0, r1));

    /// <summary>Plans what <see cref="PadRows"/> needs from the shapes: input strides and the last axis' source columns.</summary>
    private void PlanRows(int[] inShape, int[] outShape)
    {
        int rank = outShape.Length;
        _inStride = new int[rank];
        int stride = 1;
        for (int i = rank - 1; i >= 0; i--)
        {
            _inStride[i] = stride;
            stride *= inShape[i];
        }

        if (rank == 0)
        {
            return;
        }

        int last = rank - 1;
        int wOut = outShape[last];
        int before = _before[last];
        _map = new int[wOut];
        for (int j = 0; j < wOut; j++)
        {
            _map[j] = Source(j - before, inShape[last]);
        }

        _lo = Math.Clamp(before, 0, wOut);
        _hi = Math.Clamp(before + inShape[last], _lo, wOut);
    }

    private void PadRows<T>(int[] inShape, int[] outShape, T[] src, T[] dst, T value, int r0, int r1)
    {
        int rank = outShape.Length, last = rank - 1, wOut = outShape[last], before = _before[last];
        int[] inStride = _inStride, map = _map;
        int lo = _lo, hi = _hi;
        Span<int> index = rank <= 8 ? stackalloc int[8] : new int[rank];
        index.Clear();
        for (int i = last - 1, rest = r0; i >= 0; i--)
        {
            index[i] = rest % outShape[i];
            rest /= outShape[i];
        }

        for (int r = r0; r < r1; r++)
        {
            int rowOffset = 0;
            bool inside = true;
            for (int i = 0; i < last; i++)
            {
                int j = Source(index[i] - _before[i], inShape[i]);
                if (j < 0)
                {
                    inside = false;
                    break;
                }

                rowOffset += j * inStride[i];
            }

            var row = dst.AsSpan(r * wOut, wOut);
            if (!inside)
            {
                row.Fill(value);
            }
            else
            {
                for (int j = 0; j < lo; j++)
                {
                    row[j] = map[j] < 0 ? value : src[rowOffset + map[j]];
                }

                if (hi > lo)
                {
                    src.AsSpan(rowOffset + lo - before, hi - lo).CopyTo(row[lo..]);
                }

                for (int j = hi; j < wOut; j++)
                {
                    row[j] = map[j] < 0 ? value : src[rowOffset + map[j]];
                }
            }

            for (int i = last - 1; i >= 0; i--)
            {
                if (++index[i] < outShape[i])
                {
                    break;
                }

                index[i] = 0;
            }
        }
    }

    /// <summary>Source index for position j of an axis of length n, or −1 for the constant.</summary>
    private int Source(int j, int n)
    {
        if ((uint)j < (uint)n)
        {
            return j;
        }

        switch (_mode)
        {
            case PadValueMode.EDGE:
                return j < 0 ? 0 : n - 1;
            case PadValueMode.REFLECT:
                if (n == 1)
                {
                    return 0;
                }

                int period = 2 * (n - 1);
                j = ((j % period) + period) % period;
                return j < n ? j : period - j;
            case PadValueMode.SYMMETRIC:
                int p2 = 2 * n;
                j = ((j % p2) + p2) % p2;
                return j < n ? j : p2 - 1 - j;
            default:
                return -1;
        }
    }
}
