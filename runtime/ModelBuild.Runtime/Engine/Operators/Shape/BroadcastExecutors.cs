using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Runtime.Engine.Operators.Shape;

/// <summary>Tile: inputs (data, multiples); each dimension i is repeated multiples[i] times.</summary>
[MnnOperator(OpType.Tile)]
internal sealed class TileExecutor : OperatorExecutor
{
    private int[] _repeats = [];

    public override bool ShapeDependsOnInputValues => true;

    public override bool ShapeReadsValueOf(int input) => input == 1;

    public override void Reshape(OpContext ctx)
    {
        ShapeSupport.RequireInputs(ctx, 2, 2);
        var shape = ctx.Inputs[0].ShapeArray;
        var reps = ShapeSupport.ReadInts(ctx, 1);
        if (reps.Length != shape.Length || reps.Any(r => r < 0))
        {
            throw ctx.Error($"multiples {ShapeSupport.Show(reps)} do not fit shape {ShapeSupport.Show(shape)}");
        }

        _repeats = reps;
        var outShape = new int[shape.Length];
        for (int i = 0; i < shape.Length; i++)
        {
            long d = (long)shape[i] * reps[i];
            outShape[i] = d > int.MaxValue ? throw ctx.Error("tiled shape is too large") : (int)d;
        }

        ctx.Outputs[0].Reshape(outShape, ctx.Inputs[0].ElementType);
    }

    public override void Execute(OpContext ctx)
    {
        // View the output as [r0, d0, r1, d1, ...]: the source is read with stride 0 on every repeat axis.
        var input = ctx.Inputs[0];
        var shape = input.ShapeArray;
        var inStrides = StridedCopy.Strides(shape);
        int rank = shape.Length;
        var size = new int[2 * rank];
        var src = new int[2 * rank];
        for (int i = 0; i < rank; i++)
        {
            size[2 * i] = _repeats[i];
            size[2 * i + 1] = shape[i];
            src[2 * i + 1] = inStrides[i];
        }

        StridedCopy.Copy(input, 0, src, ctx.Outputs[0], 0, StridedCopy.Strides(size), size);
    }
}

/// <summary>BroadcastTo (ONNX Expand): inputs (data, shape); output shape is the broadcast of both.</summary>
[MnnOperator(OpType.BroadcastTo)]
internal sealed class BroadcastToExecutor : OperatorExecutor
{
    public override bool ShapeDependsOnInputValues => true;

    public override bool ShapeReadsValueOf(int input) => input == 1;

    public override void Reshape(OpContext ctx)
    {
        ShapeSupport.RequireInputs(ctx, 2, 2);
        var target = ShapeSupport.ReadInts(ctx, 1);
        ctx.Outputs[0].Reshape(Broadcasting.Shape(ctx, ctx.Inputs[0].ShapeArray, target), ctx.Inputs[0].ElementType);
    }

    public override void Execute(OpContext ctx) => Broadcasting.Expand(ctx.Inputs[0], ctx.Outputs[0]);
}

/// <summary>Fill: inputs (shape, value); a tensor of that shape holding the scalar value.</summary>
[MnnOperator(OpType.Fill)]
internal sealed class FillExecutor : OperatorExecutor
{
    public override bool ShapeDependsOnInputValues => true;

    /// <summary>The shape input; the fill value does not change the shape.</summary>
    public override bool ShapeReadsValueOf(int input) => input == 0;

    public override void Reshape(OpContext ctx)
    {
        ShapeSupport.RequireInputs(ctx, 2, 2);
        var shape = ShapeSupport.ReadInts(ctx, 0);
        if (shape.Any(d => d < 0))
        {
            throw ctx.Error($"shape {ShapeSupport.Show(shape)} has a negative dimension");
        }

        if (ctx.Inputs[1].Length != 1)
        {
            throw ctx.Error("the fill value must be a single element");
        }

        ctx.Outputs[0].Reshape(shape, ctx.Inputs[1].ElementType);
    }

    public override void Execute(OpContext ctx)
    {
        var value = ctx.Inputs[1];
        if (value.ElementType == TensorElementType.Float32)
        {
            ctx.Outputs[0].Floats.Fill(value.Floats[0]);
        }
        else
        {
            ctx.Outputs[0].Ints.Fill(value.Ints[0]);
        }
    }
}

/// <summary>ZerosLike: zeros of the input's shape and type.</summary>
[MnnOperator(OpType.ZerosLike)]
internal sealed class ZerosLikeExecutor : OperatorExecutor
{
    public override void Reshape(OpContext ctx)
    {
        ShapeSupport.RequireInputs(ctx, 1);
        ctx.Outputs[0].Reshape(ctx.Inputs[0].ShapeArray, ctx.Inputs[0].ElementType);
    }

    public override void Execute(OpContext ctx)
    {
        if (ctx.Outputs[0].ElementType == TensorElementType.Float32)
        {
            ctx.Outputs[0].Floats.Clear();
        }
        else
        {
            ctx.Outputs[0].Ints.Clear();
        }
    }
}

/// <summary>Select (ONNX Where): inputs (condition, x, y) broadcast together; picks x where condition is non-zero.</summary>
[MnnOperator(OpType.Select)]
internal sealed class SelectExecutor : OperatorExecutor
{
    public override void Reshape(OpContext ctx)
    {
        ShapeSupport.RequireInputs(ctx, 3, 3);
        var (c, x, y) = (ctx.Inputs[0], ctx.Inputs[1], ctx.Inputs[2]);
        if (x.ElementType != y.ElementType)
        {
            throw ctx.Error($"x {x} and y {y} differ in element type");
        }

        ctx.Outputs[0].Reshape(Broadcasting.Shape(ctx, c.ShapeArray, x.ShapeArray, y.ShapeArray), x.ElementType);
    }

    public override void Execute(OpContext ctx)
    {
        var output = ctx.Outputs[0];
        var shape = output.ShapeArray;
        var cond = new Tensor(TensorElementType.Int32, shape);
        var c = ctx.Inputs[0];
        if (c.ElementType == TensorElementType.Int32)
        {
            Broadcasting.Expand(c, cond);
        }
        else
        {
            var f = new Tensor(TensorElementType.Float32, shape);
            Broadcasting.Expand(c, f);
            var fs = f.Floats;
            var cs = cond.Ints;
            for (int i = 0; i < cs.Length; i++)
            {
                cs[i] = fs[i] != 0 ? 1 : 0;
            }
        }

        // Write y everywhere, then x where the condition holds.
        Broadcasting.Expand(ctx.Inputs[2], output);
        var x = new Tensor(output.ElementType, shape);
        Broadcasting.Expand(ctx.Inputs[1], x);
        var mask = cond.Ints;
        if (output.ElementType == TensorElementType.Float32)
        {
            Pick(mask, x.Floats, output.Floats);
        }
        else
        {
            Pick(mask, x.Ints, output.Ints);
        }
    }

    private static void Pick<T>(ReadOnlySpan<int> mask, ReadOnlySpan<T> x, Span<T> output)
    {
        for (int i = 0; i < mask.Length; i++)
        {
            if (mask[i] != 0)
            {
                output[i] = x[i];
            }
        }
    }
}

/// <summary>Where (TensorFlow form): the coordinates of non-zero elements, as int32 [count, rank].</summary>
[MnnOperator(OpType.Where)]
internal sealed class WhereExecutor : OperatorExecutor
{
    public override bool ShapeDependsOnInputValues => true;

    public override void Reshape(OpContext ctx)
    {
        ShapeSupport.RequireInputs(ctx, 1, 1);
        var t = ctx.Inputs[0];
        int count = 0;
        if (t.ElementType == TensorElementType.Float32)
        {
            foreach (float v in t.Floats)
            {
                count += v != 0 ? 1 : 0;
            }
        }
        else
        {
            foreach (int v in t.Ints)
            {
                count += v != 0 ? 1 : 0;
            }
        }

        ctx.Outputs[0].Reshape([count, t.Rank], TensorElementType.Int32);
    }

    public override void Execute(OpContext ctx)
    {
        var t = ctx.Inputs[0];
        var shape = t.ShapeArray;
        var strides = StridedCopy.Strides(shape);
        var output = ctx.Outputs[0].Ints;
        int o = 0;
        for (int i = 0; i < t.Length; i++)
        {
            bool nonZero = t.ElementType == TensorElementType.Float32 ? t.Floats[i] != 0 : t.Ints[i] != 0;
            if (!nonZero)
            {
                continue;
            }

            for (int d = 0; d < shape.Length; d++)
            {
                output[o++] = i / strides[d] % shape[d];
            }
        }
    }
}
