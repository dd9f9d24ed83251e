using ModelBuild.Converter.Graph;
using ModelBuild.Converter.Graph.Passes;
using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Converter.Export.Ops;

/// <summary>
/// Conv → Convolution / ConvolutionDepthwise, ConvTranspose → Deconvolution / DeconvolutionDepthwise, with weights
/// in the op (ONNX layouts [M, C/g, kh, kw] and [C, M/g, kh, kw] are MNN's), explicit pads [top, left, bottom,
/// right], and the relu/relu6 flags set by activation fusion. 1-D convolutions run as 2-D on an input unsqueezed at
/// axis 3 (kernel kh×1), as upstream does.
/// </summary>
internal static class ConvEmitter
{
    public static void Register(OpEmitterTable t)
    {
        t.Add("Conv", Conv);
        t.Add("ConvTranspose", ConvTranspose);
    }

    private static void Conv(ExportContext ctx, Node n)
    {
        var rank = ctx.RankOf(n.Inputs[1]) ?? ctx.RequireRank(n, 0, "choose 1-D or 2-D convolution"); // X has W's rank
        var spatial = SpatialRank(ctx, n, rank);
        var w = ctx.ConstantOf(n, 1);
        var wShape = WeightShape(ctx, n, w, rank);
        var group = checked((int)n.GetInt("group", 1));
        var outputCount = checked((int)wShape[0]);
        var inputCount = checked((int)wShape[1] * group);
        var kernel = wShape.Skip(2).Select(k => checked((int)k)).ToArray();
        var window = Window.Read(ctx, n, kernel, spatial);
        var pads = window.ResolveConvPads(ctx, n, ctx.StaticShapeOf(n.Inputs[0]));

        var common = Common(window, pads, kernel, spatial, group, inputCount, outputCount, n);
        if (w is null || (n.HasInput(2) && ctx.ConstantOf(n, 2) is null))
        {
            EmitWithRunTimeWeights(ctx, n, OpType.Convolution, common, spatial);
            return;
        }

        var bias = BiasOf(ctx, n, 2, outputCount);
        var param = new Convolution2DT { Common = common, Weight = [.. w.Floats!], Bias = [.. bias] };
        var type = group > 1 && group == inputCount && group == outputCount ? OpType.ConvolutionDepthwise : OpType.Convolution;
        Emit(ctx, n, type, OpParameterUnion.FromConvolution2D(param), spatial);
    }

    private static void ConvTranspose(ExportContext ctx, Node n)
    {
        var rank = ctx.RankOf(n.Inputs[1]) ?? ctx.RequireRank(n, 0, "choose 1-D or 2-D deconvolution"); // X has W's rank
        var spatial = SpatialRank(ctx, n, rank);
        var w = ctx.ConstantOf(n, 1);
        var wShape = WeightShape(ctx, n, w, rank);
        var group = checked((int)n.GetInt("group", 1));
        var inputCount = checked((int)wShape[0]);
        var outputCount = checked((int)wShape[1] * group);
        var kernel = wShape.Skip(2).Select(k => checked((int)k)).ToArray();
        var window = Window.Read(ctx, n, kernel, spatial);
        var outPads = Window.Ints(ctx, n, "output_padding", spatial, 0);
        var pads = window.ResolveDeconvPads(ctx, n, outPads, ctx.StaticShapeOf(n.Inputs[0]));

        var common = Common(window, pads, kernel, spatial, group, inputCount, outputCount, n);
        common.OutPads = spatial == 1 ? [outPads[0], 0] : [outPads[0], outPads[1]];
        if (w is null || (n.HasInput(2) && ctx.ConstantOf(n, 2) is null))
        {
            EmitWithRunTimeWeights(ctx, n, OpType.Deconvolution, common, spatial);
            return;
        }

        var bias = BiasOf(ctx, n, 2, outputCount);
        var param = new Convolution2DT { Common = common, Weight = [.. w.Floats!], Bias = [.. bias] };
        var type = group > 1 && group == inputCount && group == outputCount ? OpType.DeconvolutionDepthwise : OpType.Deconvolution;
        Emit(ctx, n, type, OpParameterUnion.FromConvolution2D(param), spatial);
    }

    /// <summary>The weight's shape: from the constant, or the static shape of a run-time weight (kernel size must be known).</summary>
    private static long[] WeightShape(ExportContext ctx, Node n, Graph.TensorData? w, int rank)
    {
        var shape = w?.Shape ?? ctx.RequireStaticShape(n, 1, "size the kernel of a weight computed at run time");
        if (shape.Length != rank || (w is not null && !w.IsFloat))
        {
            throw ctx.Invalid(n, $"weight shape [{string.Join(",", shape)}] does not match input rank {rank}");
        }

        return shape;
    }

    /// <summary>
    /// Weights (and bias) that are tensors, not initializers: MNN's multi-input convolution, inputs [x, W(, B)] and a
    /// parameter with only the common part, as upstream's OnnxConvolutionMerge writes it. A 1-D weight gets the same
    /// trailing unit axis as the input. Upstream's multi-input kernels ignore <c>group</c> (checked in its
    /// ModuleBasic: the second group's outputs come out wrong), so a grouped one is written as one convolution per
    /// group on channel slices, concatenated.
    /// </summary>
    private static void EmitWithRunTimeWeights(ExportContext ctx, Node n, OpType type, Convolution2DCommonT common, int spatial)
    {
        var name = n.Out0();
        var w = ctx.In(n, 1);
        if (spatial == 1)
        {
            w = ctx.Unsqueeze(name + "/weight_unsqueeze", w, 3);
        }

        int? b = n.HasInput(2) ? ctx.In(n, 2) : null;
        int groups = Math.Max(1, common.Group);
        if (groups == 1)
        {
            int[] extra = b is { } bias ? [w, bias] : [w];
            Emit(ctx, n, type, OpParameterUnion.FromConvolution2D(new Convolution2DT { Common = common }), spatial, extra);
            return;
        }

        // Per group g: x channels, W rows (Conv: output channels; ConvTranspose: input channels) and B entries.
        bool deconv = type == OpType.Deconvolution;
        int inPer = common.InputCount / groups, outPer = common.OutputCount / groups;
        var x = ctx.In(n, 0);
        if (spatial == 1)
        {
            x = ctx.Unsqueeze(name + "/unsqueeze", x, 3);
        }

        var parts = new int[groups];
        for (var g = 0; g < groups; g++)
        {
            var p = $"{name}/group{g}";
            var xg = ctx.SliceAxis(p + "_x", x, 1, g * inPer, (g + 1) * inPer);
            var wg = deconv ? ctx.SliceAxis(p + "_w", w, 0, g * inPer, (g + 1) * inPer) : ctx.SliceAxis(p + "_w", w, 0, g * outPer, (g + 1) * outPer);
            int[] inputs = b is { } bias ? [xg, wg, ctx.SliceAxis(p + "_b", bias, 0, g * outPer, (g + 1) * outPer)] : [xg, wg];
            var c = new Convolution2DCommonT
            {
                PadX = common.PadX, PadY = common.PadY, KernelX = common.KernelX, KernelY = common.KernelY,
                StrideX = common.StrideX, StrideY = common.StrideY, DilateX = common.DilateX, DilateY = common.DilateY,
                PadMode = common.PadMode, Relu = common.Relu, Relu6 = common.Relu6, Pads = [.. common.Pads ?? []],
                OutPads = common.OutPads is null ? null : [.. common.OutPads], HasOutputShape = common.HasOutputShape,
                Group = 1, InputCount = inPer, OutputCount = outPer,
            };
            parts[g] = ctx.AddTemp(type, p, OpParameterUnion.FromConvolution2D(new Convolution2DT { Common = c }), inputs);
        }

        if (spatial == 2)
        {
            ctx.Final(n, OpType.Concat, MnnParams.Axis(1), parts);
            return;
        }

        var joined = ctx.AddTemp(OpType.Concat, name + "/concat", MnnParams.Axis(1), parts);
        ctx.Final(n, OpType.Squeeze, MnnParams.Squeeze([3]), joined);
    }

    private static int SpatialRank(ExportContext ctx, Node n, int rank) => rank switch
    {
        3 => 1,
        4 => 2,
        _ => throw ctx.UnsupportedAttribute(n, $"{rank - 2}-D convolution (only 1-D and 2-D are supported)"),
    };

    private static Convolution2DCommonT Common(Window window, int[] pads, int[] kernel, int spatial, int group, int inputCount, int outputCount, Node n)
    {
        var activation = n.Attributes.TryGetValue(ActivationFusion.AttributeName, out var a) ? a.String : null;
        var (top, left, bottom, right) = spatial == 1 ? (pads[0], 0, pads[1], 0) : (pads[0], pads[1], pads[2], pads[3]);
        return new Convolution2DCommonT
        {
            KernelY = kernel[0],
            KernelX = spatial == 1 ? 1 : kernel[1],
            StrideY = window.Strides[0],
            StrideX = spatial == 1 ? 1 : window.Strides[1],
            DilateY = window.Dilations[0],
            DilateX = spatial == 1 ? 1 : window.Dilations[1],
            PadY = top,
            PadX = left,
            Pads = [top, left, bottom, right],
            PadMode = window.Mode,
            Group = group,
            InputCount = inputCount,
            OutputCount = outputCount,
            Relu = activation == "Relu",
            Relu6 = activation == "Relu6",
        };
    }

    private static float[] BiasOf(ExportContext ctx, Node n, int input, int count)
    {
        if (!n.HasInput(input))
        {
            return new float[count];
        }

        var b = ctx.RequireConstant(n, input, "the bias");
        if (b.ElementCount != count)
        {
            throw ctx.Invalid(n, $"bias has {b.ElementCount} elements, expected {count}");
        }

        return b.ToFloatArray();
    }

    private static void Emit(ExportContext ctx, Node n, OpType type, OpParameterUnion param, int spatial, int[]? weightInputs = null)
    {
        var x = ctx.In(n, 0);
        if (spatial == 2)
        {
            ctx.Final(n, type, param, [x, .. weightInputs ?? []]);
            return;
        }

        // 1-D: [N, C, L] → [N, C, L, 1] → conv (kernel k×1) → squeeze axis 3.
        var name = n.Out0();
        var x4 = ctx.Unsqueeze(name + "/unsqueeze", x, 3);
        var y4 = ctx.AddTemp(type, name + "/conv2d", param, [x4, .. weightInputs ?? []]);
        ctx.Final(n, OpType.Squeeze, MnnParams.Squeeze([3]), y4);
    }
}
