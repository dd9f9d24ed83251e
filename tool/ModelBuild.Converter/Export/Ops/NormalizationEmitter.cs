using ModelBuild.Converter.Graph;
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
        t.Add("BatchNormalization", BatchNorm);
        t.Add("InstanceNormalization", InstanceNorm);
        t.Add("LayerNormalization", LayerNorm);
        t.Add("LRN", Lrn);
    }

    private static void BatchNorm(ExportContext ctx, Node n)
    {
        if (n.GetInt("training_mode", 0) != 0 || (ctx.Opset < 9 && n.GetInt("spatial", 1) == 0))
        {
            throw ctx.UnsupportedAttribute(n, "training_mode=1 or spatial=0");
        }

        var epsilon = n.GetFloat("epsilon", 1e-5f);
        var gamma = ctx.RequireConstant(n, 1, "scale").ToFloatArray();
        var beta = ctx.RequireConstant(n, 2, "B").ToFloatArray();
        var mean = ctx.RequireConstant(n, 3, "mean").ToFloatArray();
        var variance = ctx.RequireConstant(n, 4, "var").ToFloatArray();
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

    private static void InstanceNorm(ExportContext ctx, Node n)
    {
        var epsilon = n.GetFloat("epsilon", 1e-5f);
        var gamma = ctx.RequireConstant(n, 1, "scale").ToFloatArray();
        var beta = ctx.RequireConstant(n, 2, "B").ToFloatArray();
        if (gamma.Length != beta.Length)
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
        ctx.Final(n, OpType.Scale, OpParameterUnion.FromScale(new ScaleT { Channels = gamma.Length, ScaleData = [.. gamma], BiasData = [.. beta] }), restored);
    }

    private static void LayerNorm(ExportContext ctx, Node n)
    {
        var axis = n.GetInt("axis", -1);
        var epsilon = n.GetFloat("epsilon", 1e-5f);
        var rank = ctx.RankOf(n.Inputs[0]);
        int count;
        if (axis < 0)
        {
            count = checked((int)-axis);
        }
        else
        {
            var r = ctx.RequireRank(n, 0, "resolve a non-negative axis");
            count = r - ctx.NormalizeAxis(n, axis, r);
        }

        if (rank is { } rk && count > rk)
        {
            throw ctx.Invalid(n, $"axis {axis} is out of range for rank {rk}");
        }

        var normalized = ctx.StaticShapeOf(n.Inputs[0]) is { } shape ? shape[^count..].Aggregate(1L, (a, b) => a * b) : (long?)null;
        var gamma = ctx.ConstantOf(n, 1);
        var beta = n.HasInput(2) ? ctx.ConstantOf(n, 2) : null;
        bool Fits(TensorData? t) => t is not null && (normalized is { } e ? t.ElementCount == e : t.Shape.Length == count);
        var inParam = Fits(gamma) && (!n.HasInput(2) || Fits(beta));

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
