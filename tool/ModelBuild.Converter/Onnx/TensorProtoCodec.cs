using System.Buffers.Binary;
using Google.Protobuf;
using ModelBuild.Converter.Graph;
using ModelBuild.Converter.Onnx.Proto;

namespace ModelBuild.Converter.Onnx;

/// <summary>
/// TensorProto ↔ <see cref="TensorData"/>. Reads raw_data (little-endian) or the typed repeated fields,
/// checks the element count against dims, and writes raw_data. Also reads/writes the test_data_set .pb files.
/// </summary>
public static class TensorProtoCodec
{
    /// <summary>Decodes a tensor. External data is resolved inside <paramref name="baseDirectory"/> when given.</summary>
    public static TensorData ToTensorData(TensorProto t, string context, string? baseDirectory = null)
    {
        var type = (DataType)t.DataType;
        var where = $"{context}: tensor '{t.Name}'";
        var shape = t.Dims.ToArray();
        var count = ElementCount(shape, where);
        ReadOnlySpan<byte> raw = t.RawData.Span;
        byte[]? external = null;
        if (ExternalData.IsExternal(t))
        {
            if (baseDirectory is null)
            {
                throw new ModelBuildException(ErrorCodes.OnnxExternalDataMissing, $"{where} uses external data but no base folder is known");
            }

            external = ExternalData.Read(t, baseDirectory, context);
            raw = external;
        }

        var hasRaw = external is not null || !t.RawData.IsEmpty;
        switch (type)
        {
            case DataType.Float:
                return new TensorData(type, shape, hasRaw ? RawFloats(raw, count, 4, where, r => BinaryPrimitives.ReadSingleLittleEndian(r)) : Typed(t.FloatData.ToArray(), count, where));
            case DataType.Double:
                return new TensorData(type, shape, hasRaw ? RawFloats(raw, count, 8, where, r => (float)BinaryPrimitives.ReadDoubleLittleEndian(r)) : Typed(t.DoubleData.Select(d => (float)d).ToArray(), count, where));
            case DataType.Float16:
                return new TensorData(type, shape, hasRaw ? RawFloats(raw, count, 2, where, r => (float)BinaryPrimitives.ReadHalfLittleEndian(r)) : Typed(t.Int32Data.Select(b => (float)BitConverter.UInt16BitsToHalf((ushort)b)).ToArray(), count, where));
            case DataType.BFloat16:
                return new TensorData(type, shape, hasRaw ? RawFloats(raw, count, 2, where, r => BFloat16ToFloat(BinaryPrimitives.ReadUInt16LittleEndian(r))) : Typed(t.Int32Data.Select(b => BFloat16ToFloat((ushort)b)).ToArray(), count, where));
            case DataType.Int8:
                return Ints(t, type, shape, hasRaw ? RawInts(raw, count, 1, where, r => (sbyte)r[0]) : null, count, where);
            case DataType.UInt8:
                return Ints(t, type, shape, hasRaw ? RawInts(raw, count, 1, where, r => r[0]) : null, count, where);
            case DataType.Int16:
                return Ints(t, type, shape, hasRaw ? RawInts(raw, count, 2, where, r => BinaryPrimitives.ReadInt16LittleEndian(r)) : null, count, where);
            case DataType.UInt16:
                return Ints(t, type, shape, hasRaw ? RawInts(raw, count, 2, where, r => BinaryPrimitives.ReadUInt16LittleEndian(r)) : null, count, where);
            case DataType.Int32:
                return Ints(t, type, shape, hasRaw ? RawInts(raw, count, 4, where, r => BinaryPrimitives.ReadInt32LittleEndian(r)) : null, count, where);
            case DataType.UInt32:
                return Ints(t, type, shape, hasRaw ? RawInts(raw, count, 4, where, r => BinaryPrimitives.ReadUInt32LittleEndian(r)) : null, count, where);
            case DataType.Int64:
                return Ints(t, type, shape, hasRaw ? RawInts(raw, count, 8, where, r => BinaryPrimitives.ReadInt64LittleEndian(r)) : null, count, where);
            case DataType.UInt64:
                return Ints(t, type, shape, hasRaw ? RawInts(raw, count, 8, where, r => (long)BinaryPrimitives.ReadUInt64LittleEndian(r)) : null, count, where);
            case DataType.Bool:
                return Ints(t, type, shape, hasRaw ? RawInts(raw, count, 1, where, r => r[0] != 0 ? 1 : 0) : null, count, where);
            case DataType.String:
            case DataType.Complex64:
            case DataType.Complex128:
                throw new ModelBuildException(ErrorCodes.UnsupportedDataType, $"{where} has element type {type}, which MNN cannot store");
            default:
                throw new ModelBuildException(ErrorCodes.OnnxInvalidTensor, $"{where} has unknown or undefined element type {t.DataType}");
        }
    }

    /// <summary>Encodes as raw_data in the tensor's own element type.</summary>
    public static TensorProto FromTensorData(TensorData data, string name)
    {
        var t = new TensorProto { Name = name, DataType = (int)data.Type };
        t.Dims.AddRange(data.Shape);
        var n = checked((int)data.ElementCount);
        var size = ElementSize(data.Type);
        if (size == 0)
        {
            throw new ModelBuildException(ErrorCodes.UnsupportedDataType, $"tensor '{name}' has element type {data.Type}, which cannot be written");
        }

        var bytes = new byte[checked(n * size)];
        var span = bytes.AsSpan();
        for (var i = 0; i < n; i++)
        {
            var s = span.Slice(i * size, size);
            switch (data.Type)
            {
                case DataType.Float: BinaryPrimitives.WriteSingleLittleEndian(s, (float)data.GetDouble(i)); break;
                case DataType.Double: BinaryPrimitives.WriteDoubleLittleEndian(s, data.GetDouble(i)); break;
                case DataType.Float16: BinaryPrimitives.WriteHalfLittleEndian(s, (Half)data.GetDouble(i)); break;
                case DataType.BFloat16: BinaryPrimitives.WriteUInt16LittleEndian(s, FloatToBFloat16((float)data.GetDouble(i))); break;
                case DataType.Int8: s[0] = (byte)(sbyte)data.GetLong(i); break;
                case DataType.UInt8: s[0] = (byte)data.GetLong(i); break;
                case DataType.Bool: s[0] = data.GetLong(i) != 0 ? (byte)1 : (byte)0; break;
                case DataType.Int16: BinaryPrimitives.WriteInt16LittleEndian(s, (short)data.GetLong(i)); break;
                case DataType.UInt16: BinaryPrimitives.WriteUInt16LittleEndian(s, (ushort)data.GetLong(i)); break;
                case DataType.Int32: BinaryPrimitives.WriteInt32LittleEndian(s, (int)data.GetLong(i)); break;
                case DataType.UInt32: BinaryPrimitives.WriteUInt32LittleEndian(s, (uint)data.GetLong(i)); break;
                case DataType.Int64: BinaryPrimitives.WriteInt64LittleEndian(s, data.GetLong(i)); break;
                case DataType.UInt64: BinaryPrimitives.WriteUInt64LittleEndian(s, (ulong)data.GetLong(i)); break;
            }
        }

        t.RawData = ByteString.CopyFrom(bytes);
        return t;
    }

    /// <summary>Bytes per element in raw_data, 0 for types we cannot encode.</summary>
    public static int ElementSize(DataType type) => type switch
    {
        DataType.Float or DataType.Int32 or DataType.UInt32 => 4,
        DataType.Double or DataType.Int64 or DataType.UInt64 => 8,
        DataType.Float16 or DataType.BFloat16 or DataType.Int16 or DataType.UInt16 => 2,
        DataType.Int8 or DataType.UInt8 or DataType.Bool => 1,
        _ => 0,
    };

    /// <summary>Reads a TensorProto .pb file (test_data_set inputs/outputs); MB1201 missing, MB1200 malformed.</summary>
    public static TensorProto ReadFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new ModelBuildException(ErrorCodes.TensorFileNotFound, $"tensor file '{path}' does not exist");
        }

        UserFiles.RequireRegularFile(path, ErrorCodes.TensorFileNotFound, "tensor file");
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            if (stream.Length > OnnxModelLoader.SizeLimit)
            {
                throw new ModelBuildException(ErrorCodes.TensorFileMalformed, $"tensor file '{path}' is larger than the protobuf limit of {OnnxModelLoader.SizeLimit} bytes");
            }

            return OnnxModelLoader.ParseMessage(stream, path, TensorProto.Parser, ErrorCodes.TensorFileMalformed, "tensor file");
        }
        catch (ModelBuildException e) when (e.Code is ErrorCodes.OnnxNestingTooDeep or ErrorCodes.OnnxTooLarge)
        {
            throw new ModelBuildException(ErrorCodes.TensorFileMalformed, e.Message, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelBuildException(ErrorCodes.TensorFileNotFound, $"tensor file '{path}' cannot be read: {e.Message}", e);
        }
    }

    /// <summary>Reads and decodes a .pb tensor file; returns its name and data (MB1200 bad content, MB1202 bad type).</summary>
    public static (string Name, TensorData Data) ReadTensorFile(string path)
    {
        var proto = ReadFile(path);
        try
        {
            return (proto.Name, ToTensorData(proto, path, Path.GetDirectoryName(Path.GetFullPath(path))));
        }
        catch (ModelBuildException e) when (e.Code == ErrorCodes.OnnxInvalidTensor)
        {
            throw new ModelBuildException(ErrorCodes.TensorFileMalformed, e.Message, e);
        }
        catch (ModelBuildException e) when (e.Code == ErrorCodes.UnsupportedDataType)
        {
            throw new ModelBuildException(ErrorCodes.TensorFileUnsupportedType, e.Message, e);
        }
    }

    /// <summary>Writes a .pb tensor file atomically (temp file in the same folder, then rename).</summary>
    public static void WriteFile(TensorProto tensor, string path)
    {
        var full = Path.GetFullPath(path);
        var temp = Path.Combine(Path.GetDirectoryName(full) ?? ".", $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                tensor.WriteTo(stream);
            }

            File.Move(temp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw new ModelBuildException(ErrorCodes.OutputWriteFailed, $"cannot write tensor file '{path}': {e.Message}", e);
        }
    }

    public static void WriteFile(TensorData data, string name, string path) => WriteFile(FromTensorData(data, name), path);

    public static float BFloat16ToFloat(ushort bits) => BitConverter.Int32BitsToSingle(bits << 16);

    /// <summary>Round-to-nearest-even narrowing; NaN stays NaN.</summary>
    public static ushort FloatToBFloat16(float f)
    {
        var bits = BitConverter.SingleToUInt32Bits(f);
        if (float.IsNaN(f))
        {
            return (ushort)((bits >> 16) | 0x40);
        }

        var rounding = 0x7FFFu + ((bits >> 16) & 1);
        return (ushort)((bits + rounding) >> 16);
    }

    internal static long ElementCount(long[] shape, string where)
    {
        long count = 1;
        foreach (var d in shape)
        {
            if (d < 0)
            {
                throw new ModelBuildException(ErrorCodes.OnnxInvalidTensor, $"{where} has negative dimension {d}");
            }

            try
            {
                count = checked(count * d);
            }
            catch (OverflowException)
            {
                throw new ModelBuildException(ErrorCodes.OnnxInvalidTensor, $"{where} has dims [{string.Join(",", shape)}] whose element count overflows");
            }
        }

        if (count > Array.MaxLength)
        {
            throw new ModelBuildException(ErrorCodes.OnnxInvalidTensor, $"{where} has {count} elements, more than one tensor can hold");
        }

        return count;
    }

    private static float[] RawFloats(ReadOnlySpan<byte> raw, long count, int size, string where, Func<ReadOnlySpan<byte>, float> read)
    {
        CheckRaw(raw.Length, count, size, where);
        var result = new float[count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = read(raw.Slice(i * size, size));
        }

        return result;
    }

    private static long[] RawInts(ReadOnlySpan<byte> raw, long count, int size, string where, Func<ReadOnlySpan<byte>, long> read)
    {
        CheckRaw(raw.Length, count, size, where);
        var result = new long[count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = read(raw.Slice(i * size, size));
        }

        return result;
    }

    private static void CheckRaw(long bytes, long count, int size, string where)
    {
        if (bytes != count * size)
        {
            throw new ModelBuildException(ErrorCodes.OnnxInvalidTensor, $"{where} has {bytes} bytes of raw data but its dims need {count} elements of {size} bytes");
        }
    }

    private static T[] Typed<T>(T[] values, long count, string where)
    {
        if (values.LongLength != count)
        {
            throw new ModelBuildException(ErrorCodes.OnnxInvalidTensor, $"{where} has {values.Length} values but its dims need {count}");
        }

        return values;
    }

    private static TensorData Ints(TensorProto t, DataType type, long[] shape, long[]? raw, long count, string where)
    {
        if (raw is not null)
        {
            return new TensorData(type, shape, raw);
        }

        long[] values = type switch
        {
            DataType.Int64 => t.Int64Data.ToArray(),
            DataType.UInt32 or DataType.UInt64 => t.Uint64Data.Select(v => (long)v).ToArray(),
            DataType.Bool => t.Int32Data.Select(v => v != 0 ? 1L : 0L).ToArray(),
            DataType.Int8 => t.Int32Data.Select(v => (long)(sbyte)v).ToArray(),
            DataType.UInt8 => t.Int32Data.Select(v => (long)(byte)v).ToArray(),
            DataType.Int16 => t.Int32Data.Select(v => (long)(short)v).ToArray(),
            DataType.UInt16 => t.Int32Data.Select(v => (long)(ushort)v).ToArray(),
            _ => t.Int32Data.Select(v => (long)v).ToArray(),
        };
        return new TensorData(type, shape, Typed(values, count, where));
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
