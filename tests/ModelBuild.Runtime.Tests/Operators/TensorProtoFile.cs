using System.Buffers.Binary;

namespace ModelBuild.Runtime.Tests.Operators;

/// <summary>
/// Minimal reader of ONNX TensorProto files (test data .pb): dims (1), data_type (2), float_data (4), int32_data (5),
/// int64_data (7), name (8), raw_data (9). Float becomes a Float32 tensor; int32/int64/bool become Int32.
/// The converter has a full codec, but the runtime tests must not depend on the tool projects.
/// </summary>
internal static class TensorProtoFile
{
    public static Tensor Read(string path)
    {
        var data = File.ReadAllBytes(path);
        var dims = new List<long>();
        int type = 0;
        var floats = new List<float>();
        var longs = new List<long>();
        byte[]? raw = null;
        int pos = 0;
        while (pos < data.Length)
        {
            ulong key = Varint(data, ref pos);
            int field = (int)(key >> 3), wire = (int)(key & 7);
            switch (wire)
            {
                case 0:
                {
                    ulong v = Varint(data, ref pos);
                    if (field == 1)
                    {
                        dims.Add((long)v);
                    }
                    else if (field == 2)
                    {
                        type = (int)v;
                    }
                    else if (field is 5 or 7)
                    {
                        longs.Add((long)v);
                    }

                    break;
                }

                case 2:
                {
                    int len = (int)Varint(data, ref pos);
                    int end = pos + len;
                    if (field == 1 || field is 5 or 7)
                    {
                        while (pos < end)
                        {
                            long v = (long)Varint(data, ref pos);
                            (field == 1 ? dims : longs).Add(v);
                        }
                    }
                    else if (field == 4)
                    {
                        for (; pos < end; pos += 4)
                        {
                            floats.Add(BinaryPrimitives.ReadSingleLittleEndian(data.AsSpan(pos)));
                        }
                    }
                    else if (field == 9)
                    {
                        raw = data.AsSpan(pos, len).ToArray();
                    }

                    pos = end;
                    break;
                }

                case 5:
                    if (field == 4)
                    {
                        floats.Add(BinaryPrimitives.ReadSingleLittleEndian(data.AsSpan(pos)));
                    }

                    pos += 4;
                    break;
                case 1:
                    pos += 8;
                    break;
                default:
                    throw new InvalidDataException($"{path}: unsupported wire type {wire}");
            }
        }

        int[] shape = dims.Select(d => checked((int)d)).ToArray();
        int count = shape.Aggregate(1, (a, b) => a * b);
        switch (type)
        {
            case 1:
            {
                var values = raw is not null
                    ? Enumerable.Range(0, count).Select(i => BinaryPrimitives.ReadSingleLittleEndian(raw.AsSpan(4 * i))).ToArray()
                    : floats.ToArray();
                return Tensor.FromFloats(values, shape);
            }

            case 6 or 7 or 9 or 2 or 3 or 4 or 5:
            {
                int width = type switch { 7 => 8, 6 => 4, 9 or 2 or 3 => 1, _ => 2 };
                var values = raw is not null
                    ? Enumerable.Range(0, count).Select(i => width switch
                    {
                        8 => checked((int)BinaryPrimitives.ReadInt64LittleEndian(raw.AsSpan(8 * i))),
                        4 => BinaryPrimitives.ReadInt32LittleEndian(raw.AsSpan(4 * i)),
                        2 => BinaryPrimitives.ReadInt16LittleEndian(raw.AsSpan(2 * i)),
                        _ => type == 3 ? (sbyte)raw[i] : raw[i],
                    }).ToArray()
                    : longs.Select(l => checked((int)l)).ToArray();
                return Tensor.FromInts(values, shape);
            }

            default:
                throw new InvalidDataException($"{path}: TensorProto data type {type} is not supported by the test reader");
        }
    }

    private static ulong Varint(byte[] data, ref int pos)
    {
        ulong result = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            byte b = data[pos++];
            result |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }

        throw new InvalidDataException("varint too long");
    }
}
