using ModelBuild.Converter.Graph;
using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Converter.Export.Ops;

/// <summary>
/// Resize / Upsample → Interp on 4-D input with the scales (float) or sizes (int) tensor as input 1. resizeType:
/// 1 nearest (floor), 4 nearest (round_prefer_floor), 2 bilinear, 3 cubic; coordinate transformation modes map to
/// MNN's CoordinateTransformationMode. Modes MNN cannot express raise MB3002.
/// </summary>
internal static class ResizeEmitter
{
    public static void Register(OpEmitterTable t)
    {
        t.Add("Upsample", 7, 9, Upsample); // Upsample-1 had height_scale/width_scale
        t.Add("Resize", 10, 10, (ctx, n) => Legacy(ctx, n, scalesInput: 1));
        t.Add("Resize", 11, Resize);
    }

    private static void Upsample(ExportContext ctx, Node n)
    {
        if (ctx.Opset < 9)
        {
            var scales = n.GetFloats("scales") ?? throw ctx.Invalid(n, "scales is required");
            var mode = n.GetString("mode", "nearest");
            var param = Param(ctx, n, mode, "asymmetric", "floor", -0.75f);
            CheckScaleValues(ctx, n, scales);
            var name = n.Out0();
            ctx.Final(n, OpType.Interp, OpParameterUnion.FromInterp(param), ctx.In(n, 0), ctx.ConstFloats(name + "/scales", scales, scales.Length));
            return;
        }

        Legacy(ctx, n, scalesInput: 1);
    }

    /// <summary>Upsample-9 and Resize-10: asymmetric coordinates, nearest rounds down.</summary>
    private static void Legacy(ExportContext ctx, Node n, int scalesInput)
    {
        var mode = n.GetString("mode", "nearest");
        var param = Param(ctx, n, mode, "asymmetric", "floor", -0.75f);
        CheckConstantScales(ctx, n, scalesInput);
        ctx.Final(n, OpType.Interp, OpParameterUnion.FromInterp(param), ctx.In(n, 0), ctx.In(n, scalesInput));
    }

    private static void Resize(ExportContext ctx, Node n)
    {
        if (n.GetInt("antialias", 0) != 0)
        {
            throw ctx.UnsupportedAttribute(n, "antialias=1");
        }

        if (n.GetInt("exclude_outside", 0) != 0)
        {
            throw ctx.UnsupportedAttribute(n, "exclude_outside=1");
        }

        var policy = n.GetString("keep_aspect_ratio_policy", "stretch");
        if (policy is not ("stretch" or "not_larger" or "not_smaller"))
        {
            throw ctx.UnsupportedAttribute(n, $"keep_aspect_ratio_policy='{policy}'");
        }

        var mode = n.GetString("mode", "nearest");
        var coordinates = n.GetString("coordinate_transformation_mode", "half_pixel");
        var nearest = n.GetString("nearest_mode", "round_prefer_floor");
        var param = Param(ctx, n, mode, coordinates, nearest, n.GetFloat("cubic_coeff_a", -0.75f));

        var sizes = Provided(ctx, n, 3);
        var scales = Provided(ctx, n, 2);
        int target;
        if (policy != "stretch" && sizes)
        {
            target = AspectKeepingSizes(ctx, n, policy == "not_larger");
        }
        else if (n.Has("axes"))
        {
            target = SpatialOperandForAxes(ctx, n, sizes);
        }
        else if (sizes)
        {
            target = ctx.In(n, 3);
        }
        else if (scales)
        {
            CheckConstantScales(ctx, n, 2);
            if (coordinates == "align_corners")
            {
                CheckAlignCornersScales(ctx, n);
            }

            target = ctx.In(n, 2);
        }
        else
        {
            throw ctx.Invalid(n, "needs scales or sizes");
        }

        ctx.Final(n, OpType.Interp, OpParameterUnion.FromInterp(param), ctx.In(n, 0), target);
    }

    /// <summary>
    /// Resize-18 axes naming both spatial axes: Interp (upstream and ours) reads a full-rank sizes or scales tensor,
    /// so the two given values (swapped for axes [3,2]) are prefixed with the batch and channel entries: their
    /// constant extents for sizes, 1 for scales. Upstream's converter ignores axes, so this builds the full tensor
    /// from ordinary ops instead.
    /// </summary>
    private static int SpatialOperandForAxes(ExportContext ctx, Node n, bool sizes)
    {
        var rank = ctx.RequireRank(n, 0, "resolve axes");
        var axes = (n.GetInts("axes") ?? []).Select(a => ctx.NormalizeAxis(n, a, rank)).ToArray();
        if (axes.Length != 2 || !axes.Order().SequenceEqual([2, 3]))
        {
            throw ctx.UnsupportedAttribute(n, $"axes [{string.Join(",", axes)}] (only both spatial axes 2 and 3 can be resized; give full-rank sizes or scales)");
        }

        var name = n.Out0();
        var input = sizes ? 3 : 2;
        var hw = ctx.In(n, input);
        if (axes[0] == 3)
        {
            hw = ctx.AddTemp(OpType.GatherV2, name + "/hw", MnnParams.GatherV2(), hw,
                ctx.ConstInts(name + "/hw_order", [1, 0], 2), ctx.ConstInts(name + "/hw_axis", [0]));
        }

        int nc;
        if (sizes)
        {
            var shape = ctx.RequireStaticShape(n, 0, "prefix the batch and channel extents to sizes for axes");
            nc = ctx.ConstInts(name + "/sizes_nc", [checked((int)shape[0]), checked((int)shape[1])], 2);
        }
        else
        {
            nc = ctx.ConstFloats(name + "/scales_nc", [1f, 1f], 2);
        }

        return ctx.AddTemp(OpType.Concat, name + (sizes ? "/sizes" : "/scales"), MnnParams.Axis(0), nc, hw);
    }

    /// <summary>
    /// keep_aspect_ratio_policy: one scale for the resized axes, the smallest (not_larger) or largest (not_smaller)
    /// of sizes[i] / input[i], and output sizes round(scale · input[i]). Interp then gets those constant sizes; like
    /// constant scales this is exact only where scale · input[i] is whole (MNN maps by the size ratio), else MB3002.
    /// </summary>
    private static int AspectKeepingSizes(ExportContext ctx, Node n, bool notLarger)
    {
        var shape = ctx.RequireStaticShape(n, 0, "apply keep_aspect_ratio_policy");
        var given = ctx.RequireConstant(n, 3, "sizes with keep_aspect_ratio_policy").ToLongArray();
        var axes = (n.GetInts("axes") ?? [.. Enumerable.Range(0, shape.Length).Select(i => (long)i)]).Select(a => ctx.NormalizeAxis(n, a, shape.Length)).ToArray();
        if (given.Length != axes.Length || shape.Length != 4)
        {
            throw ctx.Invalid(n, $"sizes has {given.Length} values for {axes.Length} axes of a rank-{shape.Length} input");
        }

        var ratios = axes.Select((a, i) => (double)given[i] / shape[a]).ToArray();
        var scale = notLarger ? ratios.Min() : ratios.Max();
        var output = shape.Select(d => (int)d).ToArray();
        foreach (var a in axes)
        {
            var exact = scale * shape[a];
            output[a] = (int)Math.Round(exact, MidpointRounding.ToEven);
            if (Math.Abs(exact - output[a]) > 1e-4 * Math.Max(1, exact))
            {
                throw ctx.UnsupportedAttribute(n, $"keep_aspect_ratio_policy scale {scale:G6} on axis {a} (size {shape[a]}) gives a fractional output size {exact:G6}; MNN maps coordinates by the size ratio, which differs from ONNX here");
            }
        }

        if (output[0] != shape[0] || output[1] != shape[1])
        {
            throw ctx.UnsupportedAttribute(n, "keep_aspect_ratio_policy over the batch or channel axis (only the two spatial axes are resized)");
        }

        return ctx.ConstInts(n.Out0() + "/sizes", output, 4);
    }

    /// <summary>An optional input that is present and not an empty constant.</summary>
    private static bool Provided(ExportContext ctx, Node n, int i) =>
        n.HasInput(i) && ctx.ConstantOf(n, i) is not { ElementCount: 0 };

    /// <summary>
    /// Interp resizes only the two spatial axes of a 4-D input. Constant scales are checked here; run-time scales
    /// are checked by the runtime when it plans the op. Interp maps coordinates by 1/scale when it gets scales
    /// (upstream's geometry and ours), as ONNX does, so fractional scales are exact too.
    /// </summary>
    private static void CheckConstantScales(ExportContext ctx, Node n, int input)
    {
        if (ctx.ConstantOf(n, input)?.ToFloatArray() is { } scales)
        {
            CheckScaleValues(ctx, n, scales);
        }
    }

    /// <summary>
    /// With scales, ONNX's align_corners divides by the unrounded in·scale − 1, MNN's (upstream and ours) by the
    /// output size − 1: the same only where in·scale is whole, which needs constant scales and a known input shape.
    /// </summary>
    private static void CheckAlignCornersScales(ExportContext ctx, Node n)
    {
        var scales = ctx.ConstantOf(n, 2)?.ToFloatArray()
            ?? throw ctx.UnsupportedAttribute(n, "align_corners with run-time scales (ONNX aligns to the unrounded input·scale, MNN to the output size; give sizes or constant scales)");
        var shape = ctx.StaticShapeOf(n.Inputs[0])
            ?? throw new ModelBuildException(ErrorCodes.UnsupportedDynamicShape,
                $"operator {n.OpType} (opset {ctx.Opset}) {ctx.Where(n)}: align_corners with scales is exact only where input·scale is whole; pass --input-shape");
        for (var axis = 2; axis < 4; axis++)
        {
            var output = shape[axis] * scales[axis];
            if (MathF.Abs(output - MathF.Round(output)) > 1e-4f * MathF.Max(1f, output))
            {
                throw ctx.UnsupportedAttribute(n,
                    $"align_corners with scale {scales[axis]} on axis {axis} (size {shape[axis]}): the output size {output} is fractional, and ONNX then aligns to it where MNN aligns to the rounded size");
            }
        }
    }

    private static void CheckScaleValues(ExportContext ctx, Node n, float[] scales)
    {
        if (scales.Length != 4 || scales[0] != 1f || scales[1] != 1f)
        {
            throw ctx.UnsupportedAttribute(n, $"scales [{string.Join(",", scales)}] (only 4-D resizing of the two spatial axes is supported)");
        }

        if (!(scales[2] > 0f && scales[3] > 0f && float.IsFinite(scales[2]) && float.IsFinite(scales[3])))
        {
            throw ctx.Invalid(n, $"scales [{string.Join(",", scales)}] must be positive and finite");
        }
    }

    private static InterpT Param(ExportContext ctx, Node n, string mode, string coordinates, string nearest, float cubic)
    {
        if (ctx.RankOf(n.Inputs[0]) is { } rank && rank != 4)
        {
            throw ctx.UnsupportedAttribute(n, $"rank-{rank} input (only 4-D NCHW resizing is supported)");
        }

        var resizeType = mode switch
        {
            "nearest" => nearest switch
            {
                "floor" => 1,
                "round_prefer_floor" => 4,
                _ => throw ctx.UnsupportedAttribute(n, $"nearest_mode='{nearest}'"),
            },
            "linear" or "bilinear" => 2,
            "cubic" or "bicubic" => 3,
            _ => throw ctx.UnsupportedAttribute(n, $"mode='{mode}'"),
        };
        var ctm = coordinates switch
        {
            "half_pixel" => CoordinateTransformationMode.HalfPixels,
            "pytorch_half_pixel" => CoordinateTransformationMode.PytorchHalfPixels,
            "align_corners" => CoordinateTransformationMode.AlignCorners,
            "asymmetric" => CoordinateTransformationMode.Asymmetric,
            "tf_half_pixel_for_nn" => CoordinateTransformationMode.TensorflowHalfPixels,
            _ => throw ctx.UnsupportedAttribute(n, $"coordinate_transformation_mode='{coordinates}'"),
        };
        return new InterpT
        {
            ResizeType = resizeType,
            AlignCorners = coordinates == "align_corners",
            HalfPixelCenters = coordinates == "half_pixel",
            Ctm = ctm,
            CubicCoeffA = cubic,
        };
    }
}
