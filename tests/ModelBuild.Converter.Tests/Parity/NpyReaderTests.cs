using System.Text;
using ModelBuild.Converter.Graph;
using ModelBuild.Converter.Parity.Inputs;

namespace ModelBuild.Converter.Tests.Parity;

[TestClass]
public sealed class NpyReaderTests
{
    /// <summary>Builds an .npy file the way numpy.save does (header padded to a multiple of 64 with a trailing newline).</summary>
    internal static byte[] Npy(string descr, string shape, byte[] data, int version = 1, bool fortran = false)
    {
        var dict = $"{{'descr': '{descr}', 'fortran_order': {(fortran ? "True" : "False")}, 'shape': {shape}, }}";
        var prefix = version == 1 ? 10 : 12;
        var total = prefix + dict.Length + 1;
        var pad = (64 - total % 64) % 64;
        var header = dict + new string(' ', pad) + "\n";
        using var ms = new MemoryStream();
        ms.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)version, 0]);
        if (version == 1)
        {
            ms.Write(BitConverter.GetBytes((ushort)header.Length));
        }
        else
        {
            ms.Write(BitConverter.GetBytes((uint)header.Length));
        }

        ms.Write(Encoding.Latin1.GetBytes(header));
        ms.Write(data);
        return ms.ToArray();
    }

    private static byte[] Bytes<T>(T[] values) where T : unmanaged => System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    [TestMethod]
    public void ReadsFloat32Version1()
    {
        var t = NpyReader.Read(Npy("<f4", "(2, 3)", Bytes(new[] { 1f, 2, 3, 4, 5, -6.5f })), "a.npy");
        Assert.AreEqual(DataType.Float, t.Type);
        CollectionAssert.AreEqual(new long[] { 2, 3 }, t.Shape);
        CollectionAssert.AreEqual(new[] { 1f, 2, 3, 4, 5, -6.5f }, t.Floats);
    }

    [TestMethod]
    public void ReadsFloat64Int32Int64UInt8BoolAndVersion2()
    {
        var f8 = NpyReader.Read(Npy("<f8", "(3,)", Bytes(new[] { 0.5, -1.25, 3.0 })), "d.npy");
        CollectionAssert.AreEqual(new[] { 0.5f, -1.25f, 3f }, f8.Floats);
        var i4 = NpyReader.Read(Npy("<i4", "(2,)", Bytes(new[] { -7, 9 }), version: 2), "i.npy");
        CollectionAssert.AreEqual(new long[] { -7, 9 }, i4.Ints);
        var i8 = NpyReader.Read(Npy("<i8", "(1, 2)", Bytes(new[] { long.MaxValue, -3L })), "l.npy");
        CollectionAssert.AreEqual(new[] { long.MaxValue, -3L }, i8.Ints);
        var u1 = NpyReader.Read(Npy("|u1", "(2,)", [200, 7]), "u.npy");
        CollectionAssert.AreEqual(new long[] { 200, 7 }, u1.Ints);
        var b1 = NpyReader.Read(Npy("|b1", "(3,)", [1, 0, 1]), "b.npy");
        Assert.AreEqual(DataType.Bool, b1.Type);
        CollectionAssert.AreEqual(new long[] { 1, 0, 1 }, b1.Ints);
        var scalar = NpyReader.Read(Npy("<f4", "()", Bytes(new[] { 4f })), "s.npy");
        Assert.AreEqual(0, scalar.Shape.Length);
    }

    [TestMethod]
    public void RejectsUnsupportedAndMalformedFiles()
    {
        Assert.AreEqual(ErrorCodes.TensorFileUnsupportedType, Assert.ThrowsExactly<ModelBuildException>(() => NpyReader.Read(Npy(">f4", "(1,)", new byte[4]), "be.npy")).Code);
        Assert.AreEqual(ErrorCodes.TensorFileUnsupportedType, Assert.ThrowsExactly<ModelBuildException>(() => NpyReader.Read(Npy("<f4", "(1,)", new byte[4], fortran: true), "f.npy")).Code);
        Assert.AreEqual(ErrorCodes.TensorFileUnsupportedType, Assert.ThrowsExactly<ModelBuildException>(() => NpyReader.Read(Npy("<c8", "(1,)", new byte[8]), "c.npy")).Code);
        Assert.AreEqual(ErrorCodes.TensorFileMalformed, Assert.ThrowsExactly<ModelBuildException>(() => NpyReader.Read(Npy("<f4", "(2, 2)", new byte[12]), "short.npy")).Code);
        Assert.AreEqual(ErrorCodes.TensorFileMalformed, Assert.ThrowsExactly<ModelBuildException>(() => NpyReader.Read("PK\x03\x04 not npy at all"u8, "zip.npy")).Code);
        var truncated = Npy("<f4", "(1,)", new byte[4])[..20];
        Assert.AreEqual(ErrorCodes.TensorFileMalformed, Assert.ThrowsExactly<ModelBuildException>(() => NpyReader.Read(truncated, "t.npy")).Code);
        Assert.AreEqual(ErrorCodes.TensorFileMalformed, Assert.ThrowsExactly<ModelBuildException>(() => NpyReader.Read(Npy("<f4", "(99999999999, 99999999999)", new byte[4]), "huge.npy")).Code);
        Assert.AreEqual(ErrorCodes.TensorFileNotFound, Assert.ThrowsExactly<ModelBuildException>(() => NpyReader.ReadFile("/nonexistent/x.npy")).Code);
    }
}
