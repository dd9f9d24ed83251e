using ModelBuild.Converter.Graph;
using ModelBuild.Runtime.Format.Schema;
using IrDataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Converter.Export.Ops;

/// <summary>Constant → Const, ConstantOfShape → Fill(shape, value), Range → Range (when not folded).</summary>
internal static class GeneratorEmitter
{
    public static void Register(OpEmitterTable t)
    {
        t.Add("Constant", Constant);
        t.Add("ConstantOfShape", ConstantOfShape);
        t.Add("Range", 11, 27, Range);
    }

    private static void Constant(ExportContext ctx, Node n)
    {
        TensorData? data = n.GetTensor("value");
        if (data is null && n.Attributes.TryGetValue("value_float", out var f))
        {
            data = TensorData.Scalar(f.Float);
        }
        else if (data is null && n.Attributes.TryGetValue("value_int", out var i))
        {
            data = TensorData.Scalar(i.Int);
        }
        else if (data is null && n.GetFloats("value_floats") is { } fs)
        {
            data = TensorData.Vector(fs);
        }
        else if (data is null && n.GetInts("value_ints") is { } ints)
        {
            data = TensorData.Vector(ints);
        }

        if (data is null)
        {
            throw ctx.UnsupportedAttribute(n, $"value kind ({string.Join(", ", n.Attributes.Keys)})");
        }

        ctx.Final(n, OpType.Const, OpParameterUnion.FromBlob(ConstantBlobs.FromTensorData(data, n.Out0())));
    }

    /// <summary>
    /// Range-27 only added stash_type, the precision of start + i·delta; MNN's Range computes in float32 (or int32),
    /// which is the default stash, so other precisions are refused.
    /// </summary>
    private static void Range(ExportContext ctx, Node n)
    {
        var stash = n.GetInt("stash_type", (long)IrDataType.Float);
        if (stash != (long)IrDataType.Float && ctx.IsFloat(n.Inputs[0]))
        {
            throw ctx.UnsupportedAttribute(n, $"stash_type {(IrDataType)stash} (MNN's Range computes in float32)");
        }

        ctx.Final(n, OpType.Range, null, ctx.In(n, 0), ctx.In(n, 1), ctx.In(n, 2));
    }

    private static void ConstantOfShape(ExportContext ctx, Node n)
    {
        var value = n.GetTensor("value") ?? new TensorData(IrDataType.Float, [1], [0f]);
        if (value.ElementCount != 1)
        {
            throw ctx.Invalid(n, "value must hold exactly one element");
        }

        var name = n.Out0();
        var scalar = value.IsFloat
            ? ctx.ConstFloats(name + "/value", [value.Floats![0]])
            : ctx.ConstInts(name + "/value", ConstantBlobs.ToInt32(value.Ints!, name));
        ctx.Final(n, OpType.Fill, null, ctx.In(n, 0), scalar);
    }
}
