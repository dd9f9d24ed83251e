using System.Runtime.InteropServices;
using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Runtime.Format;

/// <summary>
/// Weight-quantized convolutions as upstream MNNConvert <c>--weightQuantBits 8</c> writes them
/// (<c>WeightQuantAndCoding.cpp</c>, <c>IDSTEncoder::encode</c>): per output channel (a row of weight/outputCount
/// values) one scale, the weights rounded to int8 and stored in <c>quanParameter</c> (type 1 bit-packed buffer,
/// <see cref="IdstBuffer"/>), <c>weight</c> empty, bias kept float. Asymmetric (MNNConvert 3.6.1's default):
/// <c>alpha</c> = (min, (max − min)/255) pairs, q = round((w − min)/scale) − 128, <c>readType</c> = channels,
/// <c>aMin</c> = −128. Symmetric (<c>--weightQuantAsymmetric=0</c>, loads in older MNN): <c>alpha</c> = absmax/127,
/// q = round(w/scale). A channel whose scale is ≤ 1e-6 stores only its lowest code, as upstream does.
/// <see cref="Expand"/> turns these (and upstream's sparse type 2, raw int8 type 4 and fp16 scales) back into float32
/// once, at load, with upstream's formula w = q·scale + (min − aMin·scale).
/// </summary>
internal static class Int8Weights
{
    private const int Bits = 8;
    private const float ZeroScale = 1e-6f;

    /// <summary>IDSTQuan.type of raw int8 weights (upstream's <c>weight int8 only</c>).</summary>
    private const int TypeRawInt8 = 4;

    /// <summary>Quantizes the float convolution weights of <paramref name="net"/> (and its subgraphs) in place.</summary>
    internal static WeightSaving Compress(NetT net, bool asymmetric)
    {
        var saving = default(WeightSaving);
        foreach (var op in WeightOps.All(net))
        {
            if (WeightOps.IsConvolution(op.Type) && op.Main?.Value is Convolution2DT { QuanParameter: null, Weight.Count: > 0 } conv
                && conv.Common is { OutputCount: > 0 } common && conv.Weight.Count % common.OutputCount == 0)
            {
                var quan = conv.QuanParameter = Quantize(CollectionsMarshal.AsSpan(conv.Weight), common.OutputCount, asymmetric);
                saving = saving.Add(4L * conv.Weight.Count, quan.Buffer.Count + (4L * quan.Alpha.Count));
                conv.Weight = [];
            }
        }

        return saving;
    }

    /// <summary>One convolution's weights ([channels, area] row-major) as upstream's IDSTQuan.</summary>
    internal static IDSTQuanT Quantize(ReadOnlySpan<float> weights, int channels, bool asymmetric)
    {
        const float threshold = (1 << (Bits - 1)) - 1; // 127
        float clampMin = asymmetric ? -threshold - 1 : -threshold;
        int area = weights.Length / channels;
        var scales = new float[asymmetric ? 2 * channels : channels];
        var quantized = new sbyte[weights.Length];
        for (int c = 0; c < channels; c++)
        {
            var row = weights.Slice(c * area, area);
            var q = quantized.AsSpan(c * area, area);
            if (asymmetric)
            {
                float min = row[0], max = row[0];
                foreach (var w in row)
                {
                    min = w < min ? w : min;
                    max = w > max ? w : max;
                }

                float scale = (max - min) / (threshold - clampMin);
                scales[2 * c] = min;
                scales[(2 * c) + 1] = scale;
                for (int i = 0; i < area; i++)
                {
                    q[i] = scale > ZeroScale ? Clamp(Round((row[i] - min) / scale) + clampMin) : (sbyte)clampMin;
                }
            }
            else
            {
                float absMax = MathF.Abs(row[0]);
                foreach (var w in row)
                {
                    absMax = MathF.Abs(w) > absMax ? MathF.Abs(w) : absMax;
                }

                float scale = scales[c] = absMax / threshold;
                for (int i = 0; i < area; i++)
                {
                    q[i] = scale > ZeroScale ? Clamp(Round(row[i] / scale)) : (sbyte)0;
                }
            }
        }

        var buffer = IdstBuffer.EncodeDense(quantized, channels, area, Bits, out bool shapeInt32);
        return new IDSTQuanT
        {
            Type = IdstBuffer.TypeDense,
            Buffer = [.. MemoryMarshal.Cast<byte, sbyte>(buffer.AsSpan())],
            Alpha = [.. scales],
            AMaxOrBits = Bits,
            ShapeInt32 = shapeInt32,
            QuantScale = 1f,
            ScaleStorage = ScaleStorageType.FP32,
            ReadType = asymmetric ? channels : 0,
            AMin = asymmetric ? (int)clampMin : 0,
        };
    }

    /// <summary>Turns quantized convolution weights back into float32, in place (a no-op for float files); true when there were any.</summary>
    internal static bool Expand(NetT net, string where)
    {
        var found = false;
        foreach (var op in WeightOps.All(net))
        {
            if (WeightOps.IsConvolution(op.Type) && op.Main?.Value is Convolution2DT { QuanParameter: { } quan } conv && conv.Weight is not { Count: > 0 }
                && quan.Type is IdstBuffer.TypeDense or IdstBuffer.TypeSparse or TypeRawInt8)
            {
                conv.Weight = Dequantize(quan, $"{where}: op '{op.Name}'");
                conv.QuanParameter = null;
                found = true;
            }
        }

        return found;
    }

    /// <summary>upstream's <c>ConvolutionCommon::load</c> float path for one IDSTQuan.</summary>
    internal static List<float> Dequantize(IDSTQuanT quan, string where)
    {
        void Fail(string message) => throw new ModelBuildException(ErrorCodes.MnnCorrupt, $"{where}: quantized weights: {message}");
        if (quan.HasScaleInt)
        {
            throw new ModelBuildException(ErrorCodes.UnsupportedMnnOperator, $"{where}: integer-scaled (has_scaleInt) quantized weights are not supported");
        }

        if (quan.Index is { Count: > 0 })
        {
            throw new ModelBuildException(ErrorCodes.UnsupportedMnnOperator, $"{where}: index-coded sparse weights are not supported");
        }

        float[] alpha = quan.ScaleStorage == ScaleStorageType.FP16
            ? [.. (quan.AlphaFp16 ?? []).Select(h => (float)BitConverter.UInt16BitsToHalf(h))]
            : [.. quan.Alpha ?? []];
        var buffer = MemoryMarshal.Cast<sbyte, byte>(CollectionsMarshal.AsSpan(quan.Buffer ?? []));
        if (buffer.IsEmpty)
        {
            Fail("no buffer (external weight data is not supported)");
        }

        sbyte[] q = quan.Type == TypeRawInt8
            ? [.. MemoryMarshal.Cast<byte, sbyte>(buffer)]
            : IdstBuffer.Decode(buffer, quan.Type, quan.ShapeInt32, alpha, where);

        bool oldType4 = quan.Type == TypeRawInt8 && quan.AMin == 0 && Math.Abs(quan.QuantScale) < 1e-6f;
        bool asymmetric = quan.ReadType != 0 || oldType4;
        int channels = asymmetric ? alpha.Length / 2 : alpha.Length;
        if (channels == 0 || (asymmetric && alpha.Length % 2 != 0) || q.Length % channels != 0)
        {
            Fail($"{alpha.Length} scales ({(asymmetric ? "asymmetric" : "symmetric")}) for {q.Length} weights");
        }

        if (asymmetric)
        {
            // stored mins are of codes counted from aMin (−128 in files that leave it 0): shift them to code 0
            float clampMin = quan.AMin == 0 ? -128 : quan.AMin;
            if (clampMin < 0)
            {
                for (int c = 0; c < channels; c++)
                {
                    alpha[2 * c] -= clampMin * alpha[(2 * c) + 1];
                }
            }
        }

        if (!oldType4 && quan.QuantScale != 1f)
        {
            for (int i = 0; i < alpha.Length; i++)
            {
                alpha[i] *= quan.QuantScale;
            }
        }

        int area = q.Length / channels;
        var result = new float[q.Length];
        for (int c = 0; c < channels; c++)
        {
            float min = asymmetric ? alpha[2 * c] : 0f;
            float scale = asymmetric ? alpha[(2 * c) + 1] : alpha[c];
            for (int i = c * area; i < (c + 1) * area; i++)
            {
                result[i] = (q[i] * scale) + min;
            }
        }

        return [.. result];
    }

    /// <summary>C's round(): halves away from zero (Math.Round's default rounds them to even).</summary>
    private static float Round(float v) => (float)Math.Round((double)v, MidpointRounding.AwayFromZero);

    private static sbyte Clamp(float v) => (sbyte)Math.Clamp(v, -128f, 127f);
}
