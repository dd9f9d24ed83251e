using System.Buffers.Binary;
using System.IO.Compression;

namespace ModelBuild.Converter.Tests.Parity.Report;

/// <summary>Just enough of a PNG decoder to look at a browser screenshot: 8-bit RGB or RGBA, not interlaced.</summary>
internal sealed class PngImage
{
    public int Width { get; private init; }

    public int Height { get; private init; }

    /// <summary>Row-major RGB triples.</summary>
    public byte[] Rgb { get; private init; } = [];

    public static PngImage Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        ReadOnlySpan<byte> signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
        if (bytes.Length < 8 || !bytes.AsSpan(0, 8).SequenceEqual(signature))
        {
            throw new InvalidDataException($"{path} is not a PNG file");
        }

        int width = 0, height = 0, channels = 0;
        using var idat = new MemoryStream();
        for (var at = 8; at + 8 <= bytes.Length;)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(at));
            var type = System.Text.Encoding.ASCII.GetString(bytes, at + 4, 4);
            var data = bytes.AsSpan(at + 8, length);
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                channels = (data[8], data[9], data[12]) switch
                {
                    (8, 2, 0) => 3,
                    (8, 6, 0) => 4,
                    var other => throw new InvalidDataException($"unsupported PNG format (bit depth, colour type, interlace) {other}"),
                };
            }
            else if (type == "IDAT")
            {
                idat.Write(data);
            }

            at += 12 + length;
        }

        idat.Position = 0;
        using var z = new ZLibStream(idat, CompressionMode.Decompress);
        var stride = width * channels;
        var raw = new byte[(stride + 1) * height];
        z.ReadExactly(raw);
        var rgb = new byte[width * height * 3];
        var prev = new byte[stride];
        var row = new byte[stride];
        for (var y = 0; y < height; y++)
        {
            var filter = raw[y * (stride + 1)];
            raw.AsSpan(y * (stride + 1) + 1, stride).CopyTo(row);
            for (var i = 0; i < stride; i++)
            {
                int a = i >= channels ? row[i - channels] : 0, b = prev[i], c = i >= channels ? prev[i - channels] : 0;
                row[i] += filter switch
                {
                    0 => 0,
                    1 => (byte)a,
                    2 => (byte)b,
                    3 => (byte)((a + b) / 2),
                    4 => Paeth(a, b, c),
                    _ => throw new InvalidDataException($"bad PNG filter {filter}"),
                };
            }

            for (var x = 0; x < width; x++)
            {
                row.AsSpan(x * channels, 3).CopyTo(rgb.AsSpan((y * width + x) * 3));
            }

            (prev, row) = (row, prev);
        }

        return new PngImage { Width = width, Height = height, Rgb = rgb };
    }

    /// <summary>Pixels within <paramref name="tolerance"/> per channel of the colour #RRGGBB.</summary>
    public int Count(int rgb, int tolerance = 6)
    {
        var n = 0;
        for (var i = 0; i < Rgb.Length; i += 3)
        {
            if (Math.Abs(Rgb[i] - (rgb >> 16)) <= tolerance && Math.Abs(Rgb[i + 1] - ((rgb >> 8) & 0xFF)) <= tolerance && Math.Abs(Rgb[i + 2] - (rgb & 0xFF)) <= tolerance)
            {
                n++;
            }
        }

        return n;
    }

    private static byte Paeth(int a, int b, int c)
    {
        var p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return (byte)(pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
    }
}
