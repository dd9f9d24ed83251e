using ModelBuild.Converter.Tests.Infrastructure;
using ModelBuild.Runtime.Format.Schema;
using IrDataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Converter.Tests.Ops;

/// <summary>
/// Attention (opset 23) expanded into MNN's primitive ops, compared with ONNX Runtime: 3-D and 4-D inputs, grouped
/// K/V heads, past keys/values with present outputs, causal and bool/float masks, softcap, qk_matmul_output modes.
/// </summary>
[TestClass]
public sealed class AttentionOpTests : OpTestBase
{
    [TestMethod]
    [DataRow(false, false, 0f)]
    [DataRow(true, false, 0f)]
    [DataRow(true, true, 0f)]
    [DataRow(false, true, 3f)]
    public void GroupedQueryAttentionWithPast(bool causal, bool boolMask, float softcap)
    {
        // Q [2, 3, 4·8] with 4 heads, K/V [2, 3, 2·8] with 2 heads, past [2, 2, 5, 8]: 8 keys in all.
        var model = new OnnxModelBuilder(23).Input("q", IrDataType.Float, 2, 3, 32).Input("k", IrDataType.Float, 2, 3, 16).Input("v", IrDataType.Float, 2, 3, 16)
            .Input("mask", boolMask ? IrDataType.Bool : IrDataType.Float, 3, 8)
            .Input("past_k", IrDataType.Float, 2, 2, 5, 8).Input("past_v", IrDataType.Float, 2, 2, 5, 8)
            .Node("Attention", ["q", "k", "v", "mask", "past_k", "past_v"], ["y", "present_k", "present_v"], attrs: a =>
            {
                a.Int("q_num_heads", 4).Int("kv_num_heads", 2).Int("is_causal", causal ? 1 : 0);
                if (softcap > 0)
                {
                    a.Float("softcap", softcap);
                }
            })
            .Output("y", IrDataType.Float, 2, 3, 32).Output("present_k", IrDataType.Float, 2, 2, 8, 8).Output("present_v", IrDataType.Float, 2, 2, 8, 8)
            .Build();
        var inputs = RandomInputs(model, seed: 31);
        var mask = Enumerable.Range(0, 24).Select(i => i % 5 == 3 ? 0L : 1L).ToArray();
        inputs["mask"] = boolMask ? (mask, new long[] { 3, 8 }) : (mask.Select(m => m == 0 ? -2f : 0.5f).ToArray(), new long[] { 3, 8 });
        var result = AssertMatchesOnnxRuntime(model, inputs);
        Assert.IsTrue(result.Net.Oplists.Any(o => o.Type == OpType.Softmax), Describe(result));
    }

    [TestMethod]
    [DataRow(0L)]
    [DataRow(1L)]
    [DataRow(2L)]
    [DataRow(3L)]
    public void QkMatmulOutputModes(long mode)
    {
        var model = new OnnxModelBuilder(23).Input("q", IrDataType.Float, 1, 2, 4, 8).Input("k", IrDataType.Float, 1, 2, 6, 8).Input("v", IrDataType.Float, 1, 2, 6, 8)
            .Input("mask", IrDataType.Float, 4, 6)
            .Node("Attention", ["q", "k", "v", "mask"], ["y", "", "", "qk"], attrs: a => a.Int("qk_matmul_output_mode", mode).Float("softcap", 1.5f).Float("scale", 0.4f))
            .Output("y", IrDataType.Float, 1, 2, 4, 8).Output("qk", IrDataType.Float, 1, 2, 4, 6).Build();
        AssertMatchesOnnxRuntime(model, RandomInputs(model, seed: 32));
    }

    [TestMethod]
    public void NonPaddedKeyLengthsAreNamedAsUnsupported()
    {
        var model = new OnnxModelBuilder(24).Input("q", IrDataType.Float, 1, 2, 4, 8).Input("k", IrDataType.Float, 1, 2, 6, 8).Input("v", IrDataType.Float, 1, 2, 6, 8)
            .Input("lens", IrDataType.Int64, 1)
            .Node("Attention", ["q", "k", "v", "", "", "", "lens"], ["y"], name: "attn").Output("y", IrDataType.Float, 1, 2, 4, 8).Build();
        var e = AssertCode.Throws("MB3002", () => Conversion.ModelConverter.Convert(SaveModel(model), new Conversion.ConversionOptions()));
        StringAssert.Contains(e.Message, "nonpad_kv_seqlen");
        StringAssert.Contains(e.Message, "attn");
    }
}
