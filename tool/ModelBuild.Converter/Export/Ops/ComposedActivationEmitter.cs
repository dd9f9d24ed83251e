using ModelBuild.Converter.Graph;
using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Converter.Export.Ops;

/// <summary>
/// Activations MNN has no op for, written with element ops: Celu as upstream writes it
/// (select(x &lt; 0, alpha·(exp(x/alpha) − 1), x)) and Swish-24 as x·sigmoid(alpha·x).
/// </summary>
internal static class ComposedActivationEmitter
{
    public static void Register(OpEmitterTable t)
    {
        t.Add("Celu", 12, Celu);
        t.Add("Swish", 24, 24, Swish);
    }

    private static void Celu(ExportContext ctx, Node n)
    {
        var alpha = n.GetFloat("alpha", 1f);
        if (alpha == 0)
        {
            throw ctx.Invalid(n, "alpha must not be 0");
        }

        if (ctx.TypeOf(n.Inputs[0]) == Graph.DataType.BFloat16)
        {
            // ONNX Runtime rounds exp's result to bfloat16 (8 bits of mantissa); float32 results differ by more than
            // the 1e-3 relative tolerance, so the node is refused rather than converted to something else.
            throw ctx.UnsupportedAttribute(n, "a BFloat16 input (computed in float32, cannot round through bfloat16)");
        }

        var name = n.Out0();
        var x = ctx.In(n, 0);
        var alphaT = ctx.ConstFloats(name + "/alpha", [alpha]);
        var scaled = ctx.Binary(name + "/div", BinaryOpOperation.REALDIV, x, alphaT);
        var exp = ctx.Unary(name + "/exp", UnaryOpOperation.EXP, scaled);
        var minus1 = ctx.Binary(name + "/sub", BinaryOpOperation.SUB, exp, ctx.ConstFloats(name + "/one", [1f]));
        var negative = ctx.Binary(name + "/mul", BinaryOpOperation.MUL, minus1, alphaT);
        // 0 > x rather than x < 0: upstream MNN's x86 float LESS compares bits as int32 (see ElementwiseEmitter.Binary)
        var isNegative = ctx.Binary(name + "/less", BinaryOpOperation.GREATER, ctx.ConstFloats(name + "/zero", [0f]), x);
        ctx.Final(n, OpType.Select, null, isNegative, negative, x);
    }

    private static void Swish(ExportContext ctx, Node n)
    {
        var alpha = n.GetFloat("alpha", 1f);
        var name = n.Out0();
        var x = ctx.In(n, 0);
        var gateIn = alpha == 1f ? x : ctx.Binary(name + "/alpha_x", BinaryOpOperation.MUL, x, ctx.ConstFloats(name + "/alpha", [alpha]));
        var gate = ctx.AddTemp(OpType.Sigmoid, name + "/sigmoid", null, gateIn);
        ctx.Final(n, OpType.BinaryOp, MnnParams.Binary(BinaryOpOperation.MUL), x, gate);
    }
}
