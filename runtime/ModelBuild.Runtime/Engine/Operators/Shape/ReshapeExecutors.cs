using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Runtime.Engine.Operators.Shape;

/// <summary>
/// MNN Reshape: the target shape is the <c>dims</c> parameter (one input) or the values of the second input.
/// A 0 keeps the input's dimension at that position, one -1 is inferred from the element count.
/// </summary>
[MnnOperator(OpType.Reshape)]
internal sealed class ReshapeExecutor : ViewExecutor
{
    private readonly int[]? _dims;

    public ReshapeExecutor(OpT op)
    {
        var p = ShapeSupport.Param<ReshapeT>(op);
        int inputs = op.InputIndexes?.Count ?? 0;
        if (inputs < 2)
        {
            _dims = p?.Dims?.ToArray()
                ?? throw new ModelBuildException(ErrorCodes.MnnInvalidGraph, $"op '{op.Name}' (Reshape) has neither a dims parameter nor a shape input");
        }
    }

    public override bool ShapeDependsOnInputValues => _dims is null;

    protected override int[] OutputShape(OpContext ctx, int[] input)
    {
        var target = _dims ?? ShapeSupport.ReadInts(ctx, 1);
        return Resolve(ctx, input, target);
    }

    internal static int[] Resolve(OpContext ctx, int[] input, int[] target)
    {
        var shape = new int[target.Length];
        int inferred = -1;
        long known = 1;
        for (int i = 0; i < target.Length; i++)
        {
            int d = target[i];
            if (d == -1)
            {
                if (inferred >= 0)
                {
                    throw ctx.Error($"shape {ShapeSupport.Show(target)} has more than one -1");
                }

                inferred = i;
                continue;
            }

            if (d == 0)
            {
                d = i < input.Length ? input[i] : throw ctx.Error($"shape {ShapeSupport.Show(target)} copies dimension {i} the input {ShapeSupport.Show(input)} lacks");
            }

            if (d < 0)
            {
                throw ctx.Error($"shape {ShapeSupport.Show(target)} has a negative dimension");
            }

            shape[i] = d;
            known *= d;
        }

        long total = ShapeSupport.Elements(input);
        if (inferred >= 0)
        {
            if (known == 0 || total % known != 0)
            {
                throw ctx.Error($"cannot reshape {ShapeSupport.Show(input)} to {ShapeSupport.Show(target)}");
            }

            shape[inferred] = (int)(total / known);
        }

        return shape;
    }
}

/// <summary>MNN Flatten: <c>endAxis == 0</c> gives 2-D [prod(dims &lt; axis), prod(rest)]; otherwise axis..endAxis merge.</summary>
[MnnOperator(OpType.Flatten)]
internal sealed class FlattenExecutor(OpT op) : ViewExecutor
{
    private readonly FlattenT _p = ShapeSupport.Param<FlattenT>(op) ?? new FlattenT { Axis = 1 };

    protected override int[] OutputShape(OpContext ctx, int[] input)
    {
        int rank = input.Length;
        int axis = _p.Axis < 0 ? _p.Axis + rank : _p.Axis;
        int end = _p.EndAxis < 0 ? _p.EndAxis + rank : _p.EndAxis;
        if (axis < 0 || axis > rank)
        {
            throw ctx.Error($"axis {_p.Axis} is out of range for rank {rank}");
        }

        if (end == 0)
        {
            return [ShapeSupport.Elements(input.AsSpan(0, axis)), ShapeSupport.Elements(input.AsSpan(axis))];
        }

        if (end < axis || end >= rank)
        {
            throw ctx.Error($"end axis {_p.EndAxis} is out of range for axis {_p.Axis} and rank {rank}");
        }

        var shape = new List<int>(input[..axis]) { ShapeSupport.Elements(input.AsSpan(axis, end - axis + 1)) };
        shape.AddRange(input[(end + 1)..]);
        return [.. shape];
    }
}

/// <summary>
/// Axes of a Squeeze/Unsqueeze parameter, or null when they come from input 1. Unpacking turns an absent
/// squeezeDims into an empty list, so with a second input an empty list means "absent" as in MNN's shape code.
/// </summary>
internal static class SqueezeAxes
{
    public static int[]? Of(OpT op)
    {
        var dims = ShapeSupport.Param<SqueezeParamT>(op)?.SqueezeDims;
        bool fromInput = op.InputIndexes is { Count: > 1 } && dims is not { Count: > 0 };
        return fromInput ? null : dims?.ToArray() ?? [];
    }
}

/// <summary>Squeeze: removes the listed size-1 axes (parameter or second input), or every size-1 axis when none are listed.</summary>
[MnnOperator(OpType.Squeeze)]
internal sealed class SqueezeExecutor(OpT op) : ViewExecutor
{
    private readonly int[]? _axes = SqueezeAxes.Of(op);

    public override bool ShapeDependsOnInputValues => _axes is null;

    protected override int[] OutputShape(OpContext ctx, int[] input)
    {
        var axes = _axes ?? (ctx.Inputs.Length > 1 ? ShapeSupport.ReadInts(ctx, 1) : []);
        var drop = new bool[input.Length];
        foreach (int a in axes)
        {
            int axis = ShapeSupport.Axis(ctx, a, input.Length);
            if (input[axis] != 1)
            {
                throw ctx.Error($"cannot squeeze axis {a} of shape {ShapeSupport.Show(input)}: its size is not 1");
            }

            drop[axis] = true;
        }

        if (axes.Length == 0)
        {
            for (int i = 0; i < input.Length; i++)
            {
                drop[i] = input[i] == 1;
            }
        }

        return input.Where((_, i) => !drop[i]).ToArray();
    }
}

/// <summary>Unsqueeze: inserts size-1 axes at the listed output positions (parameter or second input).</summary>
[MnnOperator(OpType.Unsqueeze)]
internal sealed class UnsqueezeExecutor(OpT op) : ViewExecutor
{
    private readonly int[]? _axes = SqueezeAxes.Of(op);

    public override bool ShapeDependsOnInputValues => _axes is null;

    protected override int[] OutputShape(OpContext ctx, int[] input)
    {
        var axes = _axes ?? (ctx.Inputs.Length > 1 ? ShapeSupport.ReadInts(ctx, 1) : []);
        return Insert(ctx, input, axes);
    }

    internal static int[] Insert(OpContext ctx, int[] input, int[] axes)
    {
        int rank = input.Length + axes.Length;
        var unit = new bool[rank];
        foreach (int a in axes)
        {
            int axis = ShapeSupport.Axis(ctx, a, rank);
            if (unit[axis])
            {
                throw ctx.Error($"axis {a} is listed twice");
            }

            unit[axis] = true;
        }

        var shape = new int[rank];
        for (int i = 0, j = 0; i < rank; i++)
        {
            shape[i] = unit[i] ? 1 : input[j++];
        }

        return shape;
    }
}

/// <summary>ExpandDims: one size-1 axis at <c>axis</c> (parameter, or the second input when present).</summary>
[MnnOperator(OpType.ExpandDims)]
internal sealed class ExpandDimsExecutor(OpT op) : ViewExecutor
{
    private readonly int _axis = ShapeSupport.Param<ExpandDimsT>(op)?.Axis ?? 0;

    public override bool ShapeDependsOnInputValues => true;

    protected override int[] OutputShape(OpContext ctx, int[] input)
    {
        int axis = ctx.Inputs.Length > 1 ? ShapeSupport.ReadScalar(ctx, 1) : _axis;
        return UnsqueezeExecutor.Insert(ctx, input, [axis]);
    }
}

/// <summary>
/// ConvertTensor (NCHW ↔ NC4HW4) and Identity-like ops. Runtime tensors are always logical NCHW, so the layout
/// change is a plain copy; NHWC conversions are rejected when the session is created (LayoutCheck).
/// </summary>
[MnnOperator(OpType.ConvertTensor, OpType.Dropout, OpType.Copy)]
internal sealed class CopyExecutor : ViewExecutor
{
    protected override int[] OutputShape(OpContext ctx, int[] input) => (int[])input.Clone();
}

/// <summary>Identity: output i is a copy of input i (MNN's Identity may carry several tensors).</summary>
[MnnOperator(OpType.Identity)]
internal sealed class IdentityExecutor : OperatorExecutor
{
    public override void Reshape(OpContext ctx)
    {
        if (ctx.Outputs.Length > ctx.Inputs.Length)
        {
            throw new ModelBuildException(ErrorCodes.MnnInvalidGraph, $"op '{ctx.OpName}': Identity has more outputs than inputs");
        }

        for (int i = 0; i < ctx.Outputs.Length; i++)
        {
            ctx.Outputs[i].Reshape(ctx.Inputs[i].ShapeArray, ctx.Inputs[i].ElementType);
        }
    }

    public override void Execute(OpContext ctx)
    {
        for (int i = 0; i < ctx.Outputs.Length; i++)
        {
            StridedCopy.CopyAll(ctx.Inputs[i], ctx.Outputs[i]);
        }
    }
}
