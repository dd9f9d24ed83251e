using ModelBuild.Converter.Tests.Infrastructure;
using ModelBuild.Runtime.Format.Schema;
using IrDataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Converter.Tests.Ops;

[TestClass]
public sealed class MatMulOpTests : OpTestBase
{
    [TestMethod]
    [DataRow(new long[] { 3, 4 }, new long[] { 4, 5 })]
    [DataRow(new long[] { 2, 3, 4 }, new long[] { 4, 5 })]
    [DataRow(new long[] { 2, 3, 4 }, new long[] { 2, 4, 5 })]
    [DataRow(new long[] { 2, 1, 3, 4 }, new long[] { 3, 4, 2 })]
    [DataRow(new long[] { 4 }, new long[] { 4, 5 })]
    [DataRow(new long[] { 2, 3, 4 }, new long[] { 4 })]
    [DataRow(new long[] { 4 }, new long[] { 4 })]
    public void MatMulShapes(long[] a, long[] b) => AssertMatchesOnnxRuntime(OpModels.Binary("MatMul", a, b));

    [TestMethod]
    public void MatMulConstantWeight() =>
        AssertMatchesOnnxRuntime(OpModels.Unary("MatMul", [2, 3, 4], 13, null, ("w", TestTensors.Random(3, [4L, 6]), [4, 6])));

    private static ModelBuild.Converter.Onnx.Proto.ModelProto Gemm(bool constB, bool transA, bool transB, long[]? cShape, float alpha, float beta, int opset = 13)
    {
        const int M = 3, K = 4, N = 5;
        var b = new OnnxModelBuilder(opset).Input("a", IrDataType.Float, OpModels.Dims(transA ? [K, M] : [M, K]));
        long[] bShape = transB ? [N, K] : [K, N];
        if (constB)
        {
            b.Initializer("b", TestTensors.Random(11, bShape), bShape);
        }
        else
        {
            b.Input("b", IrDataType.Float, OpModels.Dims(bShape));
        }

        var inputs = new List<string> { "a", "b" };
        if (cShape is not null)
        {
            b.Initializer("c", TestTensors.Random(12, cShape), cShape);
            inputs.Add("c");
        }

        return b.Node("Gemm", [.. inputs], ["y"], attrs: x => x.Float("alpha", alpha).Float("beta", beta).Int("transA", transA ? 1 : 0).Int("transB", transB ? 1 : 0))
            .Output("y", IrDataType.Float).Build();
    }

    [TestMethod]
    [DataRow(false, new long[] { 5 }, 1f, 1f)]
    [DataRow(true, new long[] { 1, 5 }, 0.5f, 2f)]
    [DataRow(true, null, 1f, 1f)]
    [DataRow(false, new long[] { 1 }, 1.5f, 0.5f)]
    public void GemmConstantWeightBecomesConvolution(bool transB, long[]? cShape, float alpha, float beta)
    {
        var result = AssertMatchesOnnxRuntime(Gemm(true, false, transB, cShape, alpha, beta));
        Assert.IsTrue(result.Net.Oplists.Any(o => o.Type == OpType.Convolution));
    }

    [TestMethod]
    [DataRow(true, false, new long[] { 3, 5 })]
    [DataRow(true, true, new long[] { 3, 1 })]
    [DataRow(false, true, new long[] { 5 })]
    public void GemmGeneral(bool transA, bool transB, long[] cShape) =>
        AssertMatchesOnnxRuntime(Gemm(false, transA, transB, cShape, 0.7f, 1.3f));

    [TestMethod]
    public void GemmMatrixBiasWithConstantWeight() => AssertMatchesOnnxRuntime(Gemm(true, false, false, [3, 5], 1f, 1f, opset: 11));
}
