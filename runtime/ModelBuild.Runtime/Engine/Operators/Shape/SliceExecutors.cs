using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Runtime.Engine.Operators.Shape;

/// <summary>SliceTf: inputs (data, begin, size); size -1 takes the rest of the dimension; begin may be negative.</summary>
[MnnOperator(OpType.SliceTf)]
internal sealed class SliceTfExecutor : OperatorExecutor
{
    private SliceBox _box;

    public override bool ShapeDependsOnInputValues => true;

    public override bool ShapeReadsOnlyParameterValues => true;

    public override void Reshape(OpContext ctx)
    {
        ShapeSupport.RequireInputs(ctx, 3, 3);
        var shape = ctx.Inputs[0].ShapeArray;
        var begin = ShapeSupport.ReadInts(ctx, 1);
        var size = ShapeSupport.ReadInts(ctx, 2);
        if (begin.Length != shape.Length || size.Length != shape.Length)
        {
            throw ctx.Error($"begin {ShapeSupport.Show(begin)} and size {ShapeSupport.Show(size)} must have one value per dimension of {ShapeSupport.Show(shape)}");
        }

        var b = new int[shape.Length];
        var s = new int[shape.Length];
        for (int i = 0; i < shape.Length; i++)
        {
            b[i] = begin[i] < 0 ? begin[i] + shape[i] : begin[i];
            s[i] = size[i] == -1 ? shape[i] - b[i] : size[i];
            if (b[i] < 0 || b[i] > shape[i] || s[i] < 0 || (long)b[i] + s[i] > shape[i])
            {
                throw ctx.Error($"slice begin {ShapeSupport.Show(begin)} size {ShapeSupport.Show(size)} is outside shape {ShapeSupport.Show(shape)}");
            }
        }

        _box = new SliceBox(b, Enumerable.Repeat(1, shape.Length).ToArray(), s);
        ctx.Outputs[0].Reshape(s, ctx.Inputs[0].ElementType);
    }

    public override void Execute(OpContext ctx) => _box.CopyTo(ctx.Inputs[0], ctx.Outputs[0]);
}

/// <summary>
/// StridedSlice. <c>fromType == 1</c> (ONNX/Torch): inputs (data, starts, ends[, axes[, steps]]), ONNX clamping.
/// <c>fromType == 0</c> (TensorFlow): inputs (data, begin, end, strides) with begin/end/ellipsis/newAxis/shrinkAxis
/// masks. Masks are bit i for the i-th entry of begin/end.
/// </summary>
[MnnOperator(OpType.StridedSlice)]
internal sealed class StridedSliceExecutor : OperatorExecutor
{
    private readonly StridedSliceParamT _p;
    private SliceBox _box;

    public StridedSliceExecutor(OpT op)
    {
        _p = ShapeSupport.Param<StridedSliceParamT>(op) ?? new StridedSliceParamT();
        int inputs = op.InputIndexes?.Count ?? 0;
        if (_p.FromType == 0 && inputs == 5)
        {
            throw new ModelBuildException(ErrorCodes.UnsupportedAttribute, $"op '{op.Name}': StridedSlice assignment (TensorFlow form with 5 inputs) is not supported");
        }

        if (_p.EllipsisMask != 0 && (_p.EllipsisMask & (_p.EllipsisMask - 1)) != 0)
        {
            throw new ModelBuildException(ErrorCodes.MnnInvalidGraph, $"op '{op.Name}': StridedSlice ellipsis mask has more than one bit");
        }
    }

    public override bool ShapeDependsOnInputValues => true;

    public override bool ShapeReadsOnlyParameterValues => true;

    public override void Reshape(OpContext ctx)
    {
        ShapeSupport.RequireInputs(ctx, 3, 5);
        var shape = ctx.Inputs[0].ShapeArray;
        var begin = ShapeSupport.ReadInts(ctx, 1);
        var end = ShapeSupport.ReadInts(ctx, 2);
        if (begin.Length != end.Length)
        {
            throw ctx.Error($"begin {ShapeSupport.Show(begin)} and end {ShapeSupport.Show(end)} differ in length");
        }

        int[] outShape = _p.FromType == 1 ? OnnxForm(ctx, shape, begin, end) : TfForm(ctx, shape, begin, end);
        ctx.Outputs[0].Reshape(outShape, ctx.Inputs[0].ElementType);
    }

    public override void Execute(OpContext ctx) => _box.CopyTo(ctx.Inputs[0], ctx.Outputs[0]);

    private static bool Bit(int mask, int i) => i < 32 && (mask & (1 << i)) != 0;

    private int[] OnnxForm(OpContext ctx, int[] shape, int[] begin, int[] end)
    {
        int rank = shape.Length;
        var axes = ctx.Inputs.Length > 3 ? ShapeSupport.ReadInts(ctx, 3) : Enumerable.Range(0, begin.Length).ToArray();
        var steps = ctx.Inputs.Length > 4 ? ShapeSupport.ReadInts(ctx, 4) : Enumerable.Repeat(1, begin.Length).ToArray();
        if (axes.Length != begin.Length || steps.Length != begin.Length)
        {
            throw ctx.Error("starts, ends, axes and steps differ in length");
        }

        var b = new int[rank];
        var st = Enumerable.Repeat(1, rank).ToArray();
        var size = (int[])shape.Clone();
        var shrink = new bool[rank];
        for (int i = 0; i < begin.Length; i++)
        {
            int axis = ShapeSupport.Axis(ctx, axes[i], rank);
            if (steps[i] == 0)
            {
                throw ctx.Error("slice step is 0");
            }

            st[axis] = steps[i];
            (b[axis], size[axis]) = SliceBox.Clamp(shape[axis], begin[i], end[i], steps[i], Bit(_p.BeginMask, i), Bit(_p.EndMask, i));
            if (Bit(_p.ShrinkAxisMask, i))
            {
                size[axis] = Math.Min(size[axis], 1);
                shrink[axis] = true;
            }
        }

        _box = new SliceBox(b, st, size);
        return size.Where((_, i) => !shrink[i]).ToArray();
    }

    private int[] TfForm(OpContext ctx, int[] shape, int[] begin, int[] end)
    {
        int rank = shape.Length;
        int n = begin.Length;
        var strides = ctx.Inputs.Length > 3 ? ShapeSupport.ReadInts(ctx, 3) : Enumerable.Repeat(1, n).ToArray();
        if (strides.Length != n)
        {
            throw ctx.Error("begin, end and strides differ in length");
        }

        // Dimensions the ellipsis stands for: all input dims not named by a real (non-newaxis) entry.
        int named = 0;
        for (int i = 0; i < n; i++)
        {
            if (!Bit(_p.EllipsisMask, i) && !Bit(_p.NewAxisMask, i))
            {
                named++;
            }
        }

        var b = new int[rank];
        var st = Enumerable.Repeat(1, rank).ToArray();
        var size = (int[])shape.Clone();
        var outShape = new List<int>();
        int dim = 0;
        bool sawEllipsis = false;
        for (int i = 0; i < n; i++)
        {
            if (Bit(_p.EllipsisMask, i))
            {
                int covered = Math.Max(0, rank - named);
                for (int k = 0; k < covered && dim < rank; k++, dim++)
                {
                    outShape.Add(shape[dim]);
                }

                sawEllipsis = true;
                continue;
            }

            if (Bit(_p.NewAxisMask, i))
            {
                outShape.Add(1);
                continue;
            }

            if (dim >= rank)
            {
                throw ctx.Error($"slice has more entries than the input {ShapeSupport.Show(shape)} has dimensions");
            }

            int s = strides[i];
            if (s == 0)
            {
                throw ctx.Error("slice stride is 0");
            }

            if (Bit(_p.ShrinkAxisMask, i))
            {
                int idx = begin[i] < 0 ? begin[i] + shape[dim] : begin[i];
                if (idx < 0 || idx >= shape[dim])
                {
                    throw ctx.Error($"index {begin[i]} is out of range for dimension {dim} of {ShapeSupport.Show(shape)}");
                }

                (b[dim], st[dim], size[dim]) = (idx, 1, 1);
            }
            else
            {
                st[dim] = s;
                (b[dim], size[dim]) = SliceBox.Clamp(shape[dim], begin[i], end[i], s, Bit(_p.BeginMask, i), Bit(_p.EndMask, i));
                outShape.Add(size[dim]);
            }

            dim++;
        }

        _ = sawEllipsis;
        for (; dim < rank; dim++)
        {
            outShape.Add(shape[dim]);
        }

        _box = new SliceBox(b, st, size);
        return [.. outShape];
    }
}

/// <summary>
/// Slice (split into several outputs along <c>axis</c>). CAFFE: slicePoints are cut positions. Otherwise
/// (ONNX/Torch/TF split): slicePoints (or the second input) are sizes, one -1 is inferred; with no points (or one
/// point for Torch: the chunk size) the axis is split evenly.
/// </summary>
[MnnOperator(OpType.Slice)]
internal sealed class SliceExecutor(OpT op) : OperatorExecutor
{
    private readonly SliceT _p = ShapeSupport.Param<SliceT>(op) ?? new SliceT();
    private int[] _starts = [];
    private int _axis;

    public override bool ShapeDependsOnInputValues => true;

    public override bool ShapeReadsOnlyParameterValues => true;

    public override void Reshape(OpContext ctx)
    {
        ShapeSupport.RequireInputs(ctx, 1, 2);
        var shape = ctx.Inputs[0].ShapeArray;
        _axis = ShapeSupport.Axis(ctx, _p.Axis, shape.Length);
        int extent = shape[_axis];
        int outputs = ctx.Outputs.Length;
        var points = ctx.Inputs.Length > 1 ? ShapeSupport.ReadInts(ctx, 1) : (_p.SlicePoints ?? []).ToArray();
        var sizes = new int[outputs];
        if (_p.SourceType == NetSource.CAFFE && ctx.Inputs.Length == 1)
        {
            if (points.Length != outputs - 1)
            {
                throw ctx.Error($"{points.Length} slice points do not make {outputs} outputs");
            }

            int previous = 0;
            for (int i = 0; i < outputs; i++)
            {
                int next = i < points.Length ? points[i] : extent;
                sizes[i] = next - previous;
                previous = next;
            }
        }
        else if (ctx.Inputs.Length == 1 && points.Length <= 1)
        {
            int chunk = _p.SourceType == NetSource.TORCH && points.Length == 1 ? points[0]
                : _p.SourceType == NetSource.TENSORFLOW && points.Length == 1 && points[0] > 0 ? extent / points[0]
                : extent / Math.Max(outputs, 1);
            Array.Fill(sizes, chunk);
        }
        else
        {
            if (points.Length < outputs)
            {
                throw ctx.Error($"{points.Length} split sizes do not make {outputs} outputs");
            }

            int inferred = -1, known = 0;
            for (int i = 0; i < outputs; i++)
            {
                if (points[i] == -1 && inferred < 0)
                {
                    inferred = i;
                    continue;
                }

                sizes[i] = points[i];
                known += points[i];
            }

            if (inferred >= 0)
            {
                sizes[inferred] = extent - known;
            }
        }

        _starts = new int[outputs];
        int start = 0;
        for (int i = 0; i < outputs; i++)
        {
            if (sizes[i] < 0 || (long)start + sizes[i] > extent)
            {
                throw ctx.Error($"split sizes {ShapeSupport.Show(sizes)} do not fit axis {_axis} of {ShapeSupport.Show(shape)}");
            }

            _starts[i] = start;
            start += sizes[i];
            var outShape = (int[])shape.Clone();
            outShape[_axis] = sizes[i];
            ctx.Outputs[i].Reshape(outShape, ctx.Inputs[0].ElementType);
        }
    }

    public override void Execute(OpContext ctx)
    {
        var input = ctx.Inputs[0];
        int rank = input.Rank;
        for (int i = 0; i < ctx.Outputs.Length; i++)
        {
            var begin = new int[rank];
            begin[_axis] = _starts[i];
            new SliceBox(begin, Enumerable.Repeat(1, rank).ToArray(), ctx.Outputs[i].ShapeArray).CopyTo(input, ctx.Outputs[i]);
        }
    }
}

/// <summary>Unpack: output i is index i along <c>axis</c>, with that axis removed (fewer outputs than the extent is allowed).</summary>
[MnnOperator(OpType.Unpack)]
internal sealed class UnpackExecutor(OpT op) : OperatorExecutor
{
    private readonly int _axisParam = ShapeSupport.Param<AxisT>(op)?.Axis_ ?? 0;
    private int _axis;

    public override void Reshape(OpContext ctx)
    {
        ShapeSupport.RequireInputs(ctx, 1, 1);
        var shape = ctx.Inputs[0].ShapeArray;
        _axis = ShapeSupport.Axis(ctx, _axisParam, shape.Length);
        if (ctx.Outputs.Length > shape[_axis])
        {
            throw ctx.Error($"{ctx.Outputs.Length} outputs but axis {_axis} of {ShapeSupport.Show(shape)} has only {shape[_axis]} entries");
        }

        var outShape = shape.Where((_, i) => i != _axis).ToArray();
        foreach (var o in ctx.Outputs)
        {
            o.Reshape(outShape, ctx.Inputs[0].ElementType);
        }
    }

    public override void Execute(OpContext ctx)
    {
        var input = ctx.Inputs[0];
        var size = (int[])input.ShapeArray.Clone();
        size[_axis] = 1;
        for (int i = 0; i < ctx.Outputs.Length; i++)
        {
            var begin = new int[input.Rank];
            begin[_axis] = i;
            new SliceBox(begin, Enumerable.Repeat(1, input.Rank).ToArray(), size).CopyTo(input, ctx.Outputs[i]);
        }
    }
}
