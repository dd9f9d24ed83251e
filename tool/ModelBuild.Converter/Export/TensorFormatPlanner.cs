using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Converter.Export;

/// <summary>
/// Assigns MNN tensor formats and inserts <c>ConvertTensor</c> ops where upstream MNN expects them: convolution,
/// pooling, Scale, Interp, LRN, PReLU, GridSample and ROIAlign read (input 0) and write NC4HW4; element-wise activations keep the format of their
/// input; residual adds and concats of NC4HW4 feature maps stay NC4HW4; every other op (and every graph output)
/// works on NCHW. Names follow upstream MNNConvert:
/// <c>{tensor}___tr4{consumer}</c> for a conversion feeding an op, and an NC4HW4 graph output <c>Y</c> is renamed
/// <c>Y__before_tr</c> with a ConvertTensor producing <c>Y</c> in NCHW.
/// </summary>
internal static class TensorFormatPlanner
{
    private enum FormatRule
    {
        /// <summary>All inputs and outputs NCHW.</summary>
        Origin,

        /// <summary>Input 0 NC4HW4, other inputs NCHW, outputs NC4HW4.</summary>
        C4,

        /// <summary>Outputs take the format of input 0; other inputs NCHW.</summary>
        FollowInput,

        /// <summary>NC4HW4 throughout when every input already is (and the op is safe there), else NCHW.</summary>
        AllOrNothing,

        /// <summary>Resolved AllOrNothing: every input and output NC4HW4.</summary>
        C4All,
    }

    /// <summary>
    /// Like upstream, a residual Add or a channel Concat of NC4HW4 feature maps stays NC4HW4 instead of converting
    /// back and forth. Only without broadcasting (BinaryOp inputs of one known 4-D shape) and for 4-D Concat inputs.
    /// </summary>
    private static bool StaysInC4(OpT op, List<MNN_DATA_FORMAT> formats, Dictionary<int, long[]> shapes)
    {
        if (op.InputIndexes.Count == 0 || op.InputIndexes.Any(i => formats[i] != MNN_DATA_FORMAT.NC4HW4))
        {
            return false;
        }

        var known = op.InputIndexes.Select(i => shapes.TryGetValue(i, out var s) ? s : null).ToList();
        if (known.Any(s => s is not { Length: 4 }))
        {
            return false;
        }

        return op.Type == OpType.Concat || known.All(s => s!.SequenceEqual(known[0]!));
    }

    private static Dictionary<int, long[]> StaticShapes(ExportContext ctx)
    {
        var shapes = new Dictionary<int, long[]>();
        foreach (var (value, index) in ctx.ValueTensors)
        {
            if (ctx.StaticShapeOf(value) is { } shape)
            {
                shapes[index] = shape;
            }
        }

        return shapes;
    }

    public static void Apply(ExportContext ctx, IReadOnlyList<int> graphOutputs)
    {
        var formats = new List<MNN_DATA_FORMAT>(Enumerable.Repeat(MNN_DATA_FORMAT.NCHW, ctx.TensorCount));
        var converted = new Dictionary<(int Tensor, MNN_DATA_FORMAT Format), int>();
        var source = ctx.Ops.ToList();
        ctx.Ops.Clear();
        var shapes = StaticShapes(ctx);

        foreach (var op in source)
        {
            var rule = RuleOf(op.Type);
            if (rule == FormatRule.AllOrNothing)
            {
                rule = StaysInC4(op, formats, shapes) ? FormatRule.C4All : FormatRule.Origin;
            }

            for (var j = 0; j < op.InputIndexes.Count; j++)
            {
                var input = op.InputIndexes[j];
                var required = rule == FormatRule.C4All || (j == 0 && rule == FormatRule.C4) ? MNN_DATA_FORMAT.NC4HW4
                    : j == 0 && rule == FormatRule.FollowInput ? formats[input]
                    : MNN_DATA_FORMAT.NCHW;
                if (formats[input] != required)
                {
                    op.InputIndexes[j] = Convert(ctx, formats, converted, input, required, op.Name);
                }
            }

            ctx.Ops.Add(op);
            var outFormat = rule switch
            {
                FormatRule.C4 or FormatRule.C4All => MNN_DATA_FORMAT.NC4HW4,
                FormatRule.FollowInput when op.InputIndexes.Count > 0 => formats[op.InputIndexes[0]],
                _ => MNN_DATA_FORMAT.NCHW,
            };
            foreach (var output in op.OutputIndexes)
            {
                formats[output] = outFormat;
            }
        }

        foreach (var output in graphOutputs.Distinct())
        {
            if (formats[output] == MNN_DATA_FORMAT.NCHW)
            {
                continue;
            }

            // Keep the graph output's name on an NCHW tensor: the NC4HW4 producer's tensor is renamed instead.
            var name = ctx.TensorNames[output];
            var nchw = ctx.Temp(name + "__before_tr");
            ctx.TensorNames[output] = ctx.TensorNames[nchw];
            ctx.TensorNames[nchw] = name;
            ctx.AddOp(OpType.ConvertTensor, name + "__before_tr", Info(MNN_DATA_FORMAT.NC4HW4, MNN_DATA_FORMAT.NCHW), [output], [nchw]);
            formats.Add(MNN_DATA_FORMAT.NCHW);
            ctx.RedirectValue(output, nchw);
        }
    }

    private static int Convert(ExportContext ctx, List<MNN_DATA_FORMAT> formats, Dictionary<(int, MNN_DATA_FORMAT), int> cache, int input, MNN_DATA_FORMAT target, string consumer)
    {
        if (cache.TryGetValue((input, target), out var existing))
        {
            return existing;
        }

        var name = ctx.TensorNames[input] + "___tr4" + consumer;
        var output = ctx.Temp(name);
        ctx.AddOp(OpType.ConvertTensor, name, Info(formats[input], target), [input], [output]);
        formats.Add(target);
        cache[(input, target)] = output;
        return output;
    }

    private static OpParameterUnion Info(MNN_DATA_FORMAT from, MNN_DATA_FORMAT to) =>
        OpParameterUnion.FromTensorConvertInfo(new TensorConvertInfoT { Source = from, Dest = to });

    private static FormatRule RuleOf(OpType type) => type switch
    {
        OpType.Convolution or OpType.ConvolutionDepthwise or OpType.Deconvolution or OpType.DeconvolutionDepthwise
            or OpType.Pooling or OpType.Pooling3D or OpType.Interp or OpType.Scale or OpType.LRN or OpType.PReLU
            or OpType.BatchNorm or OpType.GridSample or OpType.ROIAlign => FormatRule.C4,
        OpType.ReLU or OpType.ReLU6 or OpType.Selu or OpType.Sigmoid or OpType.TanH or OpType.ELU or OpType.UnaryOp => FormatRule.FollowInput,
        OpType.BinaryOp or OpType.Concat => FormatRule.AllOrNothing,
        _ => FormatRule.Origin,
    };
}
