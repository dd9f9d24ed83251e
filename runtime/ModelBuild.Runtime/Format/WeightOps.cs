using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Runtime.Format;

/// <summary>The ops whose stored weights fp16/int8 storage rewrites: every op of the net and of its subgraphs.</summary>
internal static class WeightOps
{
    public static IEnumerable<OpT> All(NetT net) =>
        (net.Oplists ?? []).Concat((net.Subgraphs ?? []).SelectMany(g => g?.Nodes ?? [])).Where(op => op is not null);

    /// <summary>The op types whose Convolution2D weights upstream compresses (WeightQuantAndCoding, CastParamsToHalf).</summary>
    public static bool IsConvolution(OpType t) =>
        t is OpType.Convolution or OpType.ConvolutionDepthwise or OpType.Deconvolution or OpType.DeconvolutionDepthwise;
}
