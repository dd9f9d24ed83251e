using ModelBuild.Converter.Graph;
using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Converter.Export.Ops;

/// <summary>
/// Sliding-window attributes shared by Conv, ConvTranspose and the pools (kernel, strides, dilations, pads,
/// auto_pad), validated and turned into explicit ONNX-order pads [begin..., end...] (or MNN SAME when the input size
/// is unknown and SAME_UPPER is asked for).
/// </summary>
internal sealed class Window
{
    private Window(int[] kernel, int[] strides, int[] dilations, int[] pads, string autoPad)
    {
        Kernel = kernel;
        Strides = strides;
        Dilations = dilations;
        ExplicitPads = pads;
        AutoPad = autoPad;
    }

    public int[] Kernel { get; }

    public int[] Strides { get; }

    public int[] Dilations { get; }

    /// <summary>The <c>pads</c> attribute, ONNX order [x1_begin, x2_begin, ..., x1_end, x2_end, ...].</summary>
    public int[] ExplicitPads { get; }

    public string AutoPad { get; }

    /// <summary>MNN pad mode after resolution: CAFFE (explicit pads) or SAME (dynamic SAME_UPPER).</summary>
    public PadMode Mode { get; private set; } = PadMode.CAFFE;

    public static Window Read(ExportContext ctx, Node n, int[] kernel, int spatial)
    {
        if (n.GetInts("kernel_shape") is { } ks && !ks.Select(k => (int)k).SequenceEqual(kernel))
        {
            throw ctx.Invalid(n, $"kernel_shape [{string.Join(",", ks)}] disagrees with the weight's [{string.Join(",", kernel)}]");
        }

        var strides = Ints(ctx, n, "strides", spatial, 1);
        var dilations = Ints(ctx, n, "dilations", spatial, 1);
        var pads = Ints(ctx, n, "pads", spatial * 2, 0);
        var autoPad = n.GetString("auto_pad", "NOTSET");
        if (autoPad is not ("NOTSET" or "SAME_UPPER" or "SAME_LOWER" or "VALID"))
        {
            throw ctx.UnsupportedAttribute(n, $"auto_pad='{autoPad}'");
        }

        if (strides.Any(s => s <= 0) || dilations.Any(d => d <= 0) || pads.Any(p => p < 0) || kernel.Any(k => k <= 0))
        {
            throw ctx.UnsupportedAttribute(n, "non-positive kernel, stride or dilation, or negative pads");
        }

        return new Window(kernel, strides, dilations, pads, autoPad);
    }

    /// <summary>An int list attribute of exactly <paramref name="count"/> values, or the default repeated.</summary>
    public static int[] Ints(ExportContext ctx, Node n, string name, int count, int defaultValue)
    {
        var values = n.GetInts(name);
        if (values is null)
        {
            return Enumerable.Repeat(defaultValue, count).ToArray();
        }

        if (values.Length != count)
        {
            throw ctx.Invalid(n, $"attribute '{name}' has {values.Length} values, expected {count}");
        }

        return values.Select(v => checked((int)v)).ToArray();
    }

    /// <summary>Explicit conv/pool pads in ONNX order, resolving auto_pad from the input's static shape.</summary>
    public int[] ResolveConvPads(ExportContext ctx, Node n, long[]? inputShape)
    {
        var spatial = Kernel.Length;
        switch (AutoPad)
        {
            case "VALID":
                return new int[spatial * 2];
            case "SAME_UPPER" or "SAME_LOWER":
                if (inputShape is null || inputShape.Length != spatial + 2)
                {
                    if (AutoPad == "SAME_UPPER")
                    {
                        Mode = PadMode.SAME; // MNN SAME puts the odd pixel at the end, as SAME_UPPER does
                        return new int[spatial * 2];
                    }

                    throw new ModelBuildException(ErrorCodes.UnsupportedDynamicShape,
                        $"operator {n.OpType} (opset {ctx.Opset}) {ctx.Where(n)}: auto_pad=SAME_LOWER needs a known input shape; pass --input-shape");
                }

                var pads = new int[spatial * 2];
                for (var i = 0; i < spatial; i++)
                {
                    var input = inputShape[i + 2];
                    var output = (input + Strides[i] - 1) / Strides[i];
                    var dk = ((long)Kernel[i] - 1) * Dilations[i] + 1;
                    var total = (int)Math.Max(0, (output - 1) * Strides[i] + dk - input);
                    var small = total / 2;
                    pads[i] = AutoPad == "SAME_UPPER" ? small : total - small;
                    pads[i + spatial] = total - pads[i];
                }

                return pads;
            default:
                return ExplicitPads;
        }
    }

    /// <summary>Explicit deconvolution pads (ONNX order), from pads, auto_pad or output_shape.</summary>
    public int[] ResolveDeconvPads(ExportContext ctx, Node n, int[] outPads, long[]? inputShape)
    {
        var spatial = Kernel.Length;
        var outputShape = n.GetInts("output_shape");
        if (outputShape is null && AutoPad is "NOTSET" or "VALID")
        {
            return AutoPad == "VALID" ? new int[spatial * 2] : ExplicitPads;
        }

        var pads = new int[spatial * 2];
        for (var i = 0; i < spatial; i++)
        {
            var dk = ((long)Kernel[i] - 1) * Dilations[i] + 1;
            long total;
            if (outputShape is not null)
            {
                if (inputShape is null || inputShape.Length != spatial + 2)
                {
                    throw new ModelBuildException(ErrorCodes.UnsupportedDynamicShape,
                        $"operator {n.OpType} (opset {ctx.Opset}) {ctx.Where(n)}: output_shape needs a known input shape; pass --input-shape");
                }

                var target = outputShape[outputShape.Length - spatial + i];
                total = Strides[i] * (inputShape[i + 2] - 1) + outPads[i] + dk - target;
            }
            else
            {
                // SAME_*: output = input * stride, so the total padding does not depend on the input size.
                total = outPads[i] + dk - Strides[i];
            }

            if (total < 0)
            {
                throw ctx.UnsupportedAttribute(n, outputShape is null
                    ? "auto_pad SAME with a stride beyond kernel + output_padding needs negative padding (MNN's Deconvolution has none, and ONNX Runtime keeps the unpadded size there instead of input·stride); give explicit pads"
                    : "output_shape larger than the transposed convolution makes needs negative padding (MNN's Deconvolution has none; with known input and weight shapes it is written as a zero Pad of the output, so pass --input-shape)");
            }

            var half = (int)(total / 2);
            var upper = AutoPad == "SAME_UPPER"; // with output_shape, NOTSET puts the larger half first (ONNX spec)
            pads[i] = upper ? half : (int)total - half;
            pads[i + spatial] = (int)total - pads[i];
        }

        return pads;
    }
}
