using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using ModelBuild.Converter.Graph;

namespace ModelBuild.Converter.Parity.Inputs;

/// <summary>
/// Reads NumPy <c>.npy</c> files (format versions 1, 2 and 3): little-endian (or byte-order-free) f4, f8,
/// i4, i8, u1, b1 in C order. MB1201 missing file, MB1200 malformed, MB1202 other dtypes / Fortran order.
/// </summary>
public static partial class NpyReader
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    public static TensorData ReadFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new ModelBuildException(ErrorCodes.TensorFileNotFound, $"npy file '{path}' does not exist");
        }

        UserFiles.RequireRegularFile(path, ErrorCodes.TensorFileNotFound, "npy file");

        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or OutOfMemoryException)
        {
            throw new ModelBuildException(ErrorCodes.TensorFileNotFound, $"npy file '{path}' cannot be read: {e.Message}", e);
        }

        return Read(bytes, path);
    }

    public static TensorData Read(ReadOnlySpan<byte> bytes, string name)
    {
        if (bytes.Length < 10 || !bytes[..6].SequenceEqual(Magic))
        {
            throw Malformed(name, "it does not start with the \\x93NUMPY magic");
        }

        int major = bytes[6];
        int headerLength;
        int offset;
        if (major == 1)
        {
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes[8..]);
            offset = 10;
        }
        else if (major is 2 or 3)
        {
            if (bytes.Length < 12)
            {
                throw Malformed(name, "the header is truncated");
            }

            var len = BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]);
            if (len > int.MaxValue)
            {
                throw Malformed(name, "the header length is absurd");
            }

            headerLength = (int)len;
            offset = 12;
        }
        else
        {
            throw Malformed(name, $"format version {major} is unknown (1, 2 and 3 are supported)");
        }

        if ((long)offset + headerLength > bytes.Length)
        {
            throw Malformed(name, "the header runs past the end of the file");
        }

        var header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(bytes.Slice(offset, headerLength));
        var (descr, fortran, shape) = ParseHeader(header, name);
        var data = bytes[(offset + headerLength)..];
        return Decode(descr, fortran, shape, data, name);
    }

    private static (string Descr, bool Fortran, long[] Shape) ParseHeader(string header, string name)
    {
        var descr = DescrRegex().Match(header);
        var fortran = FortranRegex().Match(header);
        var shape = ShapeRegex().Match(header);
        if (!descr.Success || !fortran.Success || !shape.Success)
        {
            throw Malformed(name, $"the header '{header.Trim()}' lacks descr, fortran_order or shape");
        }

        var dims = new List<long>();
        foreach (var part in shape.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var p = part.TrimEnd('L');
            if (!long.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var d))
            {
                throw Malformed(name, $"shape entry '{part}' is not a non-negative integer");
            }

            dims.Add(d);
        }

        return (descr.Groups[1].Value, fortran.Groups[1].Value == "True", dims.ToArray());
    }

    private static TensorData Decode(string descr, bool fortran, long[] shape, ReadOnlySpan<byte> data, string name)
    {
        if (fortran)
        {
            throw new ModelBuildException(ErrorCodes.TensorFileUnsupportedType, $"npy file '{name}' is in Fortran order; save it in C order (np.ascontiguousarray)");
        }

        if (descr.Length < 3 || descr[0] == '>')
        {
            throw new ModelBuildException(ErrorCodes.TensorFileUnsupportedType, $"npy file '{name}' has dtype '{descr}'; only little-endian f4, f8, i4, i8, u1, b1 are supported");
        }

        var code = descr[1..];
        var (type, size) = code switch
        {
            "f4" => (DataType.Float, 4),
            "f8" => (DataType.Double, 8),
            "i4" => (DataType.Int32, 4),
            "i8" => (DataType.Int64, 8),
            "u1" => (DataType.UInt8, 1),
            "b1" => (DataType.Bool, 1),
            _ => throw new ModelBuildException(ErrorCodes.TensorFileUnsupportedType, $"npy file '{name}' has dtype '{descr}'; only f4, f8, i4, i8, u1, b1 are supported"),
        };
        if (size > 1 && descr[0] is not '<' and not '=')
        {
            throw new ModelBuildException(ErrorCodes.TensorFileUnsupportedType, $"npy file '{name}' has dtype '{descr}'; only little-endian data is supported");
        }

        long count;
        try
        {
            count = shape.Aggregate(1L, (a, d) => checked(a * d));
        }
        catch (OverflowException)
        {
            throw Malformed(name, $"shape ({string.Join(",", shape)}) overflows");
        }

        if (count > Array.MaxLength || count * size != data.Length)
        {
            throw Malformed(name, $"shape ({string.Join(",", shape)}) needs {count * size} bytes of {descr} but {data.Length} follow the header");
        }

        var n = (int)count;
        switch (type)
        {
            case DataType.Float:
            case DataType.Double:
                var floats = new float[n];
                for (var i = 0; i < n; i++)
                {
                    floats[i] = size == 4 ? BinaryPrimitives.ReadSingleLittleEndian(data[(i * 4)..]) : (float)BinaryPrimitives.ReadDoubleLittleEndian(data[(i * 8)..]);
                }

                return new TensorData(type, shape, floats);
            default:
                var ints = new long[n];
                for (var i = 0; i < n; i++)
                {
                    ints[i] = type switch
                    {
                        DataType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(data[(i * 4)..]),
                        DataType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(data[(i * 8)..]),
                        DataType.Bool => data[i] != 0 ? 1 : 0,
                        _ => data[i],
                    };
                }

                return new TensorData(type, shape, ints);
        }
    }

    private static ModelBuildException Malformed(string name, string why) =>
        new(ErrorCodes.TensorFileMalformed, $"npy file '{name}' is malformed: {why}");

    [GeneratedRegex(@"['""]descr['""]\s*:\s*['""]([^'""]+)['""]")]
    private static partial Regex DescrRegex();

    [GeneratedRegex(@"['""]fortran_order['""]\s*:\s*(True|False)")]
    private static partial Regex FortranRegex();

    [GeneratedRegex(@"['""]shape['""]\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapeRegex();
}
