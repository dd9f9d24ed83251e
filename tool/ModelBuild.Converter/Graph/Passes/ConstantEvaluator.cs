namespace ModelBuild.Converter.Graph.Passes;

/// <summary>
/// Evaluates the shape/integer family and simple element-wise ops on constant inputs (see
/// <see cref="ConstantFolding"/>). Returns null when the op is not foldable here. Output shapes come
/// from <see cref="ShapeRules"/>, which are exact once inputs are constant.
/// </summary>
internal static class ConstantEvaluator
{
    /// <summary>Results larger than this are left to run time.</summary>
    public const long MaxElements = 16L << 20;

    public static TensorData? Evaluate(ModelGraph g, Node n)
    {
        var c = new ShapeRules.Ctx(g, n);
        var outShape = () => ShapeRules.Infer(g, n) is [{ Shape: { } s }, ..] && s.All(d => d.IsKnown) ? s.Select(d => d.Value!.Value).ToArray() : null;
        var x = c.Const(0);
        switch (n.OpType)
        {
            case "Shape":
                {
                    var shape = c.Shape(0);
                    if (shape is null)
                    {
                        return null;
                    }

                    var (s, e) = ShapeRules.ShapeSlice(n, shape.Length);
                    var part = shape[s..e];
                    return part.All(d => d.IsKnown) ? TensorData.Vector(part.Select(d => d.Value!.Value).ToArray()) : null;
                }

            case "Size":
                return c.In(0) is { HasStaticShape: true } v ? TensorData.Scalar(v.StaticShape!.Aggregate(1L, (p, d) => p * d)) : null;
        }

        // Every other op needs all present inputs constant.
        for (var i = 0; i < n.Inputs.Count; i++)
        {
            if (n.HasInput(i) && c.Const(i) is null)
            {
                return null;
            }
        }

        if (x is null && n.OpType is not ("Range"))
        {
            return null;
        }

        switch (n.OpType)
        {
            case "Identity" or "Reshape" or "Squeeze" or "Unsqueeze" or "Flatten":
                return outShape() is { } rs ? WithShape(x!, rs) : null;
            case "Cast":
                return Cast(x!, (DataType)n.GetInt("to", (long)x!.Type));
            case "Not":
                return Map(x!, DataType.Bool, a => a != 0 ? 0 : 1);
            case "Add" or "Sub" or "Mul" or "Div" or "Equal" or "Less" or "Greater" or "Min" or "Max" when n.Inputs.Count == 2:
                return Binary(c, n.OpType, x!, c.Const(1)!, outShape());
            case "Abs":
                return x!.IsFloat ? MapFloat(x, MathF.Abs) : MapInt(x, v => Math.Abs(v));
            case "Floor" when x!.IsFloat:
                return MapFloat(x, MathF.Floor);
            case "Ceil" when x!.IsFloat:
                return MapFloat(x, MathF.Ceiling);
            case "Relu":
                // max(x, 0) with NaN kept (as ONNX Runtime)
                return x!.IsFloat ? MapFloat(x, v => v > 0 || float.IsNaN(v) ? v : 0f) : MapInt(x, v => Math.Max(v, 0));
            case "MatMul" when n.Inputs.Count == 2:
                return MatMul(x!, c.Const(1)!, outShape());
            case "Where":
                return Where(c, outShape());
            case "Gather":
                return Gather(c, x!, c.Const(1)!, outShape());
            case "Concat":
                return Concat(c, outShape());
            case "Slice":
                return Slice(c, x!, outShape());
            case "Transpose":
                return Transpose(c, x!, outShape());
            case "Expand":
                return outShape() is { } es && Count(es) <= MaxElements ? Gathered(x!, es, BroadcastIndex(x!.Shape, es)) : null;
            case "ConstantOfShape":
                {
                    var shape = x!.ToLongArray();
                    if (shape.Any(d => d < 0) || Count(shape) > MaxElements)
                    {
                        return null;
                    }

                    var value = n.GetTensor("value") ?? TensorData.Scalar(0f);
                    var count = Count(shape);
                    return value.IsFloat
                        ? new TensorData(value.Type, shape, Enumerable.Repeat(value.Floats![0], (int)count).ToArray())
                        : new TensorData(value.Type, shape, Enumerable.Repeat(value.Ints![0], (int)count).ToArray());
                }

            case "Range":
                return Range(c);
            case "ReduceProd" or "ReduceSum" when !x!.IsFloat:
                return ReduceInts(c, x, outShape());
        }

        return null;
    }

    private static long Count(long[] shape) => shape.Aggregate(1L, (p, d) => p > MaxElements || d > MaxElements ? MaxElements + 1 : p * d);

    private static TensorData WithShape(TensorData x, long[] shape) =>
        x.IsFloat ? new TensorData(x.Type, shape, x.Floats!) : new TensorData(x.Type, shape, x.Ints!);

    private static TensorData Map(TensorData x, DataType type, Func<double, long> f) =>
        new(type, x.Shape, Enumerable.Range(0, (int)x.ElementCount).Select(i => f(x.GetDouble(i))).ToArray());

    private static TensorData MapFloat(TensorData x, Func<float, float> f) => new(x.Type, x.Shape, x.Floats!.Select(f).ToArray());

    private static TensorData MapInt(TensorData x, Func<long, long> f) => new(x.Type, x.Shape, x.Ints!.Select(v => Wrap(x.Type, unchecked(f(v)))).ToArray());

    /// <summary>Multiply-adds a folded MatMul may cost; larger ones are left to run time.</summary>
    private const long MaxMatMulWork = 1L << 26;

    /// <summary>
    /// numpy matmul: 1-D operands gain (and lose) a unit axis, batch axes broadcast. Floats accumulate in double
    /// and round once (no worse than any run-time order); integers wrap to their type.
    /// </summary>
    private static TensorData? MatMul(TensorData a, TensorData b, long[]? shape)
    {
        if (shape is null || a.IsFloat != b.IsFloat || a.Shape.Length == 0 || b.Shape.Length == 0)
        {
            return null;
        }

        var aS = a.Shape.Length == 1 ? [1, a.Shape[0]] : a.Shape;
        var bS = b.Shape.Length == 1 ? [b.Shape[0], 1] : b.Shape;
        long m = aS[^2], k = aS[^1], nn = bS[^1];
        if (bS[^2] != k)
        {
            return null;
        }

        var aBatch = aS[..^2];
        var bBatch = bS[..^2];
        var rank = Math.Max(aBatch.Length, bBatch.Length);
        var batch = new long[rank];
        for (var i = 0; i < rank; i++)
        {
            var da = i - (rank - aBatch.Length) is var ja && ja >= 0 ? aBatch[ja] : 1;
            var db = i - (rank - bBatch.Length) is var jb && jb >= 0 ? bBatch[jb] : 1;
            if (da != db && da != 1 && db != 1)
            {
                return null;
            }

            batch[i] = Math.Max(da, db);
        }

        var batches = Count(batch);
        if (batches * m * nn != Count(shape) || Count(shape) > MaxElements || batches * m * nn > MaxMatMulWork / Math.Max(k, 1))
        {
            return null;
        }

        var ia = BroadcastIndex(aBatch, batch);
        var ib = BroadcastIndex(bBatch, batch);
        var total = (int)(batches * m * nn);
        var floats = a.IsFloat ? new float[total] : null;
        var ints = a.IsFloat ? null : new long[total];
        for (long t = 0; t < batches; t++)
        {
            long aBase = ia(t) * m * k, bBase = ib(t) * k * nn;
            for (long r = 0; r < m; r++)
            {
                for (long col = 0; col < nn; col++)
                {
                    var o = (t * m * nn) + (r * nn) + col;
                    if (floats is not null)
                    {
                        double acc = 0;
                        for (long j = 0; j < k; j++)
                        {
                            acc += (double)a.Floats![aBase + (r * k) + j] * b.Floats![bBase + (j * nn) + col];
                        }

                        floats[o] = (float)acc;
                    }
                    else
                    {
                        long acc = 0;
                        for (long j = 0; j < k; j++)
                        {
                            acc = unchecked(acc + (a.Ints![aBase + (r * k) + j] * b.Ints![bBase + (j * nn) + col]));
                        }

                        ints![o] = Wrap(a.Type, acc);
                    }
                }
            }
        }

        return floats is not null ? new TensorData(a.Type, shape, floats) : new TensorData(a.Type, shape, ints!);
    }

    internal static TensorData Cast(TensorData x, DataType to)
    {
        var n = (int)x.ElementCount;
        switch (to)
        {
            case DataType.Float or DataType.Double:
                return new TensorData(to, x.Shape, Enumerable.Range(0, n).Select(i => (float)x.GetDouble(i)).ToArray());
            case DataType.Float16:
                return new TensorData(to, x.Shape, Enumerable.Range(0, n).Select(i => (float)(Half)x.GetDouble(i)).ToArray());
            case DataType.BFloat16:
                return new TensorData(to, x.Shape, Enumerable.Range(0, n).Select(i => Onnx.TensorProtoCodec.BFloat16ToFloat(Onnx.TensorProtoCodec.FloatToBFloat16((float)x.GetDouble(i)))).ToArray());
            case DataType.Bool:
                return new TensorData(to, x.Shape, Enumerable.Range(0, n).Select(i => x.GetDouble(i) != 0 ? 1L : 0L).ToArray());
            case DataType.Int8 or DataType.UInt8 or DataType.Int16 or DataType.UInt16 or DataType.Int32 or DataType.UInt32 or DataType.Int64 or DataType.UInt64:
                return new TensorData(to, x.Shape, Enumerable.Range(0, n).Select(i => Wrap(to, x.IsFloat ? Truncate(x.Floats![i]) : x.Ints![i])).ToArray());
            default:
                throw new ModelBuildException(ErrorCodes.UnsupportedDataType, $"Cast to {to} is not supported");
        }
    }

    private static long Truncate(float f) => float.IsNaN(f) ? 0 : f >= 9.2e18f ? long.MaxValue : f <= -9.2e18f ? long.MinValue : (long)f;

    /// <summary>Integer results wrap to the width of their element type.</summary>
    internal static long Wrap(DataType t, long v) => t switch
    {
        DataType.Int8 => (sbyte)v,
        DataType.UInt8 => (byte)v,
        DataType.Int16 => (short)v,
        DataType.UInt16 => (ushort)v,
        DataType.Int32 => (int)v,
        DataType.UInt32 => (uint)v,
        DataType.Bool => v != 0 ? 1 : 0,
        _ => v,
    };

    /// <summary>For each output element, the index of the input element it broadcasts from.</summary>
    private static Func<long, long> BroadcastIndex(long[] inShape, long[] outShape)
    {
        var rank = outShape.Length;
        var offset = rank - inShape.Length;
        var inStrides = new long[rank];
        long stride = 1;
        for (var k = rank - 1; k >= 0; k--)
        {
            var d = k >= offset ? inShape[k - offset] : 1;
            inStrides[k] = d == 1 ? 0 : stride;
            stride *= d;
        }

        return o =>
        {
            long idx = 0;
            for (var k = rank - 1; k >= 0; k--)
            {
                var coord = o % outShape[k];
                o /= outShape[k];
                idx += coord * inStrides[k];
            }

            return idx;
        };
    }

    private static TensorData Gathered(TensorData src, long[] shape, Func<long, long> index)
    {
        var count = (int)Count(shape);
        return src.IsFloat
            ? new TensorData(src.Type, shape, Enumerable.Range(0, count).Select(i => src.Floats![index(i)]).ToArray())
            : new TensorData(src.Type, shape, Enumerable.Range(0, count).Select(i => src.Ints![index(i)]).ToArray());
    }

    private static TensorData? Binary(ShapeRules.Ctx c, string op, TensorData a, TensorData b, long[]? shape)
    {
        if (shape is null || Count(shape) > MaxElements)
        {
            return null;
        }

        var ia = BroadcastIndex(a.Shape, shape);
        var ib = BroadcastIndex(b.Shape, shape);
        var count = (int)Count(shape);
        if (op is "Equal" or "Less" or "Greater")
        {
            return new TensorData(DataType.Bool, shape, Enumerable.Range(0, count).Select(i =>
            {
                double x = a.GetDouble(ia(i)), y = b.GetDouble(ib(i));
                return (op == "Equal" ? x == y : op == "Less" ? x < y : x > y) ? 1L : 0L;
            }).ToArray());
        }

        if (a.IsFloat || b.IsFloat)
        {
            return new TensorData(a.Type, shape, Enumerable.Range(0, count).Select(i =>
            {
                float x = (float)a.GetDouble(ia(i)), y = (float)b.GetDouble(ib(i));
                return op switch { "Add" => x + y, "Sub" => x - y, "Mul" => x * y, "Div" => x / y, "Min" => MathF.Min(x, y), _ => MathF.Max(x, y) };
            }).ToArray());
        }

        var result = new long[count];
        for (var i = 0; i < count; i++)
        {
            long x = a.Ints![ia(i)], y = b.Ints![ib(i)];
            if (op == "Div" && y == 0)
            {
                throw c.Error("integer division by zero in a constant expression");
            }

            result[i] = Wrap(a.Type, unchecked(op switch { "Add" => x + y, "Sub" => x - y, "Mul" => x * y, "Div" => x / y, "Min" => Math.Min(x, y), _ => Math.Max(x, y) }));
        }

        return new TensorData(a.Type, shape, result);
    }

    private static TensorData? Where(ShapeRules.Ctx c, long[]? shape)
    {
        if (shape is null || Count(shape) > MaxElements)
        {
            return null;
        }

        TensorData cond = c.Const(0)!, a = c.Const(1)!, b = c.Const(2)!;
        if (a.IsFloat != b.IsFloat)
        {
            return null;
        }

        var ic = BroadcastIndex(cond.Shape, shape);
        var ia = BroadcastIndex(a.Shape, shape);
        var ib = BroadcastIndex(b.Shape, shape);
        var count = (int)Count(shape);
        return a.IsFloat
            ? new TensorData(a.Type, shape, Enumerable.Range(0, count).Select(i => cond.GetLong(ic(i)) != 0 ? a.Floats![ia(i)] : b.Floats![ib(i)]).ToArray())
            : new TensorData(a.Type, shape, Enumerable.Range(0, count).Select(i => cond.GetLong(ic(i)) != 0 ? a.Ints![ia(i)] : b.Ints![ib(i)]).ToArray());
    }

    private static TensorData? Gather(ShapeRules.Ctx c, TensorData x, TensorData idx, long[]? shape)
    {
        if (shape is null || Count(shape) > MaxElements || x.Shape.Length == 0)
        {
            return null;
        }

        var axis = c.Axis(c.N.GetInt("axis", 0), x.Shape.Length);
        var outer = x.Shape[..axis].Aggregate(1L, (p, d) => p * d);
        var inner = x.Shape[(axis + 1)..].Aggregate(1L, (p, d) => p * d);
        var dim = x.Shape[axis];
        var ids = idx.ToLongArray().Select(i =>
            i < -dim || i >= dim ? throw c.Error($"Gather index {i} is out of range for axis size {dim}") : i < 0 ? i + dim : i).ToArray();
        var n = ids.LongLength;
        return Gathered(x, shape, o =>
        {
            var inIdx = o % inner;
            var rest = o / inner;
            var k = rest % n;
            var outerIdx = rest / n;
            return ((outerIdx * dim) + ids[k]) * inner + inIdx;
        });
    }

    private static TensorData? Concat(ShapeRules.Ctx c, long[]? shape)
    {
        if (shape is null || Count(shape) > MaxElements)
        {
            return null;
        }

        var parts = Enumerable.Range(0, c.N.Inputs.Count).Where(c.N.HasInput).Select(i => c.Const(i)!).ToList();
        if (parts.Any(p => p.IsFloat != parts[0].IsFloat))
        {
            return null;
        }

        var axis = c.Axis(c.N.GetInt("axis", 0), shape.Length);
        var outer = shape[..axis].Aggregate(1L, (p, d) => p * d);
        var floats = new List<float>();
        var ints = new List<long>();
        for (long o = 0; o < outer; o++)
        {
            foreach (var p in parts)
            {
                var block = p.Shape[axis..].Aggregate(1L, (q, d) => q * d);
                for (long j = 0; j < block; j++)
                {
                    if (p.IsFloat)
                    {
                        floats.Add(p.Floats![(o * block) + j]);
                    }
                    else
                    {
                        ints.Add(p.Ints![(o * block) + j]);
                    }
                }
            }
        }

        return parts[0].IsFloat ? new TensorData(parts[0].Type, shape, floats.ToArray()) : new TensorData(parts[0].Type, shape, ints.ToArray());
    }

    private static TensorData? Slice(ShapeRules.Ctx c, TensorData x, long[]? shape)
    {
        if (shape is null || Count(shape) > MaxElements)
        {
            return null;
        }

        var rank = x.Shape.Length;
        long[] starts, ends, axes, steps;
        if (c.Opset < 10)
        {
            starts = c.N.GetInts("starts")!;
            ends = c.N.GetInts("ends")!;
            axes = c.N.GetInts("axes") ?? Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray();
            steps = Enumerable.Repeat(1L, starts.Length).ToArray();
        }
        else
        {
            starts = c.ConstInts(1)!;
            ends = c.ConstInts(2)!;
            axes = c.N.HasInput(3) ? c.ConstInts(3)! : Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray();
            steps = c.N.HasInput(4) ? c.ConstInts(4)! : Enumerable.Repeat(1L, starts.Length).ToArray();
        }

        var first = new long[rank];
        var step = Enumerable.Repeat(1L, rank).ToArray();
        for (var i = 0; i < starts.Length; i++)
        {
            var a = c.Axis(axes[i], rank);
            first[a] = ShapeRules.SliceRange(starts[i], ends[i], steps[i], x.Shape[a]).Start;
            step[a] = steps[i];
        }

        var inStrides = Strides(x.Shape);
        return Gathered(x, shape, o =>
        {
            long idx = 0;
            for (var k = rank - 1; k >= 0; k--)
            {
                var coord = o % shape[k];
                o /= shape[k];
                idx += (first[k] + (coord * step[k])) * inStrides[k];
            }

            return idx;
        });
    }

    private static TensorData? Transpose(ShapeRules.Ctx c, TensorData x, long[]? shape)
    {
        if (shape is null)
        {
            return null;
        }

        var rank = x.Shape.Length;
        var perm = c.N.GetInts("perm") ?? Enumerable.Range(0, rank).Reverse().Select(i => (long)i).ToArray();
        var inStrides = Strides(x.Shape);
        return Gathered(x, shape, o =>
        {
            long idx = 0;
            for (var k = rank - 1; k >= 0; k--)
            {
                var coord = o % shape[k];
                o /= shape[k];
                idx += coord * inStrides[perm[k]];
            }

            return idx;
        });
    }

    private static TensorData? Range(ShapeRules.Ctx c)
    {
        TensorData? s = c.Const(0), l = c.Const(1), d = c.Const(2);
        if (s is null || l is null || d is null)
        {
            return null;
        }

        var count = ShapeRules.RangeCount(s.GetDouble(0), l.GetDouble(0), d.GetDouble(0), c);
        if (count > MaxElements)
        {
            return null;
        }

        return s.IsFloat
            ? new TensorData(s.Type, [count], Enumerable.Range(0, (int)count).Select(i => (float)(s.GetDouble(0) + (i * d.GetDouble(0)))).ToArray())
            : new TensorData(s.Type, [count], Enumerable.Range(0, (int)count).Select(i => s.GetLong(0) + (i * d.GetLong(0))).ToArray());
    }

    private static TensorData? ReduceInts(ShapeRules.Ctx c, TensorData x, long[]? shape)
    {
        if (shape is null)
        {
            return null;
        }

        var rank = x.Shape.Length;
        var axesFromInput = c.N.OpType == "ReduceSum" ? c.Opset >= 13 : c.Opset >= 18;
        var axes = (axesFromInput ? (c.N.HasInput(1) ? c.ConstInts(1) : []) : c.N.GetInts("axes") ?? [])!;
        if (axes.Length == 0 && axesFromInput && c.N.GetInt("noop_with_empty_axes", 0) != 0)
        {
            return x;
        }

        var reduced = axes.Length == 0 ? Enumerable.Range(0, rank).ToHashSet() : axes.Select(a => c.Axis(a, rank)).ToHashSet();
        var keptShape = x.Shape.Select((d, i) => reduced.Contains(i) ? 1 : d).ToArray();
        var keptStrides = Strides(keptShape);
        var result = Enumerable.Repeat(c.N.OpType == "ReduceProd" ? 1L : 0L, (int)Count(keptShape)).ToArray();
        for (long i = 0; i < x.ElementCount; i++)
        {
            long rem = i, target = 0;
            for (var k = rank - 1; k >= 0; k--)
            {
                var coord = rem % x.Shape[k];
                rem /= x.Shape[k];
                target += reduced.Contains(k) ? 0 : coord * keptStrides[k];
            }

            result[target] = Wrap(x.Type, c.N.OpType == "ReduceProd" ? unchecked(result[target] * x.Ints![i]) : unchecked(result[target] + x.Ints![i]));
        }

        return new TensorData(x.Type, shape, result);
    }

    private static long[] Strides(long[] shape)
    {
        var strides = new long[shape.Length];
        long s = 1;
        for (var k = shape.Length - 1; k >= 0; k--)
        {
            strides[k] = s;
            s *= shape[k];
        }

        return strides;
    }
}
