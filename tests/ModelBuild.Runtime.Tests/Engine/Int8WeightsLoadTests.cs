using ModelBuild.Runtime.Format;
using ModelBuild.Runtime.Format.Schema;
using ModelBuild.Runtime.Tests.Format;

namespace ModelBuild.Runtime.Tests.Engine;

/// <summary>
/// Files with int8 weight-quantized convolutions load and run: a file laid out by hand as upstream MNNConvert
/// --weightQuantBits 8 writes it (independent of our encoder), and upstream-written ones when ../shared has them.
/// </summary>
[TestClass]
public sealed class Int8WeightsLoadTests
{
    private const int Channels = 4, Area = 3 * 3 * 3;

    private static Convolution2DT Conv(NetT net) => net.Oplists.Single(o => o.Type == OpType.Convolution).Main.AsConvolution2D();

    private static float[] Run(byte[] file)
    {
        using var session = new MnnSession(MnnModel.FromBytes(file, "int8.mnn"));
        var x = Enumerable.Range(0, 3 * 8 * 8).Select(i => MathF.Sin(i * 0.37f)).ToArray();
        return session.Run(new Dictionary<string, Tensor> { ["in"] = Tensor.FromFloats(x, [1, 3, 8, 8]) })["out"].Floats.ToArray();
    }

    /// <summary>
    /// Upstream's asymmetric layout, written byte by byte: dims [4, 27] (u16), value count 0 (= 256), the values
    /// -128..127, then one byte per weight holding q + 128; alpha (min, scale) per channel, readType 4, aMin -128.
    /// </summary>
    private static IDSTQuanT UpstreamLayout(out float[] dequantized)
    {
        var buffer = new List<sbyte> { 2, Channels, 0, Area, 0, 0 };
        buffer.AddRange(Enumerable.Range(-128, 256).Select(v => (sbyte)v));
        var q = Enumerable.Range(0, Channels * Area).Select(i => (((i * 37) + 11) % 256) - 128).ToArray();
        buffer.AddRange(q.Select(v => unchecked((sbyte)(byte)(v + 128))));
        float[] alpha = [-0.5f, 0.004f, -0.25f, 0.002f, -1f, 0.008f, 0f, 0.001f];

        // upstream's ConvolutionCommon::load: min' = min - aMin·scale, w = q·scale + min'
        dequantized = new float[q.Length];
        for (int c = 0; c < Channels; c++)
        {
            float scale = alpha[(2 * c) + 1], min = alpha[2 * c] - (-128 * scale);
            for (int i = 0; i < Area; i++)
            {
                dequantized[(c * Area) + i] = (q[(c * Area) + i] * scale) + min;
            }
        }

        return new IDSTQuanT { Type = 1, Buffer = buffer, Alpha = [.. alpha], AMaxOrBits = 8, QuantScale = 1f, ReadType = Channels, AMin = -128 };
    }

    [TestMethod]
    public void HandWrittenUpstreamInt8FileRunsAsItsDequantizedWeights()
    {
        var quantized = MnnTestNets.Small();
        Conv(quantized).QuanParameter = UpstreamLayout(out var dequantized);
        Conv(quantized).Weight = [];
        var file = MnnModelWriter.Serialize(quantized);

        var reference = MnnTestNets.Small();
        Conv(reference).Weight = [.. dequantized];
        var expected = Run(MnnModelWriter.Serialize(reference));

        CollectionAssert.AreEqual(expected, Run(file), "the int8 file computes exactly what its dequantized float weights do");
        var loaded = MnnModel.FromBytes(file, "int8.mnn");
        CollectionAssert.AreEqual(dequantized, Conv(loaded.Net).Weight.ToArray());
        Assert.IsNull(Conv(loaded.Net).QuanParameter, "dequantized once, at load");
    }

    [TestMethod]
    public void OurEncoderWritesTheHandWrittenLayout()
    {
        var quan = UpstreamLayout(out _);
        var q = quan.Buffer.Skip(6 + 256).Select(b => (sbyte)((byte)b - 128)).ToArray();
        var ours = IdstBuffer.EncodeDense(q, Channels, Area, 8, out bool wide);
        Assert.IsFalse(wide);
        CollectionAssert.AreEqual(quan.Buffer.Select(b => (byte)b).ToArray(), ours);
    }

    [TestMethod]
    public void CorruptQuantizedBufferInAFileIsMB1101()
    {
        var net = MnnTestNets.Small();
        var quan = Conv(net).QuanParameter = UpstreamLayout(out _);
        Conv(net).Weight = [];
        quan.Buffer.RemoveRange(quan.Buffer.Count - 10, 10);
        var e = Assert.ThrowsExactly<ModelBuildException>(() => MnnModel.FromBytes(MnnModelWriter.Serialize(net), "cut.mnn"));
        Assert.AreEqual(ErrorCodes.MnnCorrupt, e.Code);
        StringAssert.Contains(e.Message, "cut.mnn: op 'conv': quantized weight buffer");
        StringAssert.Contains(e.Message, "need 108 bytes");
    }

    /// <summary>
    /// Upstream MNNConvert --weightQuantBits 8 files in ../shared/mnn-upstream (<c>CASE/model.int8.mnn</c>) load,
    /// every quantized convolution dequantized (docs/benchmarks.md has the bench models run both ways).
    /// </summary>
    [TestMethod]
    public void UpstreamWrittenInt8FilesLoadWhenPresent()
    {
        var root = TestPaths.RequireShared("mnn-upstream");
        var files = Directory.GetDirectories(root).Select(d => Path.Combine(d, "model.int8.mnn")).Where(File.Exists).Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0)
        {
            Assert.Inconclusive($"no upstream --weightQuantBits 8 file (CASE/model.int8.mnn) in {root}; the hand-written layout test covers the format");
        }

        foreach (var file in files)
        {
            var model = MnnModel.Load(file);
            Assert.IsFalse(model.Net.Oplists.Any(o => o.Main?.Value is Convolution2DT { QuanParameter: not null }), $"{file}: quantized weights left after load");
        }
    }
}
