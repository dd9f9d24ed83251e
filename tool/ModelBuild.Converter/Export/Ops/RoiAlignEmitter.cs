using ModelBuild.Converter.Graph;
using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Converter.Export.Ops;

/// <summary>
/// RoiAlign(X, rois, batch_indices) → ROIAlign with RoiParameters, as upstream writes it (X in NC4HW4, see
/// TensorFormatPlanner). aligned = half_pixel coordinates: the default of RoiAlign-16; RoiAlign-10 has only the
/// output_half_pixel rule (upstream sets aligned for both, which is wrong for opset 10 models).
/// </summary>
internal static class RoiAlignEmitter
{
    public static void Register(OpEmitterTable t) => t.Add("RoiAlign", 10, RoiAlign);

    private static void RoiAlign(ExportContext ctx, Node n)
    {
        var mode = n.GetString("mode", "avg");
        if (mode is not ("avg" or "max"))
        {
            throw ctx.Invalid(n, $"mode '{mode}' (avg or max)");
        }

        var version = Onnx.OperatorVersions.Resolve("RoiAlign", ctx.Opset)!.Value.Semantics;
        var transform = n.GetString("coordinate_transformation_mode", version >= 16 ? "half_pixel" : "output_half_pixel");
        if (transform is not ("half_pixel" or "output_half_pixel"))
        {
            throw ctx.Invalid(n, $"coordinate_transformation_mode '{transform}' (half_pixel or output_half_pixel)");
        }

        var (height, width, ratio) = (n.GetInt("output_height", 1), n.GetInt("output_width", 1), n.GetInt("sampling_ratio", 0));
        if (height < 1 || width < 1 || ratio < 0)
        {
            throw ctx.Invalid(n, $"output {height}x{width} and sampling_ratio {ratio} must be ≥ 1, ≥ 1 and ≥ 0");
        }

        var param = new RoiParametersT
        {
            PooledHeight = checked((int)height),
            PooledWidth = checked((int)width),
            SpatialScale = n.GetFloat("spatial_scale", 1f),
            SamplingRatio = checked((int)ratio),
            Aligned = transform == "half_pixel",
            PoolType = mode == "max" ? PoolType.MAXPOOL : PoolType.AVEPOOL,
        };
        ctx.Final(n, OpType.ROIAlign, OpParameterUnion.FromRoiParameters(param), ctx.In(n, 0), ctx.In(n, 1), ctx.In(n, 2));
    }
}
