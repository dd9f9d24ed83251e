using ModelBuild.Converter.Graph;
using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Converter.Export.Ops;

/// <summary>
/// Slice → StridedSlice in ONNX mode (inputs data, starts, ends[, axes[, steps]]); Gather → GatherV2 with negative
/// indices wrapped to their positive form (MNN's GatherV2 does not wrap); Split → Slice (torch-style split sizes).
/// </summary>
internal static class SliceGatherEmitter
{
    public static void Register(OpEmitterTable t)
    {
        t.Add("Slice", 1, 1, SliceFromAttributes);
        t.Add("Slice", 10, SliceFromInputs);
        t.Add("Gather", Gather);
        t.Add("Split", Split);
    }

    private static void SliceFromAttributes(ExportContext ctx, Node n)
    {
        var starts = n.GetInts("starts") ?? throw ctx.Invalid(n, "starts is required");
        var ends = n.GetInts("ends") ?? throw ctx.Invalid(n, "ends is required");
        var axes = n.GetInts("axes") ?? [.. Enumerable.Range(0, starts.Length).Select(i => (long)i)];
        EmitSlice(ctx, n, ctx.In(n, 0), starts, ends, axes, null);
    }

    private static void SliceFromInputs(ExportContext ctx, Node n)
    {
        var x = ctx.In(n, 0);
        var starts = ctx.ConstantOf(n, 1)?.ToLongArray();
        var ends = ctx.ConstantOf(n, 2)?.ToLongArray();
        var axes = n.HasInput(3) ? ctx.ConstantOf(n, 3)?.ToLongArray() : null;
        var steps = n.HasInput(4) ? ctx.ConstantOf(n, 4)?.ToLongArray() : null;
        var allConstant = starts is not null && ends is not null && (!n.HasInput(3) || axes is not null) && (!n.HasInput(4) || steps is not null);
        if (allConstant)
        {
            axes ??= [.. Enumerable.Range(0, starts!.Length).Select(i => (long)i)];
            EmitSlice(ctx, n, x, starts!, ends!, axes, steps);
            return;
        }

        // Run-time bounds: pass the tensors through; axes are needed explicitly once steps are given.
        var name = n.Out0();
        var inputs = new List<int> { x, ctx.In(n, 1), ctx.In(n, 2) };
        if (n.HasInput(3))
        {
            inputs.Add(axes is null ? ctx.In(n, 3) : ctx.ConstInts(name + "/axes", NormalizeAxes(ctx, n, axes), axes.Length));
        }
        else if (n.HasInput(4))
        {
            var count = ctx.StaticShapeOf(n.Inputs[1]) is [var c] ? (int)c
                : throw ctx.UnsupportedAttribute(n, "run-time steps without axes and with starts of unknown length");
            inputs.Add(ctx.ConstInts(name + "/axes", [.. Enumerable.Range(0, count)], count));
        }

        if (n.HasInput(4))
        {
            inputs.Add(ctx.In(n, 4));
        }

        ctx.Final(n, OpType.StridedSlice, MnnParams.OnnxStridedSlice(), [.. inputs]);
    }

    private static int[] NormalizeAxes(ExportContext ctx, Node n, long[] axes)
    {
        var rank = ctx.RankOf(n.Inputs[0]);
        return axes.Select(a => rank is { } r ? ctx.NormalizeAxis(n, a, r) : checked((int)a)).ToArray();
    }

    private static void EmitSlice(ExportContext ctx, Node n, int x, long[] starts, long[] ends, long[] axes, long[]? steps)
    {
        if (starts.Length != ends.Length || axes.Length != starts.Length || (steps is not null && steps.Length != starts.Length))
        {
            throw ctx.Invalid(n, "starts, ends, axes and steps must have the same length");
        }

        if (steps is not null && steps.Contains(0))
        {
            throw ctx.Invalid(n, "steps must not be 0");
        }

        var name = n.Out0();
        var count = starts.Length;
        var inputs = new List<int>
        {
            x,
            ctx.ConstInts(name + "/starts", ConstantBlobs.ClampToInt32(starts), count),
            ctx.ConstInts(name + "/ends", ConstantBlobs.ClampToInt32(ends), count),
            ctx.ConstInts(name + "/axes", NormalizeAxes(ctx, n, axes), count),
        };
        if (steps is not null && steps.Any(s => s != 1))
        {
            inputs.Add(ctx.ConstInts(name + "/steps", ConstantBlobs.ClampToInt32(steps), count));
        }

        ctx.Final(n, OpType.StridedSlice, MnnParams.OnnxStridedSlice(), [.. inputs]);
    }

    private static void Gather(ExportContext ctx, Node n)
    {
        var rank = ctx.RequireRank(n, 0, "resolve the axis");
        var axis = ctx.NormalizeAxis(n, n.GetInt("axis", 0), rank);
        var name = n.Out0();
        var data = ctx.In(n, 0);
        var axisTensor = ctx.ConstInts(name + "/axis", [axis]);
        var dim = ctx.StaticShapeOf(n.Inputs[0])?[axis];
        int indices;
        if (ctx.ConstantOf(n, 1) is { } constant && (dim is not null || constant.ToLongArray().All(i => i >= 0)))
        {
            var values = constant.ToLongArray();
            for (var i = 0; i < values.Length; i++)
            {
                if (dim is { } d && (values[i] < -d || values[i] >= d))
                {
                    throw ctx.Invalid(n, $"index {values[i]} is out of range for dimension {d}");
                }

                values[i] = values[i] < 0 ? values[i] + dim!.Value : values[i];
            }

            indices = ctx.ConstInts(name + "/indices", ConstantBlobs.ToInt32(values, name), ConstantBlobs.Dims(constant.Shape, name));
        }
        else
        {
            // Run-time indices: (i + dim) mod dim maps [-dim, dim) onto [0, dim), as upstream emits.
            var size = dim is { } d
                ? ctx.ConstInts(name + "/dim", [checked((int)d)])
                : ctx.AddTemp(OpType.GatherV2, name + "/dim", MnnParams.GatherV2(), ctx.Shape(name + "/shape", data), ctx.ConstInts(name + "/dim_index", [axis]), ctx.ConstInts(name + "/zero", [0]));
            var shifted = ctx.Binary(name + "/shifted", BinaryOpOperation.ADD, ctx.In(n, 1), size);
            indices = ctx.Binary(name + "/wrapped", BinaryOpOperation.MOD, shifted, size);
        }

        ctx.Final(n, OpType.GatherV2, MnnParams.GatherV2(), data, indices, axisTensor);
    }

    private static void Split(ExportContext ctx, Node n)
    {
        var rank = ctx.RequireRank(n, 0, "resolve the axis");
        var axis = ctx.NormalizeAxis(n, n.GetInt("axis", 0), rank);
        var parts = n.Outputs.Count;
        if (ctx.Opset >= 13 && n.HasInput(1) && ctx.ConstantOf(n, 1) is null)
        {
            // Run-time sizes: upstream passes them as Slice input 1 (no slicePoints), read by MNN's shape code.
            // Note: with an empty part upstream MNN skips the op's geometry, so its other parts stay uncomputed.
            var outs = Enumerable.Range(0, parts).Select(i => ctx.Out(n, i)).ToArray();
            var runTime = new SliceT { Axis = axis, SlicePoints = [], SourceType = NetSource.TORCH };
            ctx.AddOp(OpType.Slice, n.Out0(), OpParameterUnion.FromSlice(runTime), [ctx.In(n, 0), ctx.In(n, 1)], outs);
            return;
        }

        long[]? sizes = ctx.Opset >= 13
            ? n.HasInput(1) ? ctx.RequireConstant(n, 1, "split").ToLongArray() : null
            : n.GetInts("split");
        var dim = ctx.StaticShapeOf(n.Inputs[0])?[axis];
        if (sizes is null && dim is { } d)
        {
            // Equal parts; opset 18 num_outputs allows a smaller last part (ceil-sized chunks).
            var chunk = (d + parts - 1) / parts;
            sizes = [.. Enumerable.Range(0, parts).Select(i => Math.Max(0, Math.Min(chunk, d - (i * chunk))))];
        }

        if (sizes is not null && sizes.Length != parts)
        {
            throw ctx.Invalid(n, $"split has {sizes.Length} sizes for {parts} outputs");
        }

        if (sizes is not null && dim is { } total && sizes.Sum() != total)
        {
            throw ctx.Invalid(n, $"split sizes sum to {sizes.Sum()}, not the dimension {total}");
        }

        if (sizes is not null && sizes.Contains(0) && sizes.Any(s => s != 0))
        {
            SplitAsSlices(ctx, n, axis, sizes);
            return;
        }

        var outputs = Enumerable.Range(0, parts).Select(i => ctx.Out(n, i)).ToArray();
        var param = new SliceT
        {
            Axis = axis,
            SlicePoints = sizes is null ? [] : [.. ConstantBlobs.ToInt32(sizes, n.Name)],
            SourceType = NetSource.TORCH,
        };
        ctx.AddOp(OpType.Slice, n.Out0(), OpParameterUnion.FromSlice(param), [ctx.In(n, 0)], outputs);
    }

    /// <summary>
    /// A split with an empty part as one StridedSlice per part: upstream MNN skips the geometry of any op with an
    /// empty output, so one multi-output Slice would leave its non-empty parts uncomputed (e.g. RotaryEmbedding's
    /// rotate / pass-through split when the whole head is rotated).
    /// </summary>
    private static void SplitAsSlices(ExportContext ctx, Node n, int axis, long[] sizes)
    {
        var x = ctx.In(n, 0);
        var offset = 0;
        for (var i = 0; i < sizes.Length; i++)
        {
            var end = checked(offset + (int)sizes[i]);
            var name = n.Outputs[i];
            ctx.AddOp(OpType.StridedSlice, name, MnnParams.OnnxStridedSlice(),
                [x, ctx.ConstInts(name + "/starts", [offset], 1), ctx.ConstInts(name + "/ends", [end], 1), ctx.ConstInts(name + "/axes", [axis], 1)],
                [ctx.Out(n, i)]);
            offset = end;
        }
    }
}
