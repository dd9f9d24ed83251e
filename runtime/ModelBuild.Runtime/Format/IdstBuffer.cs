namespace ModelBuild.Runtime.Format;

/// <summary>
/// The bit-packed weight buffer of <c>IDSTQuan</c> (upstream <c>core/IDSTEncoder.hpp</c> writes it,
/// <c>IDSTDecoder</c> in <c>core/ConvolutionCommon.cpp</c> reads it). Type 1 (dense):
/// <c>[dimCount:u8] [dims: u16 each, u32 when shapeInt32] [valueCount:u8, 0 = 256] [values: i8 × valueCount]
/// [indices: ceil(bits·count/8) bytes, MSB first]</c>, where bits = ⌈log2 valueCount⌉ and index i stands for the i-th
/// smallest value. Type 2 (sparse): <c>[dims] [nnz:u32] [stepBits:u8] [steps: ceil(stepBits·nnz/8) bytes]
/// [valueCount:u8] [values] [value indices: ceil(bits·nnz/8) bytes]</c>; positions advance by each step, and the
/// positions not named hold the channel's zero. Every length is checked against the buffer (MB1101), since a file
/// is untrusted input.
/// </summary>
internal static class IdstBuffer
{
    /// <summary>IDSTQuan.type of the dense (type 1) and sparse (type 2) encodings.</summary>
    public const int TypeDense = 1;
    public const int TypeSparse = 2;

    /// <summary>
    /// Writes <paramref name="quantized"/> (<paramref name="channels"/> rows of <paramref name="area"/> values in
    /// −2^(bits−1)..2^(bits−1)−1) as upstream's <c>WriteCQBlobs</c> does: the full linear value set, every value
    /// stored as value + 2^(bits−1). <paramref name="shapeInt32"/> says whether the dims needed 32 bits.
    /// </summary>
    public static byte[] EncodeDense(ReadOnlySpan<sbyte> quantized, int channels, int area, int bits, out bool shapeInt32)
    {
        if (bits is < 1 or > 8 || (long)channels * area != quantized.Length)
        {
            throw new ArgumentException($"{quantized.Length} values as {channels}×{area} at {bits} bits");
        }

        int offset = 1 << (bits - 1);
        int valueCount = 1 << bits;
        shapeInt32 = channels > ushort.MaxValue || area > ushort.MaxValue;
        int dimBytes = shapeInt32 ? 4 : 2;
        long packed = ((long)bits * quantized.Length + 7) / 8;
        var result = new byte[1 + (2 * dimBytes) + 1 + valueCount + packed];
        int at = 0;
        result[at++] = 2;
        foreach (var dim in (ReadOnlySpan<int>)[channels, area])
        {
            for (int b = 0; b < dimBytes; b++)
            {
                result[at++] = (byte)(dim >> (8 * b));
            }
        }

        result[at++] = (byte)valueCount; // 256 is written as 0
        for (int v = -offset; v < offset; v++)
        {
            result[at++] = (byte)(sbyte)v;
        }

        var indices = result.AsSpan(at);
        long bit = 0;
        foreach (var q in quantized)
        {
            int index = q + offset;
            if ((uint)index >= (uint)valueCount)
            {
                throw new ArgumentException($"value {q} does not fit {bits} bits");
            }

            PutBits(indices, bit, bits, index);
            bit += bits;
        }

        return result;
    }

    /// <summary>
    /// Reads a type 1 or type 2 buffer into one signed value per weight. <paramref name="alpha"/> are the stored
    /// scales: when they are (min, scale) pairs, one per channel, the sparse form fills unnamed positions with each
    /// channel's quantized zero, computed from them as upstream does (else with 0).
    /// </summary>
    public static sbyte[] Decode(ReadOnlySpan<byte> buffer, int type, bool shapeInt32, ReadOnlySpan<float> alpha, string where)
    {
        var reader = new Reader(buffer, where);
        var dims = reader.Dims(shapeInt32);
        long count = 1;
        foreach (var d in dims)
        {
            count *= d;
            if (count > Array.MaxLength)
            {
                reader.Fail($"weight shape [{string.Join(",", dims)}] is too large");
            }
        }

        if (dims.Length == 0 || count == 0)
        {
            reader.Fail($"weight shape [{string.Join(",", dims)}] holds no values");
        }

        var result = type switch
        {
            TypeDense => DecodeDense(ref reader, (int)count),
            TypeSparse => DecodeSparse(ref reader, dims, (int)count, alpha),
            _ => throw new ModelBuildException(ErrorCodes.MnnCorrupt, $"{where}: quantized weight buffer of type {type} (expected 1 or 2)"),
        };
        reader.End();
        return result;
    }

    private static sbyte[] DecodeDense(ref Reader reader, int count)
    {
        var values = reader.ValueSet(out int bits);
        var packed = reader.Bytes(((long)bits * count + 7) / 8, $"{count} indices of {bits} bits");
        var result = new sbyte[count];
        long bit = 0;
        for (int i = 0; i < count; i++, bit += bits)
        {
            int index = GetBits(packed, bit, bits);
            if (index >= values.Length)
            {
                reader.Fail($"weight {i} has value index {index}, but the value set has {values.Length} entries");
            }

            result[i] = values[index];
        }

        return result;
    }

    private static sbyte[] DecodeSparse(ref Reader reader, int[] dims, int count, ReadOnlySpan<float> alpha)
    {
        long nnz = reader.UInt32("non-zero count");
        if (nnz > count)
        {
            reader.Fail($"{nnz} non-zero weights of {count}");
        }

        int stepBits = reader.Byte("step bit width");
        if (stepBits is < 1 or > 8)
        {
            reader.Fail($"step bit width {stepBits} (expected 1..8)");
        }

        // upstream's encoder adds an entry whenever the gap reaches the largest step, so no valid file spans more
        // positions than this (and a tiny buffer cannot claim a huge shape)
        if (count > (nnz + 1) * ((1L << stepBits) - 1))
        {
            reader.Fail($"{nnz} entries of {stepBits}-bit steps cannot span {count} weights");
        }

        var steps = reader.Bytes((stepBits * nnz + 7) / 8, $"{nnz} steps of {stepBits} bits");
        var values = reader.ValueSet(out int bits, distinct: true);
        var indices = reader.Bytes((bits * nnz + 7) / 8, $"{nnz} value indices of {bits} bits");

        var result = new sbyte[count];
        int channels = dims[0];
        if (alpha.Length == 2L * channels)
        {
            // unnamed weights are each channel's zero: round((0 - min) / scale) + min_value, as upstream fills them
            int area = count / channels;
            int minValue = -(1 << (bits - 1));
            for (int c = 0; c < channels; c++)
            {
                float min = alpha[2 * c], scale = alpha[(2 * c) + 1];
                int zero = scale > 1e-6f ? (int)Math.Round((double)((0f - min) / scale), MidpointRounding.AwayFromZero) + minValue : minValue;
                result.AsSpan(c * area, area).Fill(unchecked((sbyte)zero));
            }
        }

        long position = 0;
        for (long i = 0; i < nnz; i++)
        {
            position += GetBits(steps, i * stepBits, stepBits);
            int index = GetBits(indices, i * bits, bits);
            if (position >= count)
            {
                reader.Fail($"sparse weight {i} at position {position} lies past the {count} weights");
            }

            if (index >= values.Length)
            {
                reader.Fail($"sparse weight {i} has value index {index}, but the value set has {values.Length} entries");
            }

            result[position] = values[index];
        }

        return result;
    }

    /// <summary>Upstream's <c>atLestBitsCnt</c>: the bits an index below <paramref name="n"/> needs (at least 1).</summary>
    internal static int IndexBits(int n) => Math.Max(1, n <= 1 ? 0 : 32 - int.LeadingZeroCount(n - 1));

    private static void PutBits(Span<byte> dst, long bit, int width, int value)
    {
        for (int k = width - 1; k >= 0; k--, bit++)
        {
            if (((value >> k) & 1) != 0)
            {
                dst[(int)(bit >> 3)] |= (byte)(0x80 >> (int)(bit & 7));
            }
        }
    }

    private static int GetBits(ReadOnlySpan<byte> src, long bit, int width)
    {
        int value = 0;
        for (int k = 0; k < width; k++, bit++)
        {
            value = (value << 1) | ((src[(int)(bit >> 3)] >> (7 - (int)(bit & 7))) & 1);
        }

        return value;
    }

    private ref struct Reader(ReadOnlySpan<byte> buffer, string where)
    {
        private readonly ReadOnlySpan<byte> _buffer = buffer;
        private int _at;

        public readonly void Fail(string message) =>
            throw new ModelBuildException(ErrorCodes.MnnCorrupt, $"{where}: quantized weight buffer ({_buffer.Length} bytes): {message}");

        public ReadOnlySpan<byte> Bytes(long length, string what)
        {
            if (length > _buffer.Length - _at)
            {
                Fail($"{what} need {length} bytes at byte {_at}, {_buffer.Length - _at} remain");
            }

            var span = _buffer.Slice(_at, (int)length);
            _at += (int)length;
            return span;
        }

        public byte Byte(string what) => Bytes(1, what)[0];

        public uint UInt32(string what) => System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4, what));

        public int[] Dims(bool int32)
        {
            int rank = Byte("dimension count");
            if (rank > 4)
            {
                Fail($"{rank} dimensions (at most 4)");
            }

            var dims = new int[rank];
            var raw = Bytes(rank * (int32 ? 4 : 2), $"{rank} dimensions");
            for (int i = 0; i < rank; i++)
            {
                uint d = int32 ? System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(raw[(4 * i)..]) : System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(raw[(2 * i)..]);
                if (d > int.MaxValue)
                {
                    Fail($"dimension {d}");
                }

                dims[i] = (int)d;
            }

            return dims;
        }

        /// <summary>The value set, sorted ascending as upstream ranks it (distinct: duplicates dropped, the sparse form's map).</summary>
        public sbyte[] ValueSet(out int bits, bool distinct = false)
        {
            int n = Byte("value count");
            n = n == 0 ? 256 : n;
            var raw = Bytes(n, $"{n} values");
            var values = new sbyte[n];
            for (int i = 0; i < n; i++)
            {
                values[i] = unchecked((sbyte)raw[i]);
            }

            Array.Sort(values);
            bits = IndexBits(n);
            return distinct ? [.. values.Distinct()] : values;
        }

        public readonly void End()
        {
            if (_at != _buffer.Length)
            {
                Fail($"{_buffer.Length - _at} bytes left over after the weights");
            }
        }
    }
}
