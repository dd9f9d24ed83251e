using System.Buffers.Binary;
using System.Diagnostics;
using ModelBuild.Runtime.Format;
using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Runtime.Tests.Format;

/// <summary>
/// Damaged buffers either read or fail with <see cref="ErrorCodes.MnnCorrupt"/> -- never another exception,
/// never a long stall.
/// </summary>
[TestClass]
public sealed class MnnReaderFuzzTests
{
    private static readonly TimeSpan PerReadLimit = TimeSpan.FromSeconds(2);

    [TestMethod]
    public void Fuzz_SmallNetBuiltInCode()
    {
        byte[] original = MnnModelWriter.Serialize(MnnTestNets.Small());
        Assert.AreEqual(8, MnnModelReader.Read(original, "small").Oplists.Count);
        RunFuzz(original, seed: 1234, iterations: 600);
    }

    [TestMethod]
    public void Fuzz_UpstreamFile()
    {
        string dir = TestPaths.RequireShared("mnn-upstream");
        // The smallest real file keeps the loop fast while covering upstream's own layout.
        string file = Directory.GetFiles(dir, "model.mnn", SearchOption.AllDirectories)
            .OrderBy(f => new FileInfo(f).Length).ThenBy(f => f, StringComparer.Ordinal)
            .Skip(3).First();
        byte[] original = File.ReadAllBytes(file);
        MnnModelReader.Read(original, file);
        RunFuzz(original, seed: 98765, iterations: 400);
    }

    [TestMethod]
    public void Garbage_RandomBuffers()
    {
        var rng = new Random(42);
        for (int i = 0; i < 300; i++)
        {
            var data = new byte[rng.Next(0, 512)];
            rng.NextBytes(data);
            ReadExpectingOkOrCorrupt(data, $"garbage #{i}");
        }
        ReadExpectingOkOrCorrupt([], "empty");
        ReadExpectingOkOrCorrupt([4, 0, 0, 0], "4 bytes");
    }

    [TestMethod]
    public void AbsurdVectorLength_IsRejectedBeforeAllocation()
    {
        var net = MnnTestNets.Small();
        byte[] data = MnnModelWriter.Serialize(net);
        // Find the 108-float conv weight vector (length prefix 108) and claim 2^30 elements instead.
        int patched = 0;
        for (int i = 0; i + 4 <= data.Length; i += 4)
        {
            if (BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(i)) == 108)
            {
                BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(i), 1 << 30);
                patched++;
            }
        }
        Assert.IsTrue(patched > 0);
        var e = Assert.ThrowsExactly<ModelBuildException>(() => MnnModelReader.Read(data, "absurd.mnn"));
        Assert.AreEqual(ErrorCodes.MnnCorrupt, e.Code);
        StringAssert.Contains(e.Message, "absurd.mnn");
    }

    [TestMethod]
    public void SelfReferencingTable_IsRejected()
    {
        // Root uoffset pointing at itself: the "table" at 0 has soffset 0, so its vtable is itself.
        byte[] data = new byte[16];
        var e = Assert.ThrowsExactly<ModelBuildException>(() => MnnModelReader.Read(data, "zeros"));
        Assert.AreEqual(ErrorCodes.MnnCorrupt, e.Code);
    }

    [TestMethod]
    public void MissingFile_IsMnnFileNotFound()
    {
        string path = Path.Combine(Path.GetTempPath(), $"modelbuild-missing-{Guid.NewGuid():N}.mnn");
        var e = Assert.ThrowsExactly<ModelBuildException>(() => MnnModelReader.ReadFile(path));
        Assert.AreEqual(ErrorCodes.MnnFileNotFound, e.Code);
        StringAssert.Contains(e.Message, path);
    }

    [TestMethod]
    public void TableBeyond32KB_Reads()
    {
        // A large constant pushes later tables past 32 KB (where the stock C# Verifier misbehaves).
        var net = MnnTestNets.Small();
        net.Oplists.Insert(0, new OpT
        {
            Name = "big", Type = OpType.Const, OutputIndexes = [8],
            Main = OpParameterUnion.FromBlob(new BlobT { Dims = [50_000], Float32s = Enumerable.Repeat(1f, 50_000).ToList() }),
        });
        byte[] data = MnnModelWriter.Serialize(net);
        Assert.IsTrue(data.Length > 200_000);
        var back = MnnModelReader.Read(data, "big");
        Assert.AreEqual(9, back.Oplists.Count);
        Assert.AreEqual(50_000, back.Oplists[0].Main.AsBlob().Float32s.Count);
    }

    private static void RunFuzz(byte[] original, int seed, int iterations)
    {
        var rng = new Random(seed);
        int ok = 0, corrupt = 0;
        for (int i = 0; i < iterations; i++)
        {
            byte[] data = Mutate(original, rng, out string how);
            if (ReadExpectingOkOrCorrupt(data, $"mutation #{i} ({how})"))
                ok++;
            else
                corrupt++;
        }
        Assert.IsTrue(corrupt > 0, "no mutation was detected as corrupt");
        Console.WriteLine($"{iterations} mutations: {ok} read, {corrupt} MB1101");
    }

    private static byte[] Mutate(byte[] original, Random rng, out string how)
    {
        int kind = rng.Next(5);
        switch (kind)
        {
            case 0:
            {
                int len = rng.Next(0, original.Length);
                how = $"truncated to {len}";
                return original[..len];
            }
            case 1:
            {
                byte[] data = (byte[])original.Clone();
                int flips = rng.Next(1, 9);
                for (int f = 0; f < flips; f++)
                {
                    int at = rng.Next(data.Length);
                    data[at] ^= (byte)(1 << rng.Next(8));
                }
                how = $"{flips} bit flips";
                return data;
            }
            case 2:
            {
                // Overwrite a 4-byte-aligned word with a hostile value: most words are offsets or lengths.
                byte[] data = (byte[])original.Clone();
                int at = rng.Next(data.Length / 4) * 4;
                int[] hostile = [0, 1, -1, -4, 4, int.MaxValue, int.MinValue, 0x7FFF, 0x8000, 0xFFFF, data.Length, data.Length - 4, rng.Next()];
                int v = hostile[rng.Next(hostile.Length)];
                BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(at, 4), v);
                how = $"word at {at} = {v}";
                return data;
            }
            case 3:
            {
                // 16-bit overwrite: hits vtable entries and sizes.
                byte[] data = (byte[])original.Clone();
                int at = rng.Next(data.Length / 2) * 2;
                short v = (short)rng.Next(short.MinValue, short.MaxValue + 1);
                BinaryPrimitives.WriteInt16LittleEndian(data.AsSpan(at, 2), v);
                how = $"short at {at} = {v}";
                return data;
            }
            default:
            {
                byte[] data = (byte[])original.Clone();
                int at = rng.Next(data.Length);
                int len = Math.Min(data.Length - at, rng.Next(1, 64));
                rng.NextBytes(data.AsSpan(at, len));
                how = $"{len} random bytes at {at}";
                return data;
            }
        }
    }

    /// <summary>Returns true when the buffer read, false when it was rejected as MB1101; fails on anything else.</summary>
    private static bool ReadExpectingOkOrCorrupt(byte[] data, string what)
    {
        var sw = Stopwatch.StartNew();
        try
        {
            MnnModelReader.Read(data, what);
            return true;
        }
        catch (ModelBuildException e) when (e.Code == ErrorCodes.MnnCorrupt)
        {
            return false;
        }
        catch (Exception e)
        {
            Assert.Fail($"{what}: {e.GetType().Name} escaped the reader: {e}");
            return false;
        }
        finally
        {
            sw.Stop();
            Assert.IsTrue(sw.Elapsed < PerReadLimit, $"{what}: read took {sw.Elapsed}");
        }
    }
}
