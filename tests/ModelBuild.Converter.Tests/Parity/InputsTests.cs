using System.IO.Compression;
using ModelBuild.Converter.Graph;
using ModelBuild.Converter.Parity;
using ModelBuild.Converter.Parity.Inputs;

namespace ModelBuild.Converter.Tests.Parity;

[TestClass]
public sealed class InputsTests
{
    private static readonly InputSignature Image = new("input", DataType.Float, [1, 3, 8, 10]);

    [TestMethod]
    [DataRow("normal(0.5,2)", DistributionKind.Normal, 0.5, 2.0)]
    [DataRow("uniform(-1, 1)", DistributionKind.Uniform, -1.0, 1.0)]
    [DataRow("image", DistributionKind.Image, 0.0, 255.0)]
    [DataRow("int(0,30000)", DistributionKind.Integer, 0.0, 30000.0)]
    public void ParsesDistributions(string text, DistributionKind kind, double a, double b)
    {
        var d = InputDistribution.Parse(text);
        Assert.AreEqual(kind, d.Kind);
        Assert.AreEqual(a, d.A);
        Assert.AreEqual(b, d.B);
    }

    [TestMethod]
    [DataRow("gamma(1,2)")]
    [DataRow("uniform(2,1)")]
    [DataRow("normal(0,-1)")]
    [DataRow("int(0.5,3)")]
    [DataRow("uniform(0,1")]
    public void RejectsBadDistributions(string text) =>
        Assert.AreEqual(ErrorCodes.UsageError, Assert.ThrowsExactly<ModelBuildException>(() => InputDistribution.Parse(text)).Code);

    [TestMethod]
    public void GeneratedSamplesAreSeededAndNeverConstant()
    {
        var dists = new Dictionary<string, InputDistribution> { ["input"] = InputDistribution.Parse("image") };
        var a = SampleGenerator.Generate([Image], dists, 1234, 0).Inputs["input"].Floats!;
        var again = SampleGenerator.Generate([Image], dists, 1234, 0).Inputs["input"].Floats!;
        var other = SampleGenerator.Generate([Image], dists, 1234, 1).Inputs["input"].Floats!;
        CollectionAssert.AreEqual(a, again);
        CollectionAssert.AreNotEqual(a, other);
        Assert.IsTrue(a.Min() >= 0 && a.Max() <= 255);
        Assert.IsTrue(a.Max() - a.Min() > 200, "an image sample spans the range");
        // smooth: neighbouring pixels differ much less than the range
        var big = SampleGenerator.Generate([new InputSignature("input", DataType.Float, [1, 3, 32, 32])], dists, 1234, 0).Inputs["input"].Floats!;
        var meanStep = Enumerable.Range(0, big.Length - 1).Where(i => (i + 1) % 32 != 0).Average(i => Math.Abs(big[i + 1] - big[i]));
        Assert.IsTrue(meanStep < 25, $"mean neighbour step {meanStep}");

        var ints = SampleGenerator.Generate([new InputSignature("ids", DataType.Int64, [50])], new Dictionary<string, InputDistribution> { ["ids"] = InputDistribution.Parse("int(3,5)") }, 1, 0).Inputs["ids"].Ints!;
        Assert.IsTrue(ints.All(v => v is >= 3 and <= 5));
        Assert.IsTrue(ints.Distinct().Count() > 1);
    }

    [TestMethod]
    public void SymbolicBatchBecomesOneOtherSymbolsNeedAShape()
    {
        var g = new ModelGraph { SourcePath = "m.onnx" };
        g.Inputs.Add("x");
        g.GetOrAddValue("x").Shape = [Dim.Unknown("N"), Dim.Known(3), Dim.Unknown("height"), Dim.Known(4)];
        g.GetOrAddValue("x").Type = DataType.Float;
        Assert.AreEqual(ErrorCodes.InvalidInputShapeOption, Assert.ThrowsExactly<ModelBuildException>(() => InputSignature.Resolve(g, new Dictionary<string, long[]>())).Code);
        var resolved = InputSignature.Resolve(g, new Dictionary<string, long[]> { ["x"] = [2, 3, 5, 4] });
        CollectionAssert.AreEqual(new long[] { 2, 3, 5, 4 }, resolved[0].Shape);
        g.GetOrAddValue("x").Shape = [Dim.Unknown("batch_size"), Dim.Known(3)];
        CollectionAssert.AreEqual(new long[] { 1, 3 }, InputSignature.Resolve(g, new Dictionary<string, long[]>())[0].Shape);
    }

    [TestMethod]
    public void NpyAndImageSamplesLoad()
    {
        var dir = Directory.CreateTempSubdirectory("parity-inputs-").FullName;
        try
        {
            var values = Enumerable.Range(0, 240).Select(i => (float)i).ToArray();
            var npy = Path.Combine(dir, "a.npy");
            File.WriteAllBytes(npy, NpyReaderTests.Npy("<f4", "(1, 3, 8, 10)", System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray()));
            var png = Path.Combine(dir, "b.png");
            File.WriteAllBytes(png, Png(20, 16));

            var samples = UserSampleLoader.Load([dir], [Image], new ImagePreprocessing { Scale = 1 / 255.0, Mean = [0.5, 0.5, 0.5], Std = [0.5, 0.5, 0.5] });
            Assert.AreEqual(2, samples.Count);
            CollectionAssert.AreEqual(values, samples[0].Inputs["input"].Floats);
            var img = samples[1].Inputs["input"].Floats!;
            Assert.AreEqual(240, img.Length);
            Assert.IsTrue(img.All(v => v >= -1.0001f && v <= 1.0001f));
            // red channel follows x (0..255 across 20 px), so its first row increases
            Assert.IsTrue(img[9] > img[0]);

            var bad = Path.Combine(dir, "bad");
            Directory.CreateDirectory(bad);
            File.WriteAllBytes(Path.Combine(bad, "c.npy"), NpyReaderTests.Npy("<f4", "(1, 3, 8, 9)", new byte[216 * 4]));
            Assert.AreEqual(ErrorCodes.RuntimeShapeMismatch, Assert.ThrowsExactly<ModelBuildException>(() => UserSampleLoader.Load([bad], [Image], new ImagePreprocessing())).Code);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>A minimal RGB PNG: red = x gradient, green = y gradient, blue = 128.</summary>
    private static byte[] Png(int w, int h)
    {
        using var raw = new MemoryStream();
        for (var y = 0; y < h; y++)
        {
            raw.WriteByte(0);
            for (var x = 0; x < w; x++)
            {
                raw.WriteByte((byte)(x * 255 / (w - 1)));
                raw.WriteByte((byte)(y * 255 / (h - 1)));
                raw.WriteByte(128);
            }
        }

        using var z = new MemoryStream();
        using (var zs = new ZLibStream(z, CompressionLevel.Optimal, leaveOpen: true))
        {
            zs.Write(raw.ToArray());
        }

        using var png = new MemoryStream();
        png.Write([137, 80, 78, 71, 13, 10, 26, 10]);
        var ihdr = new byte[13];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(ihdr, w);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), h);
        ihdr[8] = 8;
        ihdr[9] = 2;
        Chunk(png, "IHDR", ihdr);
        Chunk(png, "IDAT", z.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream s, string type, byte[] data)
    {
        var len = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(len, data.Length);
        s.Write(len);
        var body = System.Text.Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        s.Write(body);
        var crc = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(body));
        s.Write(crc);
    }

    private static uint Crc32(byte[] data)
    {
        var c = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            c ^= b;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }
        }

        return ~c;
    }
}
