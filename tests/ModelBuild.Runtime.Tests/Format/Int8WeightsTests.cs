using ModelBuild.Runtime.Format;
using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Runtime.Tests.Format;

/// <summary>
/// int8 weight storage (upstream MNNConvert --weightQuantBits 8): per-channel quantization, the IDSTQuan bit-packed
/// buffer (encode ↔ decode), upstream's sparse form, dequantization at load, and coded errors on corrupt buffers.
/// </summary>
[TestClass]
public sealed class Int8WeightsTests
{
    private static float[] Random(int seed, int count, float lo = -1f, float hi = 1f)
    {
        var rng = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => lo + ((hi - lo) * (float)rng.NextDouble()))];
    }

    /// <summary>Quantize, then decode as a loaded file is: every weight within half a step of its channel's scale.</summary>
    private static float[] RoundTrip(float[] weights, int channels, bool asymmetric, out IDSTQuanT quan)
    {
        quan = Int8Weights.Quantize(weights, channels, asymmetric);
        return [.. Int8Weights.Dequantize(quan, "test")];
    }

    [TestMethod]
    [DataRow(true)]
    [DataRow(false)]
    public void RoundTripStaysWithinHalfAStepPerChannel(bool asymmetric)
    {
        // odd channel count and odd area, channels of very different ranges
        const int channels = 7, area = 3 * 3 * 5;
        var weights = Random(1, channels * area);
        for (int c = 0; c < channels; c++)
        {
            for (int i = 0; i < area; i++)
            {
                weights[(c * area) + i] *= MathF.Pow(10, c - 3);
            }
        }

        var back = RoundTrip(weights, channels, asymmetric, out var quan);
        Assert.AreEqual(IdstBuffer.TypeDense, quan.Type);
        Assert.AreEqual(8, quan.AMaxOrBits);
        Assert.AreEqual(asymmetric ? channels : 0, quan.ReadType);
        Assert.AreEqual(asymmetric ? -128 : 0, quan.AMin);
        Assert.HasCount(asymmetric ? 2 * channels : channels, quan.Alpha);
        for (int c = 0; c < channels; c++)
        {
            var row = weights.AsSpan(c * area, area).ToArray();
            float step = asymmetric ? (row.Max() - row.Min()) / 255f : row.Max(MathF.Abs) / 127f;
            for (int i = 0; i < area; i++)
            {
                Assert.AreEqual(row[i], back[(c * area) + i], (step * 0.5f) + (1e-6f * MathF.Abs(row[i])), $"channel {c} weight {i}");
            }

            Assert.IsTrue(row.Where((w, i) => w != back[(c * area) + i]).Any(), "weights off the grid were rounded");
        }
    }

    [TestMethod]
    [DataRow(true)]
    [DataRow(false)]
    public void AllEqualAndZeroChannels(bool asymmetric)
    {
        // channel 0: all 0.25 (asymmetric: scale 0, restored exactly from min); channel 1: all zero; channel 2: tiny (≤ 1e-6 · 127)
        float[] weights = [0.25f, 0.25f, 0.25f, 0, 0, 0, 1e-5f, -2e-5f, 3e-5f];
        var back = RoundTrip(weights, 3, asymmetric, out _);
        float first = asymmetric ? 0.25f : 127 * (0.25f / 127f);
        CollectionAssert.AreEqual(new[] { first, first, first }, back[..3]);
        CollectionAssert.AreEqual(new[] { 0f, 0f, 0f }, back[3..6]);
        // upstream stores only the lowest code when the scale is ≤ 1e-6: symmetric → 0, asymmetric → the channel's min
        CollectionAssert.AreEqual(asymmetric ? new[] { -2e-5f, -2e-5f, -2e-5f } : new[] { 0f, 0f, 0f }, back[6..]);
    }

    [TestMethod]
    public void DenseBufferIsUpstreamsLayout()
    {
        // 2 channels × 3 values: [dims=2][2 as u16][3 as u16][256 → 0][-128..127][q + 128 each]
        sbyte[] q = [-128, 0, 127, 5, -5, 1];
        var bytes = IdstBuffer.EncodeDense(q, 2, 3, 8, out bool shapeInt32);
        Assert.IsFalse(shapeInt32);
        var expected = new List<byte> { 2, 2, 0, 3, 0, 0 };
        expected.AddRange(Enumerable.Range(-128, 256).Select(v => (byte)(sbyte)v));
        expected.AddRange(q.Select(v => (byte)(v + 128)));
        CollectionAssert.AreEqual(expected, bytes);
        CollectionAssert.AreEqual(q, IdstBuffer.Decode(bytes, IdstBuffer.TypeDense, false, [1f, 1f], "test"));
    }

    [TestMethod]
    [DataRow(2)]
    [DataRow(3)]
    [DataRow(4)]
    [DataRow(5)]
    [DataRow(8)]
    public void BitPackingRoundTripsAtEveryWidth(int bits)
    {
        int lo = -(1 << (bits - 1)), count = 37;
        var rng = new Random(bits);
        var q = Enumerable.Range(0, count).Select(_ => (sbyte)rng.Next(lo, -lo)).ToArray();
        var bytes = IdstBuffer.EncodeDense(q, 1, count, bits, out _);
        Assert.HasCount(1 + 4 + 1 + (1 << bits) + (((bits * count) + 7) / 8), bytes);
        CollectionAssert.AreEqual(q, IdstBuffer.Decode(bytes, IdstBuffer.TypeDense, false, [1f], "test"));
    }

    [TestMethod]
    public void WideDimensionsUse32BitShape()
    {
        var q = new sbyte[70000];
        q[69999] = 3;
        var bytes = IdstBuffer.EncodeDense(q, 1, 70000, 8, out bool shapeInt32);
        Assert.IsTrue(shapeInt32);
        CollectionAssert.AreEqual(new byte[] { 2, 1, 0, 0, 0, 0x70, 0x11, 0x01, 0x00 }, bytes[..9]);
        CollectionAssert.AreEqual(q, IdstBuffer.Decode(bytes, IdstBuffer.TypeDense, true, [1f], "test"));
    }

    [TestMethod]
    public void NonLinearValueSetMapsIndicesToSortedValues()
    {
        // older upstream writers store only the values used: {7, -3, 0} → sorted [-3, 0, 7], 2-bit indices 2,0,1,2
        byte[] buffer = [1, 4, 0, 3, 7, unchecked((byte)-3), 0, 0b10_00_01_10];
        CollectionAssert.AreEqual(new sbyte[] { 7, -3, 0, 7 }, IdstBuffer.Decode(buffer, IdstBuffer.TypeDense, false, [1f], "test"));
    }

    [TestMethod]
    public void SparseBufferFillsChannelZeros()
    {
        // shape [2, 4]; 3 entries with 3-bit steps 1, 3, 2 → positions 1, 4, 6; value set {-1, 2} (1-bit indices, lowest code -1);
        // alpha as (min, scale) pairs per channel: unnamed weights are round((0 - min) / scale) + (-1)
        byte[] buffer =
        [
            2, 2, 0, 4, 0,                   // dims [2, 4]
            3, 0, 0, 0,                      // nnz 3
            3,                               // step bits
            0b001_011_01, 0b0_0000000,       // steps 1, 3, 2
            2, unchecked((byte)-1), 2,       // value set
            0b1_0_1_00000,                   // indices 1, 0, 1 → 2, -1, 2
        ];
        var values = IdstBuffer.Decode(buffer, IdstBuffer.TypeSparse, false, [-1f, 1f, 5f, 0f], "test");
        // channel 0 zero = round(1/1) - 1 = 0; channel 1 has scale 0 → its zero is the lowest code, -1
        CollectionAssert.AreEqual(new sbyte[] { 0, 2, 0, 0, -1, -1, 2, -1 }, values);
    }

    [TestMethod]
    public void DequantizeFollowsUpstreamsLoadFormula()
    {
        // asymmetric with aMin 0 (files before aMin was written: treated as -128), quantScale 2, fp16 scales
        var buffer = IdstBuffer.EncodeDense([-128, 127, 0, 10], 2, 2, 8, out _);
        var quan = new IDSTQuanT
        {
            Type = 1, Buffer = [.. buffer.Select(b => (sbyte)b)], ReadType = 2, AMin = 0, QuantScale = 2f,
            ScaleStorage = ScaleStorageType.FP16,
            AlphaFp16 = [.. new[] { -1f, 0.5f, 3f, 0.25f }.Select(v => BitConverter.HalfToUInt16Bits((Half)v))],
        };

        // min' = (min + 128·scale)·2, scale' = scale·2: w = q·scale' + min'
        var w = Int8Weights.Dequantize(quan, "test").ToArray();
        CollectionAssert.AreEqual(new[] { (-128 * 1f) + 126f, (127 * 1f) + 126f, (0 * 0.5f) + 70f, (10 * 0.5f) + 70f }, w);
    }

    [TestMethod]
    public void ExpandReplacesTheQuantizedWeightsOfEveryConvolution()
    {
        var weights = Random(3, 4 * 2 * 3 * 3);
        var conv = new Convolution2DT
        {
            Common = new Convolution2DCommonT { OutputCount = 4, InputCount = 2, KernelX = 3, KernelY = 3 },
            Weight = [.. weights],
            Bias = [1f, 2f, 3f, 4f],
        };
        var sub = new Convolution2DT { Common = new Convolution2DCommonT { OutputCount = 2 }, Weight = [1f, -1f, 0.5f, 2f] };
        var net = new NetT
        {
            Oplists = [new OpT { Name = "conv", Type = OpType.Convolution, Main = OpParameterUnion.FromConvolution2D(conv) }],
            Subgraphs = [new SubGraphProtoT { Nodes = [new OpT { Name = "dw", Type = OpType.ConvolutionDepthwise, Main = OpParameterUnion.FromConvolution2D(sub) }] }],
        };

        var saving = Int8Weights.Compress(net, asymmetric: true);
        Assert.AreEqual(4L * (weights.Length + 4), saving.FloatBytes);
        Assert.IsEmpty(conv.Weight);
        Assert.IsEmpty(sub.Weight);
        Assert.AreEqual(1, sub.QuanParameter.Type, "subgraph convolutions are quantized too");

        Int8Weights.Expand(net, "test");
        Assert.IsNull(conv.QuanParameter);
        Assert.HasCount(weights.Length, conv.Weight);
        CollectionAssert.AreEqual(new[] { 1f, 2f, 3f, 4f }, conv.Bias.ToArray(), "biases stay float32");
        Assert.AreEqual(1f, sub.Weight[0], 1f / 255);
    }

    [TestMethod]
    public void SameWeightsGiveTheSameBytes()
    {
        var w = Random(5, 6 * 11);
        var a = Int8Weights.Quantize(w, 6, true);
        var b = Int8Weights.Quantize(w, 6, true);
        CollectionAssert.AreEqual(a.Buffer, b.Buffer);
        CollectionAssert.AreEqual(a.Alpha, b.Alpha);
    }

    private static byte[] Valid() => IdstBuffer.EncodeDense([1, 2, 3, 4, 5, 6], 2, 3, 8, out _);

    public static IEnumerable<object[]> CorruptBuffers()
    {
        var valid = Valid();
        yield return [valid[..^1], "need 6 bytes"];
        yield return [valid.Concat(new byte[] { 0 }).ToArray(), "1 bytes left over"];
        yield return [new byte[] { 5, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0 }, "5 dimensions"];
        yield return [new byte[] { 2, 0, 0, 3, 0 }, "holds no values"];
        yield return [new byte[] { 2, 2, 0 }, "2 dimensions need 4 bytes"];
        yield return [new byte[] { 1, 2, 0, 3, 5, 6, 7, 0b11_000000 }, "value index 3, but the value set has 3 entries"];
        yield return [Array.Empty<byte>(), "dimension count need 1 bytes"];
    }

    [TestMethod]
    [DynamicData(nameof(CorruptBuffers))]
    public void CorruptDenseBufferIsMB1101(byte[] buffer, string message)
    {
        var e = Assert.ThrowsExactly<ModelBuildException>(() => IdstBuffer.Decode(buffer, IdstBuffer.TypeDense, false, [1f, 1f], "m.mnn: op 'c'"));
        Assert.AreEqual(ErrorCodes.MnnCorrupt, e.Code);
        StringAssert.Contains(e.Message, message);
        StringAssert.StartsWith(e.Message, "m.mnn: op 'c': quantized weight buffer");
    }

    [TestMethod]
    [DataRow(new byte[] { 1, 4, 0, 9, 0, 0, 0, 0 }, "9 non-zero weights of 4")]
    [DataRow(new byte[] { 1, 4, 0, 1, 0, 0, 0, 0 }, "step bit width 0")]
    [DataRow(new byte[] { 1, 4, 0, 1, 0, 0, 0, 9 }, "step bit width 9")]
    [DataRow(new byte[] { 1, 4, 0, 1, 0, 0, 0, 8, 7, 1, 0, 0 }, "position 7 lies past the 4 weights")]
    [DataRow(new byte[] { 1, 4, 0, 1, 0, 0, 0, 8, 1, 2, 5, 5, 0b1_0000000 }, "value index 1, but the value set has 1 entries")]
    [DataRow(new byte[] { 2, 0xE8, 0x03, 0xE8, 0x03, 0, 0, 0, 0, 1 }, "0 entries of 1-bit steps cannot span 1000000 weights")]
    public void CorruptSparseBufferIsMB1101(byte[] buffer, string message)
    {
        var e = Assert.ThrowsExactly<ModelBuildException>(() => IdstBuffer.Decode(buffer, IdstBuffer.TypeSparse, false, [1f], "m.mnn"));
        Assert.AreEqual(ErrorCodes.MnnCorrupt, e.Code);
        StringAssert.Contains(e.Message, message);
    }

    /// <summary>Upstream's sparse form of a random channel set, built as its WriteSparseQuanBlobs lays it out.</summary>
    private static byte[] ValidSparse() =>
    [
        1, 8, 0,                     // dims [8]
        2, 0, 0, 0,                  // nnz 2
        2,                           // step bits
        0b01_10_0000,                // steps 1, 2 → positions 1, 3
        4, 1, 2, 3, 4,               // value set
        0b01_11_0000,                // indices 1, 3 → 2, 4
    ];

    [TestMethod]
    public void MutatedBuffersFailOnlyWithCodedErrors()
    {
        // fuzz: truncations, extensions and byte flips of valid dense and sparse buffers, through the whole load path
        var rng = new Random(2026);
        int decoded = 0, rejected = 0;
        foreach (var (type, valid) in new[] { (IdstBuffer.TypeDense, Valid()), (IdstBuffer.TypeSparse, ValidSparse()) })
        {
            Assert.IsNotNull(IdstBuffer.Decode(valid, type, false, [1f], "ok"));
            for (int trial = 0; trial < 3000; trial++)
            {
                var bytes = valid.ToList();
                for (int m = rng.Next(1, 4); m > 0; m--)
                {
                    switch (rng.Next(3))
                    {
                        case 0: bytes[rng.Next(bytes.Count)] = (byte)rng.Next(256); break;
                        case 1: bytes.RemoveRange(rng.Next(bytes.Count), 1); break;
                        default: bytes.Insert(rng.Next(bytes.Count + 1), (byte)rng.Next(256)); break;
                    }

                    if (bytes.Count == 0)
                    {
                        bytes.Add(0);
                    }
                }

                var quan = new IDSTQuanT { Type = type, Buffer = [.. bytes.Select(b => (sbyte)b)], Alpha = [.. Enumerable.Repeat(0.5f, rng.Next(0, 5))], ReadType = rng.Next(2), QuantScale = 1f, ShapeInt32 = rng.Next(4) == 0 };
                try
                {
                    Int8Weights.Dequantize(quan, "fuzz");
                    decoded++;
                }
                catch (ModelBuildException e)
                {
                    Assert.AreEqual(ErrorCodes.MnnCorrupt, e.Code, e.Message);
                    rejected++;
                }
            }
        }

        Assert.IsGreaterThan(100, rejected);
        Assert.IsGreaterThan(10, decoded, "some mutations (value bytes) still decode");
    }

    [TestMethod]
    public void ScalesThatDoNotFitTheWeightsAreMB1101()
    {
        var quan = Int8Weights.Quantize([1f, 2f, 3f, 4f, 5f, 6f], 2, asymmetric: true);
        quan.Alpha = [.. quan.Alpha.Take(3)];
        var net = new NetT
        {
            Oplists = [new OpT { Name = "conv", Type = OpType.Convolution, Main = OpParameterUnion.FromConvolution2D(new Convolution2DT { Common = new Convolution2DCommonT { OutputCount = 2 }, QuanParameter = quan }) }],
        };
        var e = Assert.ThrowsExactly<ModelBuildException>(() => Int8Weights.Expand(net, "m.mnn"));
        Assert.AreEqual(ErrorCodes.MnnCorrupt, e.Code);
        StringAssert.Contains(e.Message, "m.mnn: op 'conv': quantized weights: 3 scales (asymmetric) for 6 weights");
    }

    [TestMethod]
    public void UnknownBufferTypeIsMB1101()
    {
        var e = Assert.ThrowsExactly<ModelBuildException>(() => IdstBuffer.Decode(Valid(), 7, false, [1f, 1f], "m.mnn"));
        Assert.AreEqual(ErrorCodes.MnnCorrupt, e.Code);
        StringAssert.Contains(e.Message, "type 7");
    }
}
