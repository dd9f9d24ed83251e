using ModelBuild.Converter.Graph;
using ModelBuild.Converter.Graph.Passes;
using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Converter.Export.Ops;

/// <summary>
/// BatchNormalization (inference) → Scale; InstanceNormalization → Reshape [N, C, -1] → LayerNorm over the last
/// axis (epsilon from the node) → Reshape back → Scale, exactly as upstream; LayerNormalization → LayerNorm; LRN → LRN.
/// </summary>
internal static class NormalizationEmitter
{
    public static void Register(OpEmitterTable t)
    {
        t.AddSinceFirst("BatchNormalization", BatchNorm);
        t.AddSinceFirst("InstanceNormalization", InstanceNorm);
        t.Add("LayerNormalization", LayerNorm);
        t.Add("LRN", Lrn);
    }

    private static void BatchNorm(ExportContext ctx, Node n)
    {
        if (TrainingMode.Requested(ctx.Graph, n) || (ctx.Opset < 9 && n.GetInt("spatial", 1) == 0))
        {
            throw ctx.UnsupportedAttribute(n, "training_mode=1, is_test=0 (opset < 7) or spatial=0");
        }

        var epsilon = n.GetFloat("epsilon", 1e-5f);
        if (Enumerable.Range(1, 4).Any(i => ctx.ConstantOf(n, i) is null))
        {
            BatchNormAtRunTime(ctx, n, epsilon);
            return;
        }

        var gamma = ctx.ConstantOf(n, 1)!.ToFloatArray();
        var beta = ctx.ConstantOf(n, 2)!.ToFloatArray();
        var mean = ctx.ConstantOf(n, 3)!.ToFloatArray();
        var variance = ctx.ConstantOf(n, 4)!.ToFloatArray();
        var channels = gamma.Length;
        if (beta.Length != channels || mean.Length != channels || variance.Length != channels)
        {
            throw ctx.Invalid(n, "scale, B, mean and var must have the same length");
        }

        var scale = new float[channels];
        var bias = new float[channels];
        for (var c = 0; c < channels; c++)
        {
            var s = gamma[c] / Math.Sqrt((double)variance[c] + epsilon);
            scale[c] = (float)s;
            bias[c] = (float)(beta[c] - mean[c] * s);
        }

        ctx.Final(n, OpType.Scale, OpParameterUnion.FromScale(new ScaleT { Channels = channels, ScaleData = [.. scale], BiasData = [.. bias] }), ctx.In(n, 0));
    }

    /// <summary>Parameters that arrive at run time: (x − mean) · scale / sqrt(var + ε) + B, each [C] reshaped to [C, 1, ...].</summary>
    private static void BatchNormAtRunTime(ExportContext ctx, Node n, float epsilon)
    {
        var rank = ctx.RequireRank(n, 0, "broadcast run-time parameters along the channel axis");
        var name = n.Out0();
        int[] shape = [-1, .. Enumerable.Repeat(1, Math.Max(0, rank - 2))];
        var target = ctx.ConstInts(name + "/param_shape", shape, shape.Length);
        int Param(int i, string what) => ctx.Reshape($"{name}/{what}", ctx.In(n, i), target);
        var scale = Param(1, "scale");
        var bias = Param(2, "bias");
        var mean = Param(3, "mean");
        var variance = Param(4, "var");
        var shifted = ctx.Binary(name + "/var_eps", BinaryOpOperation.ADD, variance, ctx.ConstFloats(name + "/epsilon", [epsilon]));
        var invStd = ctx.Unary(name + "/rsqrt", UnaryOpOperation.RSQRT, shifted);
        var factor = ctx.Binary(name + "/factor", BinaryOpOperation.MUL, scale, invStd);
        var centered = ctx.Binary(name + "/centered", BinaryOpOperation.SUB, ctx.In(n, 0), mean);
        var scaled = ctx.Binary(name + "/scaled", BinaryOpOperation.MUL, centered, factor);
        ctx.Final(n, OpType.BinaryOp, MnnParams.Binary(BinaryOpOperation.ADD), scaled, bias);
    }

    private static void InstanceNorm(ExportContext ctx, Node n)
    {
        var epsilon = n.GetFloat("epsilon", 1e-5f);
        var gamma = ctx.ConstantOf(n, 1)?.ToFloatArray();
        var beta = ctx.ConstantOf(n, 2)?.ToFloatArray();
        if (gamma is not null && beta is not null && gamma.Length != beta.Length)
        {
            throw ctx.Invalid(n, "scale and B must have the same length");
        }

        var name = n.Out0();
        var x = ctx.In(n, 0);
        var flat = ctx.AddTemp(OpType.Reshape, name + "/reshape_in", MnnParams.Reshape([0, 0, -1]), x);
        var norm = ctx.AddTemp(OpType.LayerNorm, name + "/layernorm", OpParameterUnion.FromLayerNorm(new LayerNormT
        {
            Axis = [-1],
            Epsilon = epsilon,
            Group = 1,
            UseRMSNorm = false,
        }), flat);
        var shape = ctx.StaticShapeOf(n.Inputs[0]) is { } s
            ? ctx.ConstInts(name + "/shape", ConstantBlobs.ToInt32(s, name), s.Length)
            : ctx.Shape(name + "/shape", x);
        var restored = ctx.Reshape(name + "/reshape_out", norm, shape);
        if (gamma is not null && beta is not null)
        {
            ctx.Final(n, OpType.Scale, OpParameterUnion.FromScale(new ScaleT { Channels = gamma.Length, ScaleData = [.. gamma], BiasData = [.. beta] }), restored);
            return;
        }

        // Scale or B computed at run time: multiplied and added per channel, broadcast as [1, C, 1, …].
        var rank = ctx.RequireRank(n, 0, "broadcast a run-time scale and B over the channels");
        int[] perChannel = [1, -1, .. Enumerable.Repeat(1, rank - 2)];
        var scale = ctx.AddTemp(OpType.Reshape, name + "/scale", MnnParams.Reshape(perChannel), ctx.In(n, 1));
        var bias = ctx.AddTemp(OpType.Reshape, name + "/bias", MnnParams.Reshape(perChannel), ctx.In(n, 2));
        var scaled = ctx.Binary(name + "/mul", BinaryOpOperation.MUL, restored, scale);
        ctx.Final(n, OpType.BinaryOp, MnnParams.Binary(BinaryOpOperation.ADD), scaled, bias);
    }

    private static void LayerNorm(ExportContext ctx, Node n)
    {
        var epsilon = n.GetFloat("epsilon", 1e-5f);
        var count = ctx.TrailingAxisCount(n, n.GetInt("axis", -1));

        var normalized = ctx.StaticShapeOf(n.Inputs[0]) is { } shape ? shape[^count..].Aggregate(1L, (a, b) => a * b) : (long?)null;
        var gamma = ctx.ConstantOf(n, 1);
        var beta = n.HasInput(2) ? ctx.ConstantOf(n, 2) : null;
        bool Fits(TensorData? t) => t is not null && (normalized is { } e ? t.ElementCount == e : t.Shape.Length == count);
        var inParam = Fits(gamma) && (!n.HasInput(2) || Fits(beta));

        EmitStatistics(ctx, n, count, epsilon);
        var param = new LayerNormT { Axis = [.. Enumerable.Range(-count, count)], Epsilon = epsilon, Group = 1, UseRMSNorm = false };
        if (inParam)
        {
            param.Gamma = [.. gamma!.ToFloatArray()];
            param.Beta = beta is null ? [.. new float[gamma.ElementCount]] : [.. beta.ToFloatArray()];
            ctx.Final(n, OpType.LayerNorm, OpParameterUnion.FromLayerNorm(param), ctx.In(n, 0));
            return;
        }

        // Scale/bias that broadcast differently or arrive at run time: normalize, then multiply and add.
        var name = n.Out0();
        var norm = ctx.AddTemp(OpType.LayerNorm, name + "/layernorm", OpParameterUnion.FromLayerNorm(param), ctx.In(n, 0));
        if (!n.HasInput(2))
        {
            ctx.Final(n, OpType.BinaryOp, MnnParams.Binary(BinaryOpOperation.MUL), norm, ctx.In(n, 1));
            return;
        }

        var scaled = ctx.Binary(name + "/scale", BinaryOpOperation.MUL, norm, ctx.In(n, 1));
        ctx.Final(n, OpType.BinaryOp, MnnParams.Binary(BinaryOpOperation.ADD), scaled, ctx.In(n, 2));
    }

    /// <summary>The optional Mean and InvStdDev outputs (reduced axes kept as 1), written with reductions.</summary>
    private static void EmitStatistics(ExportContext ctx, Node n, int count, float epsilon)
    {
        var wantMean = n.Outputs.Count > 1 && n.Outputs[1].Length > 0;
        var wantInvStd = n.Outputs.Count > 2 && n.Outputs[2].Length > 0;
        if (!wantMean && !wantInvStd)
        {
            return;
        }

        var name = n.Out0();
        var axes = Enumerable.Range(-count, count).ToArray();
        var x = ctx.In(n, 0);
        var meanParam = MnnParams.Reduction(ReductionType.MEAN, axes, keepDims: true);
        int mean;
        if (wantMean)
        {
            mean = ctx.Out(n, 1);
            ctx.AddOp(OpType.Reduction, n.Outputs[1], meanParam, [x], [mean]);
        }
        else
        {
            mean = ctx.AddTemp(OpType.Reduction, name + "/mean", meanParam, x);
        }

        if (!wantInvStd)
        {
            return;
        }

        var centered = ctx.Binary(name + "/centered", BinaryOpOperation.SUB, x, mean);
        var squared = ctx.Binary(name + "/squared", BinaryOpOperation.MUL, centered, centered);
        var variance = ctx.AddTemp(OpType.Reduction, name + "/variance", meanParam, squared);
        var shifted = ctx.Binary(name + "/variance_eps", BinaryOpOperation.ADD, variance, ctx.ConstFloats(name + "/epsilon", [epsilon]));
        ctx.AddOp(OpType.UnaryOp, n.Outputs[2], MnnParams.Unary(UnaryOpOperation.RSQRT), [shifted], [ctx.Out(n, 2)]);
    }

    private static void Lrn(ExportContext ctx, Node n)
    {
        var size = n.GetInt("size", 0);
        if (size <= 0)
        {
            throw ctx.Invalid(n, "size is required and must be positive");
        }

        ctx.Final(n, OpType.LRN, OpParameterUnion.FromLRN(new LRNT
        {
            RegionType = 0, // across channels
            LocalSize = checked((int)size),
            Alpha = n.GetFloat("alpha", 1e-4f),
            Beta = n.GetFloat("beta", 0.75f),
            Bias = n.GetFloat("bias", 1f),
        }), ctx.In(n, 0));
    }
}
