using ModelBuild.Converter.Graph;
using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Converter.Export.Ops;

/// <summary>
/// TopK → TopKV2(x, k, axis); CumSum → CumSum(x, axis); ScatterND → ScatterNd(indices, updates, shape, data);
/// ScatterElements / Scatter → ScatterElements(data, indices, updates, axis); GatherElements → GatherElements(data, indices, axis); OneHot → OneHot(indices, depth, on, off).
/// Inputs and parameters as upstream MNNConvert writes them (its onnxextra transforms), so the files load there.
/// </summary>
internal static class IndexingEmitter
{
    public static void Register(OpEmitterTable t)
    {
        t.Add("TopK", 1, 1, TopK);
        t.Add("TopK", 10, TopK);
        t.Add("CumSum", 11, CumSum);
        t.Add("ScatterND", 11, 18, ScatterNd);
        t.Add("ScatterElements", 11, 18, ScatterElements);
        t.Add("Scatter", 9, 9, ScatterElements);
        t.Add("OneHot", 9, 11, OneHot);
        t.Add("GatherElements", 11, GatherElements);
        t.Add("GatherND", 11, GatherNd);
        t.Add("NonZero", 9, NonZero);
        t.Add("Compress", 9, Compress);
        t.Add("ReverseSequence", 10, ReverseSequence);
        t.Add("Unique", 11, Unique);
    }

    /// <summary>
    /// Unique (flattened, sorted) → Unique, as upstream writes it. Upstream's op gives the inverse indices as its second
    /// output when it has two, and (values, first indices, inverse, counts) when it has more, so every ONNX request
    /// beyond the values gets all four, the unrequested ones as temporaries.
    /// </summary>
    private static void Unique(ExportContext ctx, Node n)
    {
        if (n.Has("axis"))
        {
            throw ctx.UnsupportedAttribute(n, $"axis={n.GetInt("axis", 0)} (MNN's Unique works on the flattened tensor only; drop the axis or flatten first)");
        }

        if (n.GetInt("sorted", 1) == 0)
        {
            throw ctx.UnsupportedAttribute(n, "sorted=0 (MNN's Unique returns the values sorted; upstream refuses unsorted order)");
        }

        var name = n.Out0();
        var outputs = n.Outputs.Count == 1
            ? [ctx.Out(n, 0)]
            : Enumerable.Range(0, 4).Select(i => i < n.Outputs.Count && n.Outputs[i].Length > 0 ? ctx.Out(n, i) : ctx.Temp($"{name}/unused_{i}")).ToArray();
        ctx.AddOp(OpType.Unique, name, null, [ctx.In(n, 0)], outputs);
    }

    /// <summary>ReverseSequence(x, sequence_lens) → ReverseSequence with batchDim = batch_axis, seqDim = time_axis, as upstream writes it.</summary>
    private static void ReverseSequence(ExportContext ctx, Node n)
    {
        var (batch, time) = (n.GetInt("batch_axis", 1), n.GetInt("time_axis", 0));
        if (batch is not (0 or 1) || time is not (0 or 1) || batch == time)
        {
            throw ctx.Invalid(n, $"batch_axis {batch} and time_axis {time} must be 0 and 1 in either order");
        }

        var param = new ReverseSequenceParamT { BatchDim = (int)batch, SeqDim = (int)time };
        ctx.Final(n, OpType.ReverseSequence, OpParameterUnion.FromReverseSequenceParam(param), ctx.In(n, 0), ctx.In(n, 1));
    }

    /// <summary>GatherND → GatherND(data, indices) with batch_dims 0 (TensorFlow's gather_nd, as upstream writes it), negative indices wrapped.</summary>
    private static void GatherNd(ExportContext ctx, Node n)
    {
        var batchDims = n.GetInt("batch_dims", 0);
        if (batchDims != 0)
        {
            GatherNdBatched(ctx, n, batchDims);
            return;
        }

        // Upstream's GatherND reads indices as they are; ONNX's negative ones are wrapped first, as for ScatterND.
        var depth = ctx.StaticShapeOf(n.Inputs[1]) is { Length: > 0 } ishape ? (int)ishape[^1] : (int?)null;
        var indices = WrappedIndices(ctx, n, -1, depth is { } q ? (0, q) : null, ctx.StaticShapeOf(n.Inputs[0]), static (pos, q) => (int)(pos % q));
        ctx.Final(n, OpType.GatherND, null, ctx.In(n, 0), indices);
    }

    /// <summary>
    /// GatherND with batch_dims b, as upstream encodes it: GatherND with Axis b, whose tuples index the axes b.. with
    /// their strides from the start of params, and indices that carry each batch's offset. Here the offset is put on
    /// the first index component only (batch k adds k · params.shape[b], i.e. k · Π params.shape[b:] elements), which
    /// is exact for any tuple length; negative indices are wrapped before it is added. Needs static shapes.
    /// </summary>
    private static void GatherNdBatched(ExportContext ctx, Node n, long batchDims)
    {
        var data = ctx.RequireStaticShape(n, 0, "encode batch_dims");
        var idx = ctx.RequireStaticShape(n, 1, "encode batch_dims");
        if (batchDims < 0 || batchDims >= idx.Length || batchDims >= data.Length || idx[^1] + batchDims > data.Length)
        {
            throw ctx.Invalid(n, $"batch_dims={batchDims} does not fit data of rank {data.Length} and indices of shape [{string.Join(",", idx)}]");
        }

        var b = (int)batchDims;
        for (var i = 0; i < b; i++)
        {
            if (data[i] != idx[i])
            {
                throw ctx.Invalid(n, $"batch axis {i} has {data[i]} in data but {idx[i]} in indices");
            }
        }

        var q = (int)idx[^1];
        var name = n.Out0();
        var indices = WrappedIndices(ctx, n, -1, (b, q), data, (pos, count) => b + (int)(pos % count));
        var batches = 1L;
        for (var i = 0; i < b; i++)
        {
            batches *= idx[i];
        }

        // Shape: indices.shape[:b] + [1]·(rank − b − 1) + [q]; value k · data[b] at component 0 of batch k.
        var offsetDims = new int[idx.Length];
        for (var i = 0; i < idx.Length; i++)
        {
            offsetDims[i] = i < b ? (int)idx[i] : i == idx.Length - 1 ? q : 1;
        }

        var offsets = new int[checked((int)batches * q)];
        for (var k = 0; k < batches; k++)
        {
            offsets[k * q] = checked((int)(k * data[b]));
        }

        var shifted = ctx.Binary(name + "/batch_offset", BinaryOpOperation.ADD, indices, ctx.ConstInts(name + "/batch_offsets", offsets, offsetDims));
        ctx.Final(n, OpType.GatherND, MnnParams.Axis(b), ctx.In(n, 0), shifted);
    }

    /// <summary>
    /// NonZero → Transpose(Where(x ≠ 0)): MNN's Where gives the coordinates as [count, rank], ONNX wants [rank, count]
    /// (upstream's onnxextra writes the same; the comparison makes −0.0 and float inputs count as ONNX says).
    /// </summary>
    private static void NonZero(ExportContext ctx, Node n)
    {
        var name = n.Out0();
        var x = ctx.In(n, 0);
        var rank = ctx.RequireRank(n, 0, "transpose the coordinates");
        if (rank == 0)
        {
            throw ctx.UnsupportedAttribute(n, "a scalar input (MNN's Where needs rank ≥ 1)");
        }

        var zero = ctx.TypeOf(n.Inputs[0]) is Graph.DataType.Float ? ctx.ConstFloats(name + "/zero", [0f]) : ctx.ConstInts(name + "/zero", [0]);
        var mask = ctx.Binary(name + "/nonzero", BinaryOpOperation.NOTEQUAL, x, zero);
        var coordinates = ctx.AddTemp(OpType.Where, name + "/where", WhereParam(), mask);
        ctx.Final(n, OpType.Permute, MnnParams.Permute([1, 0]), coordinates);
    }

    /// <summary>
    /// Where needs an (empty) Extra parameter: without one upstream MNN takes the file for its old Where and gives
    /// every element a row. Upstream counts elements &gt; 0, so callers give it a 0/1 mask.
    /// </summary>
    private static OpParameterUnion WhereParam() => OpParameterUnion.FromExtra(new ExtraT());

    /// <summary>Compress → GatherV2(x or x flattened, Where(condition) flattened, axis), as upstream's onnxextra writes it.</summary>
    private static void Compress(ExportContext ctx, Node n)
    {
        var name = n.Out0();
        var x = ctx.In(n, 0);
        var axis = 0;
        if (n.Has("axis"))
        {
            axis = ctx.NormalizeAxis(n, n.GetInt("axis", 0), ctx.RequireRank(n, 0, "resolve the axis"));
        }
        else
        {
            x = ctx.AddTemp(OpType.Reshape, name + "/flat", MnnParams.Reshape([-1]), x);
        }

        var positions = ctx.AddTemp(OpType.Where, name + "/where", WhereParam(), ctx.In(n, 1));
        var flat = ctx.AddTemp(OpType.Reshape, name + "/positions", MnnParams.Reshape([-1]), positions);
        ctx.Final(n, OpType.GatherV2, MnnParams.GatherV2(), x, flat, ctx.ConstInts(name + "/axis", [axis]));
    }

    /// <summary>GatherElements → GatherElements(data, indices, axis scalar), as upstream's onnxextra writes it; indices wrapped as for ScatterElements.</summary>
    private static void GatherElements(ExportContext ctx, Node n)
    {
        var rank = ctx.RequireRank(n, 0, "resolve the gather axis");
        var axis = ctx.NormalizeAxis(n, n.GetInt("axis", 0), rank);
        var indices = WrappedIndices(ctx, n, -1, (axis, 1), ctx.StaticShapeOf(n.Inputs[0]), (_, _) => axis);
        ctx.Final(n, OpType.GatherElements, null, ctx.In(n, 0), indices, ctx.ConstInts(n.Out0() + "/axis", [axis]));
    }

    private static void TopK(ExportContext ctx, Node n)
    {
        var name = n.Out0();
        var version = Onnx.OperatorVersions.Resolve("TopK", ctx.Opset)!.Value.Semantics;
        var k = version < 10 ? ctx.ConstInts(name + "/k", [checked((int)n.GetInt("k", 0))]) : ctx.In(n, 1);
        var axis = ctx.ConstInts(name + "/axis", [ctx.AxisFor(n, n.GetInt("axis", -1))]);

        // Upstream always asks for sorted output; an unsorted request may be served sorted.
        var param = new TopKV2T { T = Runtime.Format.Schema.DataType.DT_FLOAT, Sorted = true, Largest = n.GetInt("largest", 1) != 0 };
        var indices = n.Outputs.Count > 1 && n.Outputs[1].Length > 0 ? ctx.Out(n, 1) : ctx.Temp(name + "/indices");
        ctx.AddOp(OpType.TopKV2, name, OpParameterUnion.FromTopKV2(param), [ctx.In(n, 0), k, axis], [ctx.Out(n, 0), indices]);
    }

    private static void CumSum(ExportContext ctx, Node n)
    {
        var param = new CumSumT { Exclusive = n.GetInt("exclusive", 0) != 0, Reverse = n.GetInt("reverse", 0) != 0 };
        ctx.Final(n, OpType.CumSum, OpParameterUnion.FromCumSum(param), ctx.In(n, 0), ctx.In(n, 1));
    }

    /// <summary>The BinaryOp of a scatter reduction attribute; null for "none".</summary>
    private static BinaryOpOperation? Reduction(ExportContext ctx, Node n) => n.GetString("reduction", "none") switch
    {
        "none" => null,
        "add" => BinaryOpOperation.ADD,
        "mul" => BinaryOpOperation.MUL,
        "max" => BinaryOpOperation.MAXIMUM,
        "min" => BinaryOpOperation.MINIMUM,
        var other => throw ctx.UnsupportedAttribute(n, $"reduction '{other}'"),
    };

    private static void ScatterNd(ExportContext ctx, Node n)
    {
        var name = n.Out0();
        var data = ctx.In(n, 0);
        var dataShape = ctx.StaticShapeOf(n.Inputs[0]);
        var shape = dataShape is { } s ? ctx.ConstInts(name + "/shape", ConstantBlobs.ToInt32(s, name), s.Length) : ctx.Shape(name + "/shape", data);
        var depth = ctx.StaticShapeOf(n.Inputs[1]) is { Length: > 0 } ishape ? (int)ishape[^1] : (int?)null;
        var indices = WrappedIndices(ctx, n, shape, depth is { } q ? (0, q) : null, dataShape, static (pos, q) => (int)(pos % q));
        var reduction = Reduction(ctx, n);
        ctx.Final(n, OpType.ScatterNd, reduction is { } r ? MnnParams.Binary(r) : null, indices, ctx.In(n, 2), shape, data);
    }

    private static void ScatterElements(ExportContext ctx, Node n)
    {
        var name = n.Out0();
        var rank = ctx.RequireRank(n, 0, "resolve the scatter axis");
        var axis = ctx.NormalizeAxis(n, n.GetInt("axis", 0), rank);
        var dataShape = ctx.StaticShapeOf(n.Inputs[0]);
        var indices = WrappedIndices(ctx, n, -1, (axis, 1), dataShape, (_, _) => axis);

        // Upstream always writes a BinaryOp parameter here, opType -1 meaning plain replacement.
        var op = Reduction(ctx, n) ?? (BinaryOpOperation)(-1);
        ctx.Final(n, OpType.ScatterElements, MnnParams.Binary(op), ctx.In(n, 0), indices, ctx.In(n, 2), ctx.ConstInts(name + "/axis", [axis]));
    }

    /// <summary>
    /// Indices with negative values wrapped into range, as upstream does before scattering: constant indices are
    /// wrapped here; run-time ones get i &lt; 0 ? i + dim : i, dim sliced from the data shape
    /// (<paramref name="dims"/> = (first axis, count); <paramref name="axisOf"/> maps a flat index position to its data axis). Unknown dims leave them to the runtime, which wraps too.
    /// </summary>
    private static int WrappedIndices(ExportContext ctx, Node n, int shapeTensor, (int First, int Count)? dims, long[]? dataShape, Func<long, int, int> axisOf)
    {
        var name = n.Out0();
        if (ctx.ConstantOf(n, 1) is { } c && dataShape is not null && dims is { } d && c.Ints is { } raw)
        {
            var wrapped = new long[raw.Length];
            for (var i = 0; i < raw.Length; i++)
            {
                var dim = dataShape[axisOf(i, d.Count)];
                wrapped[i] = raw[i] < 0 ? raw[i] + dim : raw[i];
            }

            return ctx.ConstInts(name + "/indices", ConstantBlobs.ToInt32(wrapped, name), ConstantBlobs.Dims(c.Shape, name));
        }

        if (dims is not { } dd)
        {
            return ctx.In(n, 1);
        }

        var shape = shapeTensor >= 0 ? shapeTensor : ctx.Shape(name + "/data_shape", ctx.In(n, 0));
        var size = ctx.ShapeDims(name + "/dim", shape, dd.First, dd.First + dd.Count);
        // Only negative indices move (by dim): out-of-range ones stay out of range, so the runtime reports them.
        var shifted = ctx.Binary(name + "/indices_shifted", BinaryOpOperation.ADD, ctx.In(n, 1), size);
        var negative = ctx.Binary(name + "/indices_negative", BinaryOpOperation.GREATER, ctx.ConstInts(name + "/zero", [0]), ctx.In(n, 1));
        return ctx.AddTemp(OpType.Select, name + "/indices_wrapped", null, negative, shifted, ctx.In(n, 1));
    }

    /// <summary>
    /// Upstream's OneHot kernel reads indices and depth as int32 and matches indices literally, so they are made
    /// int32 here (Cast when float) and negative indices are moved up by depth (ONNX counts them from the end);
    /// values below −depth stay negative and select nothing, as ONNX wants.
    /// </summary>
    private static void OneHot(ExportContext ctx, Node n)
    {
        var name = n.Out0();
        int on, off;
        if (ctx.ConstantOf(n, 2) is { ElementCount: 2 } values)
        {
            on = values.IsFloat ? ctx.ConstFloats(name + "/on", [values.Floats![1]]) : ctx.ConstInts(name + "/on", ConstantBlobs.ToInt32([values.Ints![1]], name));
            off = values.IsFloat ? ctx.ConstFloats(name + "/off", [values.Floats![0]]) : ctx.ConstInts(name + "/off", ConstantBlobs.ToInt32([values.Ints![0]], name));
        }
        else
        {
            // values = [off, on]: two scalar gathers along axis 0.
            var v = ctx.In(n, 2);
            off = ctx.AddTemp(OpType.GatherV2, name + "/off", MnnParams.GatherV2(), v, ctx.ConstInts(name + "/off_index", [0]), ctx.ConstInts(name + "/gather_axis", [0]));
            on = ctx.AddTemp(OpType.GatherV2, name + "/on", MnnParams.GatherV2(), v, ctx.ConstInts(name + "/on_index", [1]), ctx.ConstInts(name + "/gather_axis", [0]));
        }

        var depthData = ctx.ConstantOf(n, 1);
        if (depthData is not null && depthData.ElementCount != 1)
        {
            throw ctx.Invalid(n, "depth must hold exactly one value");
        }

        var depthValue = depthData is null ? (long?)null : (long)depthData.GetDouble(0);
        var depth = depthValue is { } d ? ctx.ConstInts(name + "/depth", ConstantBlobs.ToInt32([d], name)) : AsInt32(ctx, n, 1, "depth");
        var indices = OneHotIndices(ctx, n, depth, depthValue);
        var param = new OneHotParamT { DType = Runtime.Format.Schema.DataType.DT_FLOAT, Axis = checked((int)n.GetInt("axis", -1)) };
        ctx.Final(n, OpType.OneHot, OpParameterUnion.FromOneHotParam(param), indices, depth, on, off);
    }

    private static int OneHotIndices(ExportContext ctx, Node n, int depth, long? depthValue)
    {
        var name = n.Out0();
        if (ctx.ConstantOf(n, 0) is { } c && depthValue is { } d)
        {
            var raw = c.ToLongArray();
            var wrapped = raw.Select(i => i < 0 ? i + d : i).ToArray();
            return ctx.ConstInts(name + "/indices", ConstantBlobs.ToInt32(wrapped, name), ConstantBlobs.Dims(c.Shape, name));
        }

        var indices = AsInt32(ctx, n, 0, "indices");
        var negative = ctx.Binary(name + "/negative", BinaryOpOperation.LESS, indices, ctx.ConstInts(name + "/zero", [0]));
        var shifted = ctx.Binary(name + "/shifted", BinaryOpOperation.ADD, indices, depth);
        return ctx.AddTemp(OpType.Select, name + "/indices", null, negative, shifted, indices);
    }

    /// <summary>Node input <paramref name="i"/> as int32: a Cast (truncating, as ONNX Runtime reads them) when float.</summary>
    private static int AsInt32(ExportContext ctx, Node n, int i, string role)
    {
        var x = ctx.In(n, i);
        return ctx.IsFloat(n.Inputs[i])
            ? ctx.AddTemp(OpType.Cast, $"{n.Out0()}/{role}_int", OpParameterUnion.FromCastParam(new CastParamT
            {
                SrcT = Runtime.Format.Schema.DataType.DT_FLOAT,
                DstT = Runtime.Format.Schema.DataType.DT_INT32,
            }), x)
            : x;
    }
}
