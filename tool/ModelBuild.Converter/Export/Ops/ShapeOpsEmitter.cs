using ModelBuild.Converter.Graph;
using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Converter.Export.Ops;

/// <summary>
/// Shape-changing ops: Reshape, Flatten, Transpose (Permute), Squeeze, Unsqueeze, Expand (BroadcastTo), Tile,
/// Concat, Shape, Size, DepthToSpace, SpaceToDepth. Shape inputs that were not folded stay run-time tensors.
/// </summary>
internal static class ShapeOpsEmitter
{
    public static void Register(OpEmitterTable t)
    {
        t.AddSinceFirst("Reshape", Reshape);
        t.Add("Flatten", Flatten);
        t.Add("Transpose", Transpose);
        t.Add("Squeeze", Squeeze);
        t.Add("Unsqueeze", Unsqueeze);
        t.Add("Expand", (ctx, n) => ctx.Final(n, OpType.BroadcastTo, null, ctx.In(n, 0), ctx.In(n, 1)));
        t.Add("Tile", Tile);
        t.AddSinceFirst("Concat", Concat);
        t.Add("Shape", Shape);
        t.Add("Size", (ctx, n) => ctx.Final(n, OpType.Size, null, ctx.In(n, 0)));
        t.Add("DepthToSpace", (ctx, n) => DepthSpace(ctx, n, OpType.DepthToSpace));
        t.Add("SpaceToDepth", (ctx, n) => DepthSpace(ctx, n, OpType.SpaceToDepth));
    }

    private static void Reshape(ExportContext ctx, Node n)
    {
        var x = ctx.In(n, 0);
        if (ctx.Opset < 5)
        {
            var dims = n.GetInts("shape") ?? throw ctx.Invalid(n, "shape attribute is required");
            ctx.Final(n, OpType.Reshape, MnnParams.Reshape(), x, ctx.ConstInts(n.Out0() + "/shape", ConstantBlobs.ToInt32(dims, n.Name), dims.Length));
            return;
        }

        var shape = ctx.ConstantOf(n, 1);
        if (n.GetInt("allowzero", 0) != 0 && (shape is null || shape.ToLongArray().Contains(0)))
        {
            ReshapeAllowZero(ctx, n, shape);
            return;
        }

        ctx.Final(n, OpType.Reshape, MnnParams.Reshape(), x, ctx.In(n, 1));
    }

    /// <summary>
    /// allowzero=1 where the shape may hold a literal 0, which MNN's Reshape reads as "copy this dimension". A 0 in
    /// the target means no elements, so: an input known to have elements cannot meet a valid 0 and reshapes as usual;
    /// an input known to be empty becomes Fill(max(shape, 0), 0) in its element type (ONNX forbids 0 beside −1, and
    /// a −1 beside no 0 resolves to 0 for an empty input). An input of unknown shape is refused.
    /// </summary>
    private static void ReshapeAllowZero(ExportContext ctx, Node n, TensorData? shape)
    {
        var input = ctx.RequireStaticShape(n, 0, "reshape with allowzero=1 to a shape that may hold a 0");
        var name = n.Out0();
        var dims = shape?.ToLongArray();
        if (dims is not null && dims.Contains(0) && dims.Any(d => d < 0))
        {
            throw ctx.Invalid(n, $"allowzero=1 with a shape [{string.Join(",", dims)}] holding both 0 and a negative entry");
        }

        if (input.Aggregate(1L, (p, d) => p * d) != 0)
        {
            if (dims is not null && dims.Contains(0))
            {
                throw ctx.Invalid(n, $"input of shape [{string.Join(",", input)}] has elements but the target shape [{string.Join(",", dims)}] (allowzero=1) has none");
            }

            ctx.Final(n, OpType.Reshape, MnnParams.Reshape(), ctx.In(n, 0), ctx.In(n, 1));
            return;
        }

        var target = dims is not null
            ? ctx.ConstInts(name + "/shape", ConstantBlobs.ToInt32(dims.Select(d => Math.Max(d, 0)).ToArray(), name), dims.Length)
            : ctx.Binary(name + "/shape", BinaryOpOperation.MAXIMUM, ctx.In(n, 1), ctx.ConstInts(name + "/zero", [0]));
        ctx.Final(n, OpType.Fill, null, target, ctx.ConstScalarLike(name + "/value", n.Inputs[0], 0));
    }

    private static void Flatten(ExportContext ctx, Node n)
    {
        var rank = ctx.RequireRank(n, 0, "resolve the axis");
        var axis = n.GetInt("axis", 1);
        var a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a > rank)
        {
            throw ctx.Invalid(n, $"axis {axis} is out of range for rank {rank}");
        }

        var x = ctx.In(n, 0);
        var name = n.Out0();
        if (a == 0 || a == rank)
        {
            int[] target = a == 0 ? [1, -1] : [-1, 1];
            ctx.Final(n, OpType.Reshape, MnnParams.Reshape(), x, ctx.ConstInts(name + "/shape", target, 2));
            return;
        }

        ctx.Final(n, OpType.Flatten, OpParameterUnion.FromFlatten(new FlattenT { Axis = (int)a, EndAxis = 0 }), x);
    }

    private static void Transpose(ExportContext ctx, Node n)
    {
        var perm = n.GetInts("perm");
        int[] dims;
        if (perm is null)
        {
            var rank = ctx.RequireRank(n, 0, "reverse the axes (no perm)");
            dims = Enumerable.Range(0, rank).Reverse().ToArray();
        }
        else
        {
            dims = perm.Select(p => checked((int)p)).ToArray();
            if (dims.Order().Where((v, i) => v != i).Any())
            {
                throw ctx.Invalid(n, $"perm [{string.Join(",", perm)}] is not a permutation");
            }
        }

        ctx.Final(n, OpType.Permute, MnnParams.Permute(dims), ctx.In(n, 0));
    }

    /// <summary>Axes of Squeeze/Unsqueeze: attribute before opset 13, constant input from 13.</summary>
    private static long[]? AxesOf(ExportContext ctx, Node n) =>
        ctx.Opset >= 13
            ? n.HasInput(1) ? ctx.RequireConstant(n, 1, "axes").ToLongArray() : null
            : n.GetInts("axes");

    /// <summary>
    /// Opset 13+ axes that arrive at run time: upstream leaves SqueezeParam.squeezeDims absent and passes the axes
    /// tensor as input 1, which MNN's shape code reads when the parameter has no dims.
    /// </summary>
    private static bool RunTimeAxes(ExportContext ctx, Node n, OpType type)
    {
        if (ctx.Opset < 13 || !n.HasInput(1) || ctx.ConstantOf(n, 1) is not null)
        {
            return false;
        }

        ctx.Final(n, type, MnnParams.SqueezeFromInput(), ctx.In(n, 0), ctx.In(n, 1));
        return true;
    }

    private static void Squeeze(ExportContext ctx, Node n)
    {
        if (RunTimeAxes(ctx, n, OpType.Squeeze))
        {
            return;
        }

        var axes = AxesOf(ctx, n) ?? [];
        var rank = ctx.RankOf(n.Inputs[0]);
        var dims = axes.Select(a => rank is { } r ? ctx.NormalizeAxis(n, a, r)
            : a >= 0 ? checked((int)a) : throw new ModelBuildException(ErrorCodes.UnsupportedDynamicShape,
                $"operator Squeeze (opset {ctx.Opset}) {ctx.Where(n)}: negative axes need a known input rank")).Distinct().Order().ToArray();
        if (dims.Length == 0 && rank is not null && ctx.StaticShapeOf(n.Inputs[0]) is { } shape)
        {
            dims = [.. Enumerable.Range(0, shape.Length).Where(i => shape[i] == 1)];
            if (dims.Length == 0)
            {
                ctx.Final(n, OpType.Identity, null, ctx.In(n, 0));
                return;
            }
        }

        ctx.Final(n, OpType.Squeeze, MnnParams.Squeeze(dims), ctx.In(n, 0));
    }

    private static void Unsqueeze(ExportContext ctx, Node n)
    {
        if (RunTimeAxes(ctx, n, OpType.Unsqueeze))
        {
            return;
        }

        var axes = AxesOf(ctx, n) ?? throw ctx.Invalid(n, "axes are required");
        var rank = ctx.RankOf(n.Inputs[0]);
        var outRank = rank + axes.Length;
        // Unknown rank: negative axes stay negative; MNN's Unsqueeze (upstream's and ours) counts them from the end of
        // the output shape, as ONNX does.
        var dims = axes.Select(a => outRank is { } r ? ctx.NormalizeAxis(n, a, r) : checked((int)a)).Order().ToArray();
        if (dims.Distinct().Count() != dims.Length)
        {
            throw ctx.Invalid(n, "axes repeat");
        }

        ctx.Final(n, OpType.Unsqueeze, MnnParams.Squeeze(dims), ctx.In(n, 0));
    }

    private static void Tile(ExportContext ctx, Node n)
    {
        ctx.Final(n, OpType.Tile, null, ctx.In(n, 0), ctx.In(n, 1));
    }

    private static void Concat(ExportContext ctx, Node n)
    {
        var inputs = Enumerable.Range(0, n.Inputs.Count).Where(n.HasInput).Select(i => ctx.In(n, i)).ToArray();
        var axis = ctx.AxisFor(n, n.GetInt("axis", ctx.Opset < 4 ? 1 : 0));
        ctx.Final(n, OpType.Concat, MnnParams.Axis(axis), inputs);
    }

    private static void Shape(ExportContext ctx, Node n)
    {
        var x = ctx.In(n, 0);
        var hasRange = ctx.Opset >= 15 && (n.Has("start") || n.Has("end"));
        if (!hasRange)
        {
            ctx.Final(n, OpType.Shape, null, x);
            return;
        }

        // Opset 15 start/end: slice the full shape (StridedSlice clamps like ONNX Shape does).
        var name = n.Out0();
        var shape = ctx.Shape(name + "/full", x);
        var start = ConstantBlobs.ClampToInt32([n.GetInt("start", 0)]);
        var end = ConstantBlobs.ClampToInt32([n.Has("end") ? n.GetInt("end", long.MaxValue) : long.MaxValue]);
        ctx.Final(n, OpType.StridedSlice, MnnParams.OnnxStridedSlice(), shape,
            ctx.ConstInts(name + "/start", start, 1), ctx.ConstInts(name + "/end", end, 1), ctx.ConstInts(name + "/axes", [0], 1));
    }

    private static void DepthSpace(ExportContext ctx, Node n, OpType type)
    {
        var block = n.GetInt("blocksize", 0);
        if (block <= 0)
        {
            throw ctx.Invalid(n, "blocksize is required and must be positive");
        }

        var mode = DepthToSpaceMode.DCR;
        if (type == OpType.DepthToSpace)
        {
            var text = n.GetString("mode", "DCR");
            mode = text switch
            {
                "DCR" => DepthToSpaceMode.DCR,
                "CRD" => DepthToSpaceMode.CRD,
                _ => throw ctx.UnsupportedAttribute(n, $"mode='{text}'"),
            };
        }

        ctx.Final(n, type, OpParameterUnion.FromDepthSpaceParam(new DepthSpaceParamT { BlockSize = checked((int)block), Mode = mode }), ctx.In(n, 0));
    }
}
