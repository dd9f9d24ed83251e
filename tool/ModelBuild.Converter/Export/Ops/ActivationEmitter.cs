using ModelBuild.Converter.Graph;
using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Converter.Export.Ops;

/// <summary>Activations: Relu, LeakyRelu, PRelu, Elu, Selu, Clip, Sigmoid, HardSigmoid, HardSwish, Tanh, Softplus, Softsign, Gelu.</summary>
internal static class ActivationEmitter
{
    public static void Register(OpEmitterTable t)
    {
        t.AddSinceFirst("Relu", Relu);
        t.AddSinceFirst("LeakyRelu", (ctx, n) => ctx.Final(n, OpType.ReLU, MnnParams.Relu(n.GetFloat("alpha", 0.01f)), ctx.In(n, 0)));
        t.AddSinceFirst("PRelu", PRelu); // opset < 7 per-channel slopes are made numpy-broadcastable by LegacyBroadcast
        t.AddSinceFirst("Elu", (ctx, n) => ctx.Final(n, OpType.ELU, OpParameterUnion.FromELU(new ELUT { Alpha = n.GetFloat("alpha", 1f) }), ctx.In(n, 0)));
        t.AddSinceFirst("Selu", (ctx, n) => ctx.Final(n, OpType.Selu, OpParameterUnion.FromSelu(new SeluT
        {
            Alpha = n.GetFloat("alpha", 1.67326319217681884765625f),
            Scale = n.GetFloat("gamma", 1.05070102214813232421875f),
        }), ctx.In(n, 0)));
        t.Add("Clip", 1, 6, ClipFromAttributes);
        t.Add("Clip", 11, ClipFromInputs);
        t.AddSinceFirst("Sigmoid", (ctx, n) => ctx.Final(n, OpType.Sigmoid, null, ctx.In(n, 0)));
        t.AddSinceFirst("Tanh", (ctx, n) => ctx.Final(n, OpType.TanH, null, ctx.In(n, 0)));
        t.AddSinceFirst("HardSigmoid", HardSigmoid);
        t.Add("HardSwish", (ctx, n) => ctx.Final(n, OpType.UnaryOp, MnnParams.Unary(UnaryOpOperation.HARDSWISH), ctx.In(n, 0)));
        t.Add("Softplus", Softplus);
        t.Add("Softsign", Softsign);
        t.Add("Gelu", Gelu);
    }

    private static void Relu(ExportContext ctx, Node n)
    {
        if (ctx.IsFloat(n.Inputs[0]))
        {
            ctx.Final(n, OpType.ReLU, MnnParams.Relu(0f), ctx.In(n, 0));
            return;
        }

        // Integer Relu (opset 14+): ReLU is float-only in MNN, max(x, 0) is exact.
        var zero = ctx.ConstInts(n.Out0() + "/zero", [0]);
        ctx.Final(n, OpType.BinaryOp, MnnParams.Binary(BinaryOpOperation.MAXIMUM), ctx.In(n, 0), zero);
    }

    private static void PRelu(ExportContext ctx, Node n)
    {
        var x = ctx.In(n, 0);
        var slope = ctx.ConstantOf(n, 1);
        var rank = ctx.RankOf(n.Inputs[0]);
        if (slope is { } s && s.ElementCount > 0)
        {
            var values = s.ToFloatArray();
            if (values.All(v => v.Equals(values[0])))
            {
                ctx.Final(n, OpType.ReLU, MnnParams.Relu(values[0]), x);
                return;
            }

            if (rank is >= 2 and <= 4 && IsPerChannel(s.Shape, rank.Value, ctx.StaticShapeOf(n.Inputs[0])))
            {
                ctx.Final(n, OpType.PReLU, OpParameterUnion.FromPRelu(new PReluT { SlopeCount = values.Length, Slope = [.. values] }), x);
                return;
            }
        }

        // General broadcast: max(x, 0) + slope * min(x, 0).
        var name = n.Out0();
        var zero = ctx.ConstScalarLike(name + "/zero", n.Inputs[0], 0);
        var pos = ctx.Binary(name + "/pos", BinaryOpOperation.MAXIMUM, x, zero);
        var neg = ctx.Binary(name + "/neg", BinaryOpOperation.MINIMUM, x, zero);
        var scaled = ctx.Binary(name + "/scaled", BinaryOpOperation.MUL, neg, ctx.In(n, 1));
        ctx.Final(n, OpType.BinaryOp, MnnParams.Binary(BinaryOpOperation.ADD), pos, scaled);
    }

    /// <summary>True when the slope broadcasts along axis 1 only ([C], [C,1,...], [1,C,1,...]) with C = channels.</summary>
    private static bool IsPerChannel(long[] slopeShape, int rank, long[]? inputShape)
    {
        if (slopeShape.Length > rank || slopeShape.Length == 0)
        {
            return false;
        }

        var aligned = new long[rank];
        Array.Fill(aligned, 1);
        slopeShape.CopyTo(aligned, rank - slopeShape.Length);
        for (var i = 0; i < rank; i++)
        {
            if (i != 1 && aligned[i] != 1)
            {
                return false;
            }
        }

        var channels = aligned[1];
        return inputShape is null ? channels > 1 : inputShape[1] == channels;
    }

    private static void ClipFromAttributes(ExportContext ctx, Node n)
    {
        var min = n.Has("min") ? n.GetFloat("min", float.MinValue) : float.MinValue;
        var max = n.Has("max") ? n.GetFloat("max", float.MaxValue) : float.MaxValue;
        ctx.Final(n, OpType.ReLU6, MnnParams.Relu6(min, max), ctx.In(n, 0));
    }

    private static void ClipFromInputs(ExportContext ctx, Node n)
    {
        var minConst = n.HasInput(1) ? ctx.ConstantOf(n, 1) : null;
        var maxConst = n.HasInput(2) ? ctx.ConstantOf(n, 2) : null;
        var minKnown = !n.HasInput(1) || minConst is { ElementCount: 1 };
        var maxKnown = !n.HasInput(2) || maxConst is { ElementCount: 1 };
        if (ctx.IsFloat(n.Inputs[0]) && minKnown && maxKnown)
        {
            var min = minConst is { } a ? (float)a.GetDouble(0) : float.MinValue;
            var max = maxConst is { } b ? (float)b.GetDouble(0) : float.MaxValue;
            ctx.Final(n, OpType.ReLU6, MnnParams.Relu6(min, max), ctx.In(n, 0));
            return;
        }

        // Run-time bounds or integer data: max then min, as ONNX defines Clip.
        var x = ctx.In(n, 0);
        var name = n.Out0();
        if (n.HasInput(1) && n.HasInput(2))
        {
            var low = ctx.Binary(name + "/min", BinaryOpOperation.MAXIMUM, x, ctx.In(n, 1));
            ctx.Final(n, OpType.BinaryOp, MnnParams.Binary(BinaryOpOperation.MINIMUM), low, ctx.In(n, 2));
        }
        else if (n.HasInput(1))
        {
            ctx.Final(n, OpType.BinaryOp, MnnParams.Binary(BinaryOpOperation.MAXIMUM), x, ctx.In(n, 1));
        }
        else if (n.HasInput(2))
        {
            ctx.Final(n, OpType.BinaryOp, MnnParams.Binary(BinaryOpOperation.MINIMUM), x, ctx.In(n, 2));
        }
        else
        {
            ctx.Final(n, OpType.Identity, null, x);
        }
    }

    private static void HardSigmoid(ExportContext ctx, Node n)
    {
        // max(0, min(1, alpha * x + beta)), as upstream writes it.
        var name = n.Out0();
        var alpha = ctx.ConstFloats(name + "/alpha", [n.GetFloat("alpha", 0.2f)]);
        var beta = ctx.ConstFloats(name + "/beta", [n.GetFloat("beta", 0.5f)]);
        var scaled = ctx.Binary(name + "/mul", BinaryOpOperation.MUL, ctx.In(n, 0), alpha);
        var shifted = ctx.Binary(name + "/add", BinaryOpOperation.ADD, scaled, beta);
        ctx.Final(n, OpType.ReLU6, MnnParams.Relu6(0f, 1f), shifted);
    }

    private static void Softplus(ExportContext ctx, Node n)
    {
        // log(1 + exp(x)) written overflow-free: max(x, 0) + log1p(exp(-|x|)).
        var name = n.Out0();
        var x = ctx.In(n, 0);
        var pos = ctx.AddTemp(OpType.ReLU, name + "/relu", MnnParams.Relu(0f), x);
        var abs = ctx.Unary(name + "/abs", UnaryOpOperation.ABS, x);
        var neg = ctx.Unary(name + "/neg", UnaryOpOperation.NEG, abs);
        var exp = ctx.Unary(name + "/exp", UnaryOpOperation.EXP, neg);
        var log = ctx.Unary(name + "/log1p", UnaryOpOperation.LOG1P, exp);
        ctx.Final(n, OpType.BinaryOp, MnnParams.Binary(BinaryOpOperation.ADD), pos, log);
    }

    private static void Softsign(ExportContext ctx, Node n)
    {
        var name = n.Out0();
        var x = ctx.In(n, 0);
        var abs = ctx.Unary(name + "/abs", UnaryOpOperation.ABS, x);
        var one = ctx.ConstFloats(name + "/one", [1f]);
        var denom = ctx.Binary(name + "/denom", BinaryOpOperation.ADD, abs, one);
        ctx.Final(n, OpType.BinaryOp, MnnParams.Binary(BinaryOpOperation.REALDIV), x, denom);
    }

    private static void Gelu(ExportContext ctx, Node n)
    {
        var approximate = n.GetString("approximate", "none");
        var op = approximate switch
        {
            "none" => UnaryOpOperation.GELU_STANDARD,
            "tanh" => UnaryOpOperation.GELU,
            _ => throw ctx.UnsupportedAttribute(n, $"approximate='{approximate}'"),
        };
        ctx.Final(n, OpType.UnaryOp, MnnParams.Unary(op), ctx.In(n, 0));
    }
}
