using ModelBuild.Converter.Conversion;
using ModelBuild.Converter.Tests.Infrastructure;
using ModelBuild.Converter.Tests.Ops;
using ModelBuild.Runtime;
using ModelBuild.Runtime.Format.Schema;
using MbSession = ModelBuild.Runtime.MnnSession;
using IrDataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Converter.Tests.Export;

/// <summary>
/// --weight-precision fp16: convolution weights as IDSTQuan type 3 and float constants as DT_HALF blobs (upstream
/// MNNConvert --fp16's encoding); the file shrinks, loads in our runtime and stays within fp16 rounding of ONNX Runtime.
/// </summary>
[TestClass]
public sealed class HalfWeightsTests : OpTestBase
{
    private static ModelBuild.Converter.Onnx.Proto.ModelProto Model() =>
        new OnnxModelBuilder(13).Input("x", IrDataType.Float, 1, 8, 12, 12)
            .Initializer("w", TestTensors.Random(4, [16L, 8, 3, 3], -0.5f, 0.5f), 16, 8, 3, 3)
            .Initializer("b", TestTensors.Random(5, [16L]), 16)
            .Initializer("k", TestTensors.Random(6, [1L, 16, 1, 1], 0.5f, 1.5f), 1, 16, 1, 1)
            .Initializer("big", new[] { 1e6f }, 1)
            .Node("Conv", ["x", "w", "b"], ["c"], attrs: a => a.Ints("pads", 1, 1, 1, 1))
            .Node("Mul", ["c", "k"], ["m"])
            .Node("Min", ["m", "big"], ["y"])
            .Output("y", IrDataType.Float, 1, 16, 12, 12).Build();

    [TestMethod]
    public void WritesUpstreamsFp16EncodingAndHalvesTheWeights()
    {
        var path = SaveModel(Model());
        var full = ModelConverter.Convert(path);
        var half = ModelConverter.Convert(path, new ConversionOptions { WeightPrecision = WeightPrecision.Float16 });
        var conv = half.Net.Oplists.Single(o => o.Type == OpType.Convolution).Main.AsConvolution2D();
        Assert.AreEqual(3, conv.QuanParameter.Type);
        Assert.HasCount(16 * 8 * 3 * 3 * 2, conv.QuanParameter.Buffer);
        Assert.IsEmpty(conv.Weight);
        Assert.HasCount(16, conv.Bias, "biases stay float32, as upstream keeps them");
        var consts = half.Net.Oplists.Where(o => o.Type == OpType.Const).Select(o => o.Main.AsBlob()).ToList();
        Assert.IsTrue(consts.Where(b => b.DataType != DataType.DT_INT32).All(b => b.DataType == DataType.DT_HALF && b.Float32s.Count == 0), "float constants are DT_HALF");
        Assert.IsLessThan(full.Bytes.Length * 0.75, half.Bytes.Length, $"{half.Bytes.Length} of {full.Bytes.Length} bytes");
        var big = consts.Single(b => b.DataType == DataType.DT_HALF && b.Uint8s.Count == 2 && BitConverter.ToHalf([b.Uint8s[0], b.Uint8s[1]]) == (Half)65504f);
        Assert.IsNotNull(big, "values beyond fp16 are clamped to ±65504");
    }

    [TestMethod]
    public void RunsWithinFp16RoundingOfOnnxRuntime()
    {
        var model = Model();
        var inputs = RandomInputs(model, seed: 9);
        var expected = OnnxRuntimeReference.Run(model, inputs);
        var half = ModelConverter.Convert(SaveModel(model), new ConversionOptions { WeightPrecision = WeightPrecision.Float16 });
        using var session = new MbSession(MnnModel.FromBytes(half.Bytes));
        var x = inputs["x"];
        var y = session.Run(new Dictionary<string, Tensor> { ["x"] = Tensor.FromFloats(x.Floats!, [.. x.Shape.Select(d => (int)d)]) })["y"].Floats.ToArray();
        var reference = expected["y"].Values;
        var peak = reference.Max(Math.Abs);
        var error = y.Zip(reference, (a, b) => Math.Abs(a - b)).Max() / peak;
        Assert.IsLessThan(4e-3, error, "fp16 weights: relative rounding 2^-11 per weight");
        Assert.IsGreaterThan(1e-7, error, "the weights really were rounded");
    }
}
