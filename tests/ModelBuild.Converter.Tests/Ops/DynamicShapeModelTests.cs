using ModelBuild.Converter.Conversion;
using ModelBuild.Converter.Tests.Infrastructure;
using ModelBuild.Runtime;
using IrDataType = ModelBuild.Converter.Graph.DataType;
using MbSession = ModelBuild.Runtime.MnnSession;

namespace ModelBuild.Converter.Tests.Ops;

/// <summary>
/// An OCR-style model with a free batch, height and width: the converted file keeps its shape computation and one
/// session must give ONNX Runtime's answers for every input shape it meets, re-planning when the shape changes.
/// </summary>
[TestClass]
public sealed class DynamicShapeModelTests : OpTestBase
{
    [TestMethod]
    public void OneSessionFollowsChangingBatchHeightAndWidth()
    {
        var model = OcrLikeModel();
        var result = ModelConverter.Convert(SaveModel(model), new ConversionOptions());

        var input = result.Net.Oplists.Single(o => o.Type == Runtime.Format.Schema.OpType.Input).Main.AsInput();
        CollectionAssert.AreEqual(new[] { -1, 3, -1, -1 }, input.Dims, "symbolic dims must stay open in the .mnn");

        using var session = new MbSession(MnnModel.FromBytes(result.Bytes));
        long[][] shapes = [[1, 3, 16, 40], [2, 3, 24, 32], [1, 3, 8, 64], [1, 3, 16, 40]];
        var seed = 10;
        foreach (var shape in shapes)
        {
            var data = TestTensors.Random(seed++, shape);
            var inputs = new Dictionary<string, TestInput> { ["image"] = (data, shape) };
            var expected = OnnxRuntimeReference.Run(model, inputs);
            var actual = session.Run(new Dictionary<string, Tensor> { ["image"] = Tensor.FromFloats(data, shape.Select(d => (int)d).ToArray()) });

            var exp = expected["probs"];
            var got = actual[result.TensorNames.TryGetValue("probs", out var n) ? n : "probs"];
            var context = $"input shape [{string.Join(",", shape)}]";
            CollectionAssert.AreEqual(exp.Shape, got.Shape.Select(d => (long)d).ToArray(), context);
            AssertOutputsMatch("probs", got.Floats.ToArray().Select(v => (double)v).ToArray(), exp.Values, context);
        }
    }

    /// <summary>
    /// image[N,3,H,W] → Conv3x3 → Relu → MaxPool 2x2 → Conv1x1(8) → Reshape(Concat(Shape[0:2], -1)) → Transpose
    /// → Softmax over classes: probs[N, H/2·W/2, 8].
    /// </summary>
    private static ModelBuild.Converter.Onnx.Proto.ModelProto OcrLikeModel() =>
        new OnnxModelBuilder(13)
            .Input("image", IrDataType.Float, "N", 3, "H", "W")
            .Initializer("w1", TestTensors.Random(1, [6L, 3, 3, 3]), 6, 3, 3, 3)
            .Initializer("b1", TestTensors.Random(2, [6L]), 6)
            .Initializer("w2", TestTensors.Random(3, [8L, 6, 1, 1]), 8, 6, 1, 1)
            .Initializer("starts", new long[] { 0 }, 1)
            .Initializer("ends", new long[] { 2 }, 1)
            .Initializer("minus1", new long[] { -1 }, 1)
            .Node("Conv", ["image", "w1", "b1"], ["c1"], attrs: a => a.Ints("pads", 1, 1, 1, 1).Ints("kernel_shape", 3, 3))
            .Node("Relu", ["c1"], ["r1"])
            .Node("MaxPool", ["r1"], ["p1"], attrs: a => a.Ints("kernel_shape", 2, 2).Ints("strides", 2, 2))
            .Node("Conv", ["p1", "w2"], ["c2"], attrs: a => a.Ints("kernel_shape", 1, 1))
            .Node("Shape", ["c2"], ["s"])
            .Node("Slice", ["s", "starts", "ends"], ["nc"])
            .Node("Concat", ["nc", "minus1"], ["target"], attrs: a => a.Int("axis", 0))
            .Node("Reshape", ["c2", "target"], ["flat"])
            .Node("Transpose", ["flat"], ["seq"], attrs: a => a.Ints("perm", 0, 2, 1))
            .Node("Softmax", ["seq"], ["probs"], attrs: a => a.Int("axis", -1))
            .Output("probs", IrDataType.Float)
            .Build();
}
