using ModelBuild.Converter.Graph;
using ModelBuild.Converter.Graph.Passes;
using ModelBuild.Runtime.Format.Schema;
using IrDataType = ModelBuild.Converter.Graph.DataType;
using MnnDataType = ModelBuild.Runtime.Format.Schema.DataType;

namespace ModelBuild.Converter.Export.Ops;

/// <summary>
/// Element-wise ops: binary arithmetic and comparisons (BinaryOp), n-ary Min/Max/Sum/Mean (chains of BinaryOp),
/// unary math (UnaryOp), logical Not/And/Or/Xor, Where (Select), Cast, Identity and Dropout.
/// </summary>
internal static class ElementwiseEmitter
{
    private static readonly (string Onnx, BinaryOpOperation Mnn)[] s_binary =
    [
        ("Add", BinaryOpOperation.ADD),
        ("Sub", BinaryOpOperation.SUB),
        ("Mul", BinaryOpOperation.MUL),
        ("Div", BinaryOpOperation.REALDIV),
        ("Pow", BinaryOpOperation.POW),
        ("Equal", BinaryOpOperation.EQUAL),
        ("Less", BinaryOpOperation.LESS),
        ("LessOrEqual", BinaryOpOperation.LESS_EQUAL),
        ("Greater", BinaryOpOperation.GREATER),
        ("GreaterOrEqual", BinaryOpOperation.GREATER_EQUAL),
        ("And", BinaryOpOperation.MUL), // 0/1 operands: logical and is a product (as upstream encodes it)
        ("Or", BinaryOpOperation.LOGICALOR),
        ("Xor", BinaryOpOperation.LOGICALXOR),
    ];

    private static readonly (string Onnx, UnaryOpOperation Mnn)[] s_unary =
    [
        ("Abs", UnaryOpOperation.ABS),
        ("Neg", UnaryOpOperation.NEG),
        ("Floor", UnaryOpOperation.FLOOR),
        ("Ceil", UnaryOpOperation.CEIL),
        ("Sqrt", UnaryOpOperation.SQRT),
        ("Exp", UnaryOpOperation.EXP),
        ("Log", UnaryOpOperation.LOG),
        ("Reciprocal", UnaryOpOperation.RECIPROCAL),
        ("Erf", UnaryOpOperation.ERF),
        ("Sin", UnaryOpOperation.SIN),
        ("Cos", UnaryOpOperation.COS),
        ("Tan", UnaryOpOperation.TAN),
        ("Asin", UnaryOpOperation.ASIN),
        ("Acos", UnaryOpOperation.ACOS),
        ("Atan", UnaryOpOperation.ATAN),
        ("Sinh", UnaryOpOperation.SINH),
        ("Cosh", UnaryOpOperation.COSH),
        ("Asinh", UnaryOpOperation.ASINH),
        ("Acosh", UnaryOpOperation.ACOSH),
        ("Atanh", UnaryOpOperation.ATANH),
        ("Sign", UnaryOpOperation.SIGN),
    ];

    public static void Register(OpEmitterTable t)
    {
        foreach (var (onnx, mnn) in s_binary)
        {
            t.AddSinceFirst(onnx, (ctx, n) => Binary(ctx, n, mnn)); // opset < 7 broadcasting is rewritten by LegacyBroadcast
        }

        foreach (var (onnx, mnn) in s_unary)
        {
            t.AddSinceFirst(onnx, (ctx, n) => ctx.Final(n, OpType.UnaryOp, MnnParams.Unary(mnn), ctx.In(n, 0)));
        }

        // Before opset 8 these required equal shapes, where broadcasting gives the same result.
        t.AddSinceFirst("Min", (ctx, n) => Variadic(ctx, n, BinaryOpOperation.MINIMUM, mean: false));
        t.AddSinceFirst("Max", (ctx, n) => Variadic(ctx, n, BinaryOpOperation.MAXIMUM, mean: false));
        t.AddSinceFirst("Sum", (ctx, n) => Variadic(ctx, n, BinaryOpOperation.ADD, mean: false));
        t.AddSinceFirst("Mean", (ctx, n) => Variadic(ctx, n, BinaryOpOperation.ADD, mean: true));
        t.Add("Not", Not);
        t.Add("Where", (ctx, n) => ctx.Final(n, OpType.Select, null, ctx.In(n, 0), ctx.In(n, 1), ctx.In(n, 2)));
        // Version 24 changed only conversions to float8 types (saturation of ±Inf, float8e8m0 round_mode),
        // targets Cast rejects; Cast-1 named the target type by string.
        t.Add("Cast", 6, 24, Cast);
        t.Add("CastLike", 15, 24, CastLike);
        t.Add("Identity", (ctx, n) => ctx.Final(n, OpType.Identity, null, ctx.In(n, 0)));
        t.AddSinceFirst("Dropout", Dropout);
        t.Add("Mod", Mod);
        t.Add("BitShift", BitShift);
    }

    private static void BitShift(ExportContext ctx, Node n)
    {
        var type = ctx.TypeOf(n.Inputs[0]);
        if (type is not (IrDataType.UInt8 or IrDataType.UInt16 or IrDataType.UInt32 or IrDataType.UInt64))
        {
            throw ctx.Invalid(n, $"BitShift is defined for unsigned integer inputs, not {DataTypeNames.Of(type)}");
        }

        var direction = n.GetString("direction", "");
        var op = direction switch
        {
            "LEFT" => BinaryOpOperation.LEFTSHIFT,
            "RIGHT" => BinaryOpOperation.RIGHTSHIFT,
            _ => throw ctx.UnsupportedAttribute(n, $"direction='{direction}' (LEFT or RIGHT)"),
        };

        // MNN holds these as int32 and shifts int32 (as MNNConvert writes it). A narrow left shift must wrap at
        // its own width: keep the low 8/16 bits.
        var mask = op == BinaryOpOperation.LEFTSHIFT ? type switch { IrDataType.UInt8 => 0xFF, IrDataType.UInt16 => 0xFFFF, _ => 0 } : 0;
        if (mask == 0)
        {
            ctx.Final(n, OpType.BinaryOp, MnnParams.Binary(op), ctx.In(n, 0), ctx.In(n, 1));
            return;
        }

        var shifted = ctx.Binary(n.Out0() + "/shifted", op, ctx.In(n, 0), ctx.In(n, 1));
        var bits = ctx.ConstInts(n.Out0() + "/mask", [mask]);
        ctx.Final(n, OpType.BinaryOp, MnnParams.Binary(BinaryOpOperation.BITWISE_AND), shifted, bits);
    }

    private static void Binary(ExportContext ctx, Node n, BinaryOpOperation op)
    {
        if (n.Inputs.Count != 2)
        {
            throw ctx.Invalid(n, $"expects 2 inputs, has {n.Inputs.Count}");
        }

        if (n.Has("broadcast") || n.Has("axis"))
        {
            // LegacyBroadcast rewrites these away; numpy broadcasting would compute something else.
            throw ctx.UnsupportedAttribute(n, "legacy 'broadcast'/'axis' attributes (opset < 7)");
        }

        var a = ctx.In(n, 0);
        var b = ctx.In(n, 1);
        if (n.OpType == "Pow" && ctx.IsFloat(n.Inputs[0]) != ctx.IsFloat(n.Inputs[1]))
        {
            // Pow allows an exponent of another type; MNN's BinaryOp needs one type: compute in the base's type.
            var target = ctx.IsFloat(n.Inputs[0]) ? Runtime.Format.Schema.DataType.DT_FLOAT : Runtime.Format.Schema.DataType.DT_INT32;
            var source = ctx.IsFloat(n.Inputs[1]) ? Runtime.Format.Schema.DataType.DT_FLOAT : Runtime.Format.Schema.DataType.DT_INT32;
            b = ctx.AddTemp(OpType.Cast, n.Out0() + "/exponent", OpParameterUnion.FromCastParam(new CastParamT { SrcT = source, DstT = target }), b);
        }

        if (op == BinaryOpOperation.LESS && ctx.IsFloat(n.Inputs[0]))
        {
            // Upstream MNN's x86 float vector LESS compares the raw bits as int32 (wrong for negative numbers);
            // its GREATER is a real float compare, and a < b is b > a.
            (a, b, op) = (b, a, BinaryOpOperation.GREATER);
        }

        ctx.Final(n, OpType.BinaryOp, MnnParams.Binary(op), a, b);
    }

    private static void Variadic(ExportContext ctx, Node n, BinaryOpOperation op, bool mean)
    {
        var inputs = Enumerable.Range(0, n.Inputs.Count).Where(n.HasInput).ToList();
        if (inputs.Count == 0)
        {
            throw ctx.Invalid(n, "has no inputs");
        }

        var name = n.Out0();
        if (inputs.Count == 1 && !mean)
        {
            ctx.Final(n, OpType.Identity, null, ctx.In(n, inputs[0]));
            return;
        }

        var acc = ctx.In(n, inputs[0]);
        for (var k = 1; k < inputs.Count; k++)
        {
            var last = k == inputs.Count - 1 && !mean;
            if (last)
            {
                ctx.Final(n, OpType.BinaryOp, MnnParams.Binary(op), acc, ctx.In(n, inputs[k]));
                return;
            }

            acc = ctx.Binary($"{name}/{k}", op, acc, ctx.In(n, inputs[k]));
        }

        var count = ctx.ConstScalarLike(name + "/count", n.Inputs[inputs[0]], inputs.Count);
        ctx.Final(n, OpType.BinaryOp, MnnParams.Binary(BinaryOpOperation.REALDIV), acc, count);
    }

    private static void Not(ExportContext ctx, Node n)
    {
        // Bool tensors are 0/1 int32: not(x) == (x == 0).
        var zero = ctx.ConstInts(n.Out0() + "/zero", [0]);
        ctx.Final(n, OpType.BinaryOp, MnnParams.Binary(BinaryOpOperation.EQUAL), ctx.In(n, 0), zero);
    }

    private static void Mod(ExportContext ctx, Node n)
    {
        var fmod = n.GetInt("fmod", 0);
        var isFloat = ctx.IsFloat(n.Inputs[0]);
        if (fmod == 0 && isFloat)
        {
            throw ctx.Invalid(n, "fmod=0 is only defined for integer inputs");
        }

        // As MNNConvert writes it, for upstream's CPU kernels: float fmod=1 is MOD (C fmodf); integer fmod=0 is MOD
        // (floored, sign of the divisor); integer fmod=1 is FLOORMOD, whose integer form x - floor(x / y) * y
        // truncates (sign of the dividend). Float FLOORMOD would floor, which is not C fmod.
        var op = isFloat || fmod == 0 ? BinaryOpOperation.MOD : BinaryOpOperation.FLOORMOD;
        ctx.Final(n, OpType.BinaryOp, MnnParams.Binary(op), ctx.In(n, 0), ctx.In(n, 1));
    }

    private static void Cast(ExportContext ctx, Node n)
    {
        var to = (IrDataType)n.GetInt("to", 0);
        var dst = to switch
        {
            IrDataType.Float or IrDataType.Double or IrDataType.Float16 or IrDataType.BFloat16 => MnnDataType.DT_FLOAT,
            IrDataType.Int32 or IrDataType.Int64 => MnnDataType.DT_INT32,
            IrDataType.Bool => MnnDataType.DT_BOOL,
            _ => throw ctx.UnsupportedAttribute(n, $"to={to} (MNN computes in float32 and int32 only)"),
        };
        RejectHalfNarrowing(ctx, n, to);
        var src = ExportContext.MnnTypeOf(ctx.TypeOf(n.Inputs[0]));
        ctx.Final(n, OpType.Cast, OpParameterUnion.FromCastParam(new CastParamT { SrcT = src, DstT = dst }), ctx.In(n, 0));
    }

    private static void CastLike(ExportContext ctx, Node n)
    {
        // The target type is the (static) element type of input 1.
        var to = ctx.TypeOf(n.Inputs[1]);
        if (to == IrDataType.Undefined)
        {
            throw ctx.UnsupportedAttribute(n, $"target_type input '{n.Inputs[1]}' of unknown element type");
        }

        var dst = to == IrDataType.Bool ? MnnDataType.DT_BOOL : ExportContext.MnnTypeOf(to);
        RejectHalfNarrowing(ctx, n, to);
        var src = ExportContext.MnnTypeOf(ctx.TypeOf(n.Inputs[0]));
        ctx.Final(n, OpType.Cast, OpParameterUnion.FromCastParam(new CastParamT { SrcT = src, DstT = dst }), ctx.In(n, 0));
    }

    private static void Dropout(ExportContext ctx, Node n)
    {
        if (n.Outputs.Count > 1 && n.Outputs[1].Length > 0)
        {
            throw ctx.UnsupportedAttribute(n, "the mask output");
        }

        if (TrainingMode.Requested(ctx.Graph, n))
        {
            throw ctx.UnsupportedAttribute(n, "is_test=0 (training-mode dropout, opset < 7)");
        }

        if (ctx.Opset >= 12 && n.HasInput(2))
        {
            var mode = ctx.ConstantOf(n, 2) ?? throw ctx.UnsupportedAttribute(n, "a run-time training_mode input");
            if (mode.ElementCount > 0 && mode.GetLong(0) != 0)
            {
                throw ctx.UnsupportedAttribute(n, "training_mode=true");
            }
        }

        ctx.Final(n, OpType.Identity, null, ctx.In(n, 0));
    }

    /// <summary>
    /// MNN holds 16-bit floats as float32, so a cast to float16/bfloat16 from another type would skip the rounding
    /// it performs (bfloat16 keeps 8 significant bits): refused rather than computed without it.
    /// </summary>
    private static void RejectHalfNarrowing(ExportContext ctx, Node n, IrDataType to)
    {
        var from = ctx.TypeOf(n.Inputs[0]);
        if (to is IrDataType.Float16 or IrDataType.BFloat16 && from != to)
        {
            throw ctx.UnsupportedAttribute(n, $"a cast from {from} to {to} (MNN holds {to} as float32 and cannot round to it)");
        }
    }
}
