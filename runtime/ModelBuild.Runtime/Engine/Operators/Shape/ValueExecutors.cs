using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Runtime.Engine.Operators.Shape;

/// <summary>
/// Cast to CastParam.dstT: float types give float32; every integer type (and bool, as 0/1) gives int32.
/// Float → int truncates toward zero (NaN → 0, saturating); uint8/int8 wrap to their range.
/// </summary>
[MnnOperator(OpType.Cast)]
internal sealed class CastExecutor(OpT op) : OperatorExecutor
{
    private readonly DataType _dst = ShapeSupport.RequireParam<CastParamT>(op).DstT switch
    {
        DataType.DT_FLOAT or DataType.DT_DOUBLE or DataType.DT_HALF or DataType.DT_BFLOAT16 => DataType.DT_FLOAT,
        DataType.DT_INT32 or DataType.DT_INT64 or DataType.DT_INT16 or DataType.DT_UINT16 => DataType.DT_INT32,
        DataType.DT_BOOL => DataType.DT_BOOL,
        DataType.DT_UINT8 => DataType.DT_UINT8,
        DataType.DT_INT8 => DataType.DT_INT8,
        var other => throw new ModelBuildException(ErrorCodes.UnsupportedDataType, $"op '{op.Name}': Cast to {other} is not supported"),
    };

    public override void Reshape(OpContext ctx)
    {
        ShapeSupport.RequireInputs(ctx, 1);
        ctx.Outputs[0].Reshape(ctx.Inputs[0].ShapeArray, _dst == DataType.DT_FLOAT ? TensorElementType.Float32 : TensorElementType.Int32);
    }

    public override void Execute(OpContext ctx)
    {
        var input = ctx.Inputs[0];
        var output = ctx.Outputs[0];
        if (_dst == DataType.DT_FLOAT)
        {
            if (input.ElementType == TensorElementType.Float32)
            {
                input.Floats.CopyTo(output.Floats);
                return;
            }

            var src = input.Ints;
            var dst = output.Floats;
            for (int i = 0; i < src.Length; i++)
            {
                dst[i] = src[i];
            }

            return;
        }

        var o = output.Ints;
        if (input.ElementType == TensorElementType.Float32)
        {
            var f = input.Floats;
            for (int i = 0; i < f.Length; i++)
            {
                o[i] = _dst == DataType.DT_BOOL ? (f[i] != 0 ? 1 : 0) : Narrow(ToInt(f[i]));
            }
        }
        else
        {
            var s = input.Ints;
            for (int i = 0; i < s.Length; i++)
            {
                o[i] = _dst == DataType.DT_BOOL ? (s[i] != 0 ? 1 : 0) : Narrow(s[i]);
            }
        }
    }

    private static int ToInt(float v) => float.IsNaN(v) ? 0 : v >= 2147483647f ? int.MaxValue : v <= -2147483648f ? int.MinValue : (int)v;

    private int Narrow(int v) => _dst switch
    {
        DataType.DT_UINT8 => (byte)v,
        DataType.DT_INT8 => (sbyte)v,
        _ => v,
    };
}

/// <summary>Range: inputs (start, limit, delta) of one type; ceil((limit - start) / delta) values (none if negative).</summary>
[MnnOperator(OpType.Range)]
internal sealed class RangeExecutor : OperatorExecutor
{
    public override bool ShapeDependsOnInputValues => true;

    public override void Reshape(OpContext ctx)
    {
        ShapeSupport.RequireInputs(ctx, 3, 3);
        var start = ctx.Inputs[0];
        double a = Scalar(ctx, 0), limit = Scalar(ctx, 1), delta = Scalar(ctx, 2);
        if (delta == 0 || double.IsNaN(a) || double.IsNaN(limit) || double.IsNaN(delta))
        {
            throw ctx.Error("range delta is 0 or a bound is NaN");
        }

        double count = Math.Max(Math.Ceiling((limit - a) / delta), 0);
        if (count > int.MaxValue / 2)
        {
            throw new ModelBuildException(ErrorCodes.RuntimeInvalidShape, $"op '{ctx.OpName}': range of {count} values is too large");
        }

        ctx.Outputs[0].Reshape([(int)count], start.ElementType);
    }

    public override void Execute(OpContext ctx)
    {
        var output = ctx.Outputs[0];
        if (output.ElementType == TensorElementType.Float32)
        {
            float a = ctx.Inputs[0].Floats[0], d = ctx.Inputs[2].Floats[0];
            var o = output.Floats;
            for (int i = 0; i < o.Length; i++)
            {
                o[i] = a + i * d;
            }
        }
        else
        {
            int a = ctx.Inputs[0].Ints[0], d = ShapeSupport.ReadScalar(ctx, 2);
            var o = output.Ints;
            for (int i = 0; i < o.Length; i++)
            {
                o[i] = a + i * d;
            }
        }
    }

    private static double Scalar(OpContext ctx, int input)
    {
        var t = ctx.Inputs[input];
        if (t.Length != 1)
        {
            throw ctx.Error($"input {input} must be a scalar, has shape {ShapeSupport.Show(t.ShapeArray)}");
        }

        return t.ElementType == TensorElementType.Float32 ? t.Floats[0] : t.Ints[0];
    }
}

/// <summary>
/// OneHot: inputs (indices, depth, on_value, off_value), axis parameter (default -1). As upstream's kernel, an
/// index selects the position equal to it: negative and out-of-range indices give an all-off row (the converter
/// moves ONNX's negative indices into range before this op).
/// </summary>
[MnnOperator(OpType.OneHot)]
internal sealed class OneHotExecutor(OpT op) : OperatorExecutor
{
    private readonly int _axisParam = ShapeSupport.Param<OneHotParamT>(op)?.Axis ?? -1;
    private int _axis;
    private int _depth;

    public override bool ShapeDependsOnInputValues => true;

    public override void Reshape(OpContext ctx)
    {
        ShapeSupport.RequireInputs(ctx, 4, 4);
        var indices = ctx.Inputs[0].ShapeArray;
        _depth = ShapeSupport.ReadScalar(ctx, 1);
        if (_depth < 0)
        {
            throw ctx.Error($"depth {_depth} is negative");
        }

        _axis = ShapeSupport.Axis(ctx, _axisParam, indices.Length + 1);
        var shape = new List<int>(indices);
        shape.Insert(_axis, _depth);
        ctx.Outputs[0].Reshape(shape.ToArray(), ctx.Inputs[2].ElementType);
    }

    public override void Execute(OpContext ctx)
    {
        var indices = ShapeSupport.ReadInts(ctx, 0);
        var shape = ctx.Inputs[0].ShapeArray;
        int outer = ShapeSupport.Elements(shape.AsSpan(0, _axis));
        int inner = ShapeSupport.Elements(shape.AsSpan(_axis));
        var output = ctx.Outputs[0];
        if (output.ElementType == TensorElementType.Float32)
        {
            Write(output.Floats, indices, ctx.Inputs[2].Floats[0], ctx.Inputs[3].Floats[0], outer, inner);
        }
        else
        {
            Write(output.Ints, indices, ctx.Inputs[2].Ints[0], ctx.Inputs[3].Ints[0], outer, inner);
        }
    }

    private void Write<T>(Span<T> output, int[] indices, T on, T off, int outer, int inner)
    {
        output.Fill(off);
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                int idx = indices[o * inner + i];
                if (idx >= 0 && idx < _depth)
                {
                    output[(o * _depth + idx) * inner + i] = on;
                }
            }
        }
    }
}
