using ModelBuild.Runtime.Engine.Operators.Compute;
using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Runtime.Engine.Operators.Shape;

/// <summary>
/// Concat along <c>axis</c> (negative counts from the end). Every input is copied as one strided block into its
/// place in the output. Empty inputs are allowed.
/// </summary>
[MnnOperator(OpType.Concat)]
internal sealed class ConcatExecutor(OpT op) : OperatorExecutor
{
    private const int ParallelElements = 1 << 16;
    private readonly int _axisParam = ShapeSupport.Param<AxisT>(op)?.Axis_ ?? 0;
    private int _axis;
    private int[] _outStrides = [];
    private int[][] _inStrides = [];
    private int[] _offsets = [];

    public override void Reshape(OpContext ctx)
    {
        ShapeSupport.RequireInputs(ctx, 1);
        var first = ctx.Inputs[0];
        _axis = ShapeSupport.Axis(ctx, _axisParam, first.Rank);
        var shape = (int[])first.ShapeArray.Clone();
        long total = 0;
        foreach (var t in ctx.Inputs)
        {
            if (t.Rank != first.Rank || t.ElementType != first.ElementType)
            {
                throw ctx.Error($"cannot concatenate {t} with {first}");
            }

            for (int d = 0; d < shape.Length; d++)
            {
                if (d != _axis && t.ShapeArray[d] != shape[d])
                {
                    throw ctx.Error($"cannot concatenate {ShapeSupport.Show(t.ShapeArray)} with {ShapeSupport.Show(first.ShapeArray)} along axis {_axis}");
                }
            }

            total += t.ShapeArray[_axis];
        }

        shape[_axis] = total > int.MaxValue ? throw ctx.Error("concatenated axis is too large") : (int)total;
        ctx.Outputs[0].Reshape(shape, first.ElementType);

        // where each input goes: planned here, not on every run
        var inputs = ctx.Inputs;
        _outStrides = StridedCopy.Strides(shape);
        _inStrides = inputs.Select(t => StridedCopy.Strides(t.ShapeArray)).ToArray();
        _offsets = new int[inputs.Length];
        for (int i = 1; i < inputs.Length; i++)
        {
            _offsets[i] = _offsets[i - 1] + inputs[i - 1].ShapeArray[_axis];
        }
    }

    public override void Execute(OpContext ctx)
    {
        // Each input fills its own region of the output: large concats copy several inputs at once.
        if (ctx.Outputs[0].Length < ParallelElements || ctx.Threads <= 1)
        {
            for (int i = 0; i < ctx.Inputs.Length; i++)
            {
                CopyInput(ctx, i);
            }

            return;
        }

        CopyParallel(ctx);
    }

    /// <summary>Separate from <see cref="Execute"/>: a lambda capturing ctx there would be allocated on every run.</summary>
    private void CopyParallel(OpContext ctx) => ComputeSupport.For(ctx.Threads, ctx.Inputs.Length, i => CopyInput(ctx, i));

    private void CopyInput(OpContext ctx, int i) =>
        StridedCopy.Copy(ctx.Inputs[i], 0, _inStrides[i], ctx.Outputs[0], _offsets[i] * _outStrides[_axis], _outStrides, ctx.Inputs[i].ShapeArray);
}

/// <summary>Pack (stack): inputs of one shape stacked along a new axis.</summary>
[MnnOperator(OpType.Pack)]
internal sealed class PackExecutor(OpT op) : OperatorExecutor
{
    private readonly int _axisParam = ShapeSupport.Param<PackParamT>(op)?.Axis ?? 0;
    private int _axis;

    public override void Reshape(OpContext ctx)
    {
        ShapeSupport.RequireInputs(ctx, 1);
        var first = ctx.Inputs[0];
        _axis = ShapeSupport.Axis(ctx, _axisParam, first.Rank + 1);
        foreach (var t in ctx.Inputs)
        {
            if (t.ElementType != first.ElementType || !t.ShapeArray.AsSpan().SequenceEqual(first.ShapeArray))
            {
                throw ctx.Error($"cannot stack {t} with {first}");
            }
        }

        var shape = new List<int>(first.ShapeArray);
        shape.Insert(_axis, ctx.Inputs.Length);
        ctx.Outputs[0].Reshape(shape.ToArray(), first.ElementType);
    }

    public override void Execute(OpContext ctx)
    {
        var output = ctx.Outputs[0];
        var outStrides = StridedCopy.Strides(output.ShapeArray);
        var size = (int[])output.ShapeArray.Clone();
        size[_axis] = 1;
        var inStrides = StridedCopy.Strides(size);
        for (int i = 0; i < ctx.Inputs.Length; i++)
        {
            StridedCopy.Copy(ctx.Inputs[i], 0, inStrides, output, i * outStrides[_axis], outStrides, size);
        }
    }
}
