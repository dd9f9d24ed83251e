using ModelBuild.Converter.Graph;
using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Converter.Export.Ops;

/// <summary>
/// GridSample → GridSample (mode BILINEAR/NEAREST, paddingMode ZEROS/CLAMP/REFLECTION, alignCorners), as upstream's
/// onnx GridSample converter fills it; input 0 is read in NC4HW4 like upstream. 2-D (and, from version 20, 3-D)
/// sampling; cubic modes → MB3002 (MNN has none).
/// </summary>
internal static class GridSampleEmitter
{
    public static void Register(OpEmitterTable t) => t.Add("GridSample", 16, 20, GridSample);

    private static void GridSample(ExportContext ctx, Node n)
    {
        var mode = n.GetString("mode", ctx.Opset >= 20 ? "linear" : "bilinear") switch
        {
            "bilinear" or "linear" => SampleMode.BILINEAR,
            "nearest" => SampleMode.NEAREST,
            var other => throw ctx.UnsupportedAttribute(n, $"mode '{other}' (MNN's GridSample has bilinear and nearest)"),
        };
        var padding = n.GetString("padding_mode", "zeros") switch
        {
            "zeros" => BorderMode.ZEROS,
            "border" => BorderMode.CLAMP,
            "reflection" => BorderMode.REFLECTION,
            var other => throw ctx.UnsupportedAttribute(n, $"padding_mode '{other}'"),
        };
        var rank = ctx.RequireRank(n, 0, "check the sampled rank");
        if (rank is not (4 or 5))
        {
            throw ctx.UnsupportedAttribute(n, $"a rank-{rank} input (MNN's GridSample samples 4-D and 5-D inputs)");
        }

        var param = new GridSampleT { Mode = mode, PaddingMode = padding, AlignCorners = n.GetInt("align_corners", 0) != 0, Backward = false };
        ctx.Final(n, OpType.GridSample, OpParameterUnion.FromGridSample(param), ctx.In(n, 0), ctx.In(n, 1));
    }
}
