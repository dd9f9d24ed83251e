using System.Runtime.InteropServices;
using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Runtime.Format;

/// <summary>
/// Half-precision weight storage as upstream MNNConvert <c>--fp16</c> writes it: convolution weights in
/// <c>quanParameter</c> (IDSTQuan type 3, <c>buffer</c> = the IEEE fp16 values, little-endian) with <c>weight</c>
/// empty, and float constants as <c>Blob</c> DT_HALF with the fp16 bytes in <c>uint8s</c>. Values beyond ±65504 are
/// clamped first, as upstream does; rounding is to nearest even. <see cref="Expand"/> turns both back into float32
/// once, at load (the runtime computes in float32).
/// </summary>
internal static class HalfWeights
{
    /// <summary>IDSTQuan.type of fp16 convolution weights.</summary>
    public const int QuanTypeHalf = 3;

    /// <summary>Stores the float weights of <paramref name="net"/> (and its subgraphs) as fp16, in place.</summary>
    internal static WeightSaving Compress(NetT net)
    {
        var saving = default(WeightSaving);
        foreach (var op in WeightOps.All(net))
        {
            if (WeightOps.IsConvolution(op.Type) && op.Main?.Value is Convolution2DT conv && conv.QuanParameter is null && conv.Weight is { Count: > 0 } w)
            {
                var bytes = ToHalfBytes(CollectionsMarshal.AsSpan(w));
                conv.QuanParameter = new IDSTQuanT { Type = QuanTypeHalf, Buffer = [.. MemoryMarshal.Cast<byte, sbyte>(bytes)] };
                saving = saving.Add(4L * w.Count, bytes.Length);
                conv.Weight = [];
            }
            else if (op.Type == OpType.Const && op.Main?.Value is BlobT { DataType: DataType.DT_FLOAT } blob)
            {
                blob.Uint8s = [.. ToHalfBytes(CollectionsMarshal.AsSpan(blob.Float32s ?? []))];
                saving = saving.Add(4L * (blob.Float32s?.Count ?? 0), blob.Uint8s.Count);
                blob.Float32s = [];
                blob.DataType = DataType.DT_HALF;
            }
        }

        return saving;
    }

    /// <summary>Turns fp16 weight storage back into float32, in place (a no-op for float files); true when there was any.</summary>
    internal static bool Expand(NetT net, string where)
    {
        var found = false;
        foreach (var op in WeightOps.All(net))
        {
            if (WeightOps.IsConvolution(op.Type) && op.Main?.Value is Convolution2DT { QuanParameter.Type: QuanTypeHalf } conv && conv.Weight is not { Count: > 0 })
            {
                var buffer = conv.QuanParameter.Buffer ?? [];
                if (buffer.Count % 2 != 0)
                {
                    throw new ModelBuildException(ErrorCodes.MnnCorrupt, $"{where}: op '{op.Name}': fp16 weights of {buffer.Count} bytes (odd)");
                }

                conv.Weight = FromHalfBytes(MemoryMarshal.Cast<sbyte, byte>(CollectionsMarshal.AsSpan(buffer)));
                conv.QuanParameter = null;
                found = true;
            }
            else if (op.Type == OpType.Const && op.Main?.Value is BlobT { DataType: DataType.DT_HALF } blob)
            {
                var bytes = blob.Uint8s ?? [];
                if (bytes.Count % 2 != 0)
                {
                    throw new ModelBuildException(ErrorCodes.MnnCorrupt, $"{where}: constant '{op.Name}': fp16 data of {bytes.Count} bytes (odd)");
                }

                blob.Float32s = FromHalfBytes(CollectionsMarshal.AsSpan(bytes));
                blob.Uint8s = [];
                blob.DataType = DataType.DT_FLOAT;
                found = true;
            }
        }

        return found;
    }

    private static byte[] ToHalfBytes(ReadOnlySpan<float> values)
    {
        var bytes = new byte[values.Length * 2];
        var halves = MemoryMarshal.Cast<byte, Half>(bytes.AsSpan());
        for (int i = 0; i < values.Length; i++)
        {
            halves[i] = (Half)Math.Clamp(values[i], -65504f, 65504f);
        }

        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("fp16 weight storage is written little-endian");
        }

        return bytes;
    }

    private static List<float> FromHalfBytes(ReadOnlySpan<byte> bytes)
    {
        var halves = MemoryMarshal.Cast<byte, Half>(bytes);
        var result = new List<float>(halves.Length);
        foreach (var h in halves)
        {
            result.Add((float)h);
        }

        return result;
    }
}
