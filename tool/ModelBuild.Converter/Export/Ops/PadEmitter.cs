using ModelBuild.Converter.Graph;
using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Converter.Export.Ops;

/// <summary>
/// Pad → Padding (constant / reflect / edge). MNN wants pads interleaved per axis [b0, e0, b1, e1, ...] where ONNX
/// has [b0, b1, ..., e0, e1, ...]; the constant value is the optional third input (upstream drops the opset &lt; 11
/// <c>value</c> attribute; we keep it).
/// </summary>
internal static class PadEmitter
{
    public static void Register(OpEmitterTable t)
    {
        t.Add("Pad", Pad);
    }

    private static void Pad(ExportContext ctx, Node n)
    {
        var modeText = n.GetString("mode", "constant");
        var mode = modeText switch
        {
            "constant" => PadValueMode.CONSTANT,
            "reflect" => PadValueMode.REFLECT,
            "edge" => PadValueMode.EDGE,
            _ => throw ctx.UnsupportedAttribute(n, $"mode='{modeText}'"),
        };

        var name = n.Out0();
        var x = ctx.In(n, 0);
        int padsTensor;
        long[]? onnxPads = ctx.Opset < 11 ? n.GetInts("pads") ?? throw ctx.Invalid(n, "pads is required") : ctx.ConstantOf(n, 1)?.ToLongArray();
        if (ctx.Opset >= 18 && n.HasInput(3))
        {
            var axes = ctx.RequireConstant(n, 3, "axes").ToLongArray();
            var rank = ctx.RequireRank(n, 0, "expand pads given for some axes");
            onnxPads = onnxPads is null ? throw ctx.UnsupportedAttribute(n, "run-time pads together with axes") : ExpandAxes(ctx, n, onnxPads, axes, rank);
        }

        if (onnxPads is not null)
        {
            if (onnxPads.Length % 2 != 0)
            {
                throw ctx.Invalid(n, $"pads has an odd length {onnxPads.Length}");
            }

            if (onnxPads.Any(p => p < 0))
            {
                throw ctx.UnsupportedAttribute(n, "negative pads (cropping)");
            }

            var half = onnxPads.Length / 2;
            var mnnPads = new long[onnxPads.Length];
            for (var i = 0; i < half; i++)
            {
                mnnPads[2 * i] = onnxPads[i];
                mnnPads[(2 * i) + 1] = onnxPads[i + half];
            }

            padsTensor = ctx.ConstInts(name + "/pads", ConstantBlobs.ToInt32(mnnPads, name), mnnPads.Length);
        }
        else
        {
            // Run-time pads: [2, rank] → transpose → flatten gives the interleaved order (as upstream does).
            var pairs = ctx.Reshape(name + "/pads_2xr", ctx.In(n, 1), ctx.ConstInts(name + "/pads_shape", [2, -1], 2));
            var interleaved = ctx.AddTemp(OpType.Permute, name + "/pads_t", MnnParams.Permute([1, 0]), pairs);
            padsTensor = ctx.Reshape(name + "/pads", interleaved, ctx.ConstInts(name + "/pads_flat", [-1], 1));
        }

        var inputs = new List<int> { x, padsTensor };
        if (mode == PadValueMode.CONSTANT)
        {
            if (ctx.Opset < 11)
            {
                var value = n.GetFloat("value", 0f);
                if (value != 0f)
                {
                    inputs.Add(ctx.ConstScalarLike(name + "/value", n.Inputs[0], value));
                }
            }
            else if (n.HasInput(2))
            {
                var value = ctx.ConstantOf(n, 2);
                if (value is null || value.GetDouble(0) != 0)
                {
                    inputs.Add(ctx.In(n, 2));
                }
            }
        }

        ctx.Final(n, OpType.Padding, OpParameterUnion.FromPadParam(new PadParamT { Mode = mode }), [.. inputs]);
    }

    private static long[] ExpandAxes(ExportContext ctx, Node n, long[] pads, long[] axes, int rank)
    {
        if (pads.Length != axes.Length * 2)
        {
            throw ctx.Invalid(n, $"pads has {pads.Length} values for {axes.Length} axes");
        }

        var full = new long[rank * 2];
        for (var i = 0; i < axes.Length; i++)
        {
            var a = ctx.NormalizeAxis(n, axes[i], rank);
            full[a] = pads[i];
            full[a + rank] = pads[i + axes.Length];
        }

        return full;
    }
}
