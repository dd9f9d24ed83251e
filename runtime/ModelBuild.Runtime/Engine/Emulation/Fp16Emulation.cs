using System.Collections;
using System.Reflection;
using ModelBuild.Runtime.Engine.Operators;
using ModelBuild.Runtime.Format;
using ModelBuild.Runtime.Format.Schema;
using ModelBuild.Runtime.Kernels;

namespace ModelBuild.Runtime.Engine.Emulation;

/// <summary>
/// The hooks of <see cref="SessionPrecision.EmulatedFp16"/> (what upstream MNN's ARM82 backend does at precision low,
/// read from its source: every float tensor lives in fp16 between ops, weights are converted to fp16 once, and
/// Convolution/Depthwise/MatMul accumulate in fp16 registers; see docs/fp16-emulation.md):
/// <list type="bullet">
/// <item><see cref="ModelFor"/>: a private copy of the model whose float weights and constants are rounded to fp16.</item>
/// <item><see cref="Wrap"/>: convolution, MatMul and global average pooling executors replaced by ones accumulating in fp16.</item>
/// <item><see cref="RoundOutputs"/> / <see cref="RoundInPlace"/>: every op's float outputs and the model inputs
/// rounded to fp16 (the storage between ops).</item>
/// </list>
/// </summary>
internal static class Fp16Emulation
{
    /// <summary>The model a session with <paramref name="options"/> runs: <paramref name="model"/> itself, or its fp16-rounded copy.</summary>
    public static MnnModel ModelFor(MnnModel model, MnnSessionOptions options)
    {
        if (options.Precision != SessionPrecision.EmulatedFp16)
        {
            return model;
        }

        // a deep copy through the file format (the model's own net is shared and immutable), then rounded
        var net = MnnModelReader.Read(MnnModelWriter.Serialize(model.Net), model.Name);
        RoundWeights(net);
        return MnnModel.FromNet(net, model.Name);
    }

    /// <summary>
    /// Rounds every float array held by an op's parameters (convolution weights and bias, Blob constants, Scale,
    /// LayerNorm gamma/beta, ...) to fp16, in place, in the main graph and every subgraph. Scalar parameters (epsilon,
    /// clamp limits) stay float32: MNN keeps them in float too.
    /// </summary>
    internal static void RoundWeights(NetT net)
    {
        var ops = (net.Oplists ?? []).Concat((net.Subgraphs ?? []).SelectMany(g => g.Nodes ?? []));
        foreach (var op in ops)
        {
            RoundFloatLists(op.Main?.Value, depth: 0);
        }
    }

    private static void RoundFloatLists(object? value, int depth)
    {
        if (value is null || depth > 8)
        {
            return;
        }

        foreach (var property in value.GetType().GetProperties(BindingFlags.Instance | BindingFlags.Public))
        {
            if (property.GetIndexParameters().Length != 0 || !property.CanRead)
            {
                continue;
            }

            var v = property.GetValue(value);
            if (v is List<float> floats)
            {
                var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(floats);
                HalfRounding.RoundInPlace(IsaLevel.Scalar, span);
            }
            else if (v is IList list && property.PropertyType.IsGenericType && IsSchemaType(property.PropertyType.GetGenericArguments()[0]))
            {
                foreach (var item in list)
                {
                    RoundFloatLists(item, depth + 1);
                }
            }
            else if (v is not null && IsSchemaType(property.PropertyType))
            {
                RoundFloatLists(v, depth + 1);
            }
        }
    }

    /// <summary>Object-API parameter classes of our schema (not subgraphs: those are rounded from the net).</summary>
    private static bool IsSchemaType(Type t) =>
        t.IsClass && t.Namespace == typeof(NetT).Namespace && t != typeof(SubGraphProtoT) && t != typeof(NetT);

    /// <summary>The executor a session with <paramref name="options"/> runs for <paramref name="op"/>.</summary>
    public static OperatorExecutor Wrap(OpT op, OperatorExecutor inner, MnnSessionOptions options)
    {
        if (options.Precision != SessionPrecision.EmulatedFp16)
        {
            return inner;
        }

        return op.Type switch
        {
            OpType.Convolution or OpType.ConvolutionDepthwise => new HalfConvolutionExecutor(op, inner),
            OpType.MatMul or OpType.BatchMatMul when inner is Operators.Compute.MatMulExecutor m => new HalfMatMulExecutor(m),
            OpType.Pooling => new HalfPoolingExecutor(op, inner),
            _ => inner,
        };
    }

    /// <summary>Rounds the op's float outputs to fp16 (after it ran).</summary>
    public static void RoundOutputs(OpContext ctx)
    {
        foreach (var t in ctx.Outputs)
        {
            RoundInPlace(t, ctx.Isa);
        }
    }

    public static void RoundInPlace(Tensor t, IsaLevel isa)
    {
        if (t.ElementType == TensorElementType.Float32)
        {
            HalfRounding.RoundInPlace(isa, t.Floats);
        }
    }
}
