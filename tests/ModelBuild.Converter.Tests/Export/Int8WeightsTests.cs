using ModelBuild.Converter.Conversion;
using ModelBuild.Converter.Tests.Infrastructure;
using ModelBuild.Converter.Tests.Ops;
using ModelBuild.Runtime;
using ModelBuild.Runtime.Format.Schema;
using MbSession = ModelBuild.Runtime.MnnSession;
using IrDataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Converter.Tests.Export;

/// <summary>
/// --weight-precision int8 / int8-symmetric: convolution weights (and MatMul by a constant, as a 1×1 convolution)
/// quantized per output channel into IDSTQuan type 1, as upstream MNNConvert --weightQuantBits 8 writes them; the
/// file shrinks to about a quarter, is deterministic, loads in our runtime and stays within int8 rounding of ONNX Runtime.
/// </summary>
[TestClass]
public sealed class Int8WeightsTests : OpTestBase
{
    private const int In = 32, Out = 47;

    /// <summary>Conv 32→47 channels (odd), then MatMul by a constant [12, 20] over the last axis.</summary>
    private static ModelBuild.Converter.Onnx.Proto.ModelProto Model() =>
        new OnnxModelBuilder(13).Input("x", IrDataType.Float, 1, In, 12, 12)
            .Initializer("w", TestTensors.Random(4, [Out, In, 3, 3], -0.5f, 0.5f), Out, In, 3, 3)
            .Initializer("b", TestTensors.Random(5, [(long)Out]), Out)
            .Initializer("m", TestTensors.Random(6, [12L, 20], -0.3f, 0.3f), 12, 20)
            .Node("Conv", ["x", "w", "b"], ["c"], attrs: a => a.Ints("pads", 1, 1, 1, 1))
            .Node("MatMul", ["c", "m"], ["y"])
            .Output("y", IrDataType.Float, 1, Out, 12, 20).Build();

    private static ConversionResult Convert(string path, WeightPrecision precision) =>
        ModelConverter.Convert(path, new ConversionOptions { WeightPrecision = precision });

    [TestMethod]
    [DataRow(WeightPrecision.Int8)]
    [DataRow(WeightPrecision.Int8Symmetric)]
    public void WritesUpstreamsWeightQuantEncodingAtAQuarterOfTheSize(WeightPrecision precision)
    {
        var path = SaveModel(Model());
        var full = ModelConverter.Convert(path);
        var int8 = Convert(path, precision);
        bool asymmetric = precision == WeightPrecision.Int8;
        var convs = int8.Net.Oplists.Where(o => o.Type == OpType.Convolution).Select(o => o.Main.AsConvolution2D()).ToList();
        Assert.HasCount(2, convs, "the MatMul by a constant became a 1×1 convolution");
        Assert.IsFalse(int8.Net.Oplists.Any(o => o.Type == OpType.MatMul));
        foreach (var conv in convs)
        {
            var oc = conv.Common.OutputCount;
            var q = conv.QuanParameter;
            Assert.AreEqual(1, q.Type);
            Assert.AreEqual(8, q.AMaxOrBits);
            Assert.AreEqual(1f, q.QuantScale);
            Assert.AreEqual(asymmetric ? oc : 0, q.ReadType);
            Assert.AreEqual(asymmetric ? -128 : 0, q.AMin);
            Assert.HasCount(asymmetric ? 2 * oc : oc, q.Alpha);
            Assert.IsEmpty(conv.Weight);
            Assert.HasCount(oc, conv.Bias, "biases stay float32, as upstream keeps them");
            Assert.AreEqual(2, q.Buffer[0], "dims [oc, area]");
            Assert.AreEqual(oc, q.Buffer[1]);
        }

        Assert.AreEqual(4L * ((Out * In * 9) + (20 * 12)), int8.FloatWeightBytes);
        // per convolution: 6 bytes of dims, the 256-value table, one byte per weight; plus 4 bytes per scale
        Assert.AreEqual((6 + 256 + (Out * In * 9)) + (6 + 256 + (20 * 12)) + (4L * (asymmetric ? 2 : 1) * (Out + 20)), int8.StoredWeightBytes);
        Assert.IsLessThan(full.Bytes.Length * 0.3, int8.Bytes.Length, $"{int8.Bytes.Length} of {full.Bytes.Length} bytes");
        CollectionAssert.AreEqual(int8.Bytes, Convert(path, precision).Bytes, "the writer is deterministic");
        Assert.IsTrue(full.Net.Oplists.Any(o => o.Type == OpType.MatMul), "float32 storage keeps the MatMul");
    }

    [TestMethod]
    [DataRow(WeightPrecision.Int8)]
    [DataRow(WeightPrecision.Int8Symmetric)]
    public void RunsWithinInt8RoundingOfOnnxRuntime(WeightPrecision precision)
    {
        var model = Model();
        var inputs = RandomInputs(model, seed: 9);
        var expected = OnnxRuntimeReference.Run(model, inputs);
        var int8 = Convert(SaveModel(model), precision);
        using var session = new MbSession(MnnModel.FromBytes(int8.Bytes));
        var x = inputs["x"];
        var y = session.Run(new Dictionary<string, Tensor> { ["x"] = Tensor.FromFloats(x.Floats!, [.. x.Shape.Select(d => (int)d)]) })["y"];
        CollectionAssert.AreEqual(new[] { 1, Out, 12, 20 }, y.Shape.ToArray());
        var reference = expected["y"].Values;
        var peak = reference.Max(Math.Abs);
        var error = y.Floats.ToArray().Zip(reference, (a, b) => Math.Abs(a - b)).Max() / peak;
        Assert.IsLessThan(2e-2, error, "int8 weights: half a step of 1/255 (1/127) of each channel's range");
        Assert.IsGreaterThan(1e-5, error, "the weights really were quantized");
    }
}
