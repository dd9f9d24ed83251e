using ModelBuild.Converter.Tests.Infrastructure;
using ModelBuild.Runtime.Format.Schema;
using IrDataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Converter.Tests.Ops;

/// <summary>3-D MaxPool / AveragePool → Pooling3D, or per-axis gathers where Pooling3D cannot express them, compared with ONNX Runtime.</summary>
[TestClass]
public sealed class Pool3dOpTests : OpTestBase
{
    [TestMethod]
    [DataRow("MaxPool", 0L)]
    [DataRow("AveragePool", 0L)]
    [DataRow("MaxPool", 1L)]
    [DataRow("AveragePool", 1L)]
    public void Pool3d(string op, long pad)
    {
        var model = new OnnxModelBuilder(13).Input("x", IrDataType.Float, 1, 2, 5, 6, 7)
            .Node(op, ["x"], ["y"], attrs: a => a.Ints("kernel_shape", 2, 3, 2).Ints("strides", 1, 2, 2).Ints("pads", pad, pad, pad, pad, pad, pad))
            .Output("y", IrDataType.Float).Build();
        var result = AssertMatchesOnnxRuntime(model);
        Assert.IsTrue(result.Net.Oplists.Any(o => o.Type == OpType.Pooling3D));
    }

    /// <summary>What Pooling3D cannot express is written as per-axis gathers (PoolGatherLowering).</summary>
    [TestMethod]
    [DataRow("AveragePool", "ceil_mode")]
    [DataRow("AveragePool", "count_include_pad")]
    [DataRow("AveragePool", "uneven")]
    [DataRow("AveragePool", "dilations")]
    [DataRow("MaxPool", "ceil_mode")]
    [DataRow("MaxPool", "uneven")]
    [DataRow("MaxPool", "dilations")]
    [DataRow("MaxPool", "SAME_UPPER")]
    [DataRow("AveragePool", "SAME_LOWER")]
    public void PoolsBeyondPooling3dAreGathers(string op, string what)
    {
        var model = new OnnxModelBuilder(19).Input("x", IrDataType.Float, 1, 2, 5, 6, 7)
            .Node(op, ["x"], ["y"], attrs: a =>
            {
                a.Ints("kernel_shape", 2, 3, 2);
                _ = what switch
                {
                    "ceil_mode" => a.Int("ceil_mode", 1).Ints("strides", 2, 2, 2),
                    "count_include_pad" => a.Int("count_include_pad", 1).Ints("pads", 1, 1, 1, 1, 1, 1),
                    "uneven" => a.Ints("pads", 0, 0, 0, 1, 1, 1),
                    "SAME_UPPER" or "SAME_LOWER" => a.String("auto_pad", what).Ints("strides", 2, 2, 1),
                    _ => a.Ints("dilations", 2, 1, 3).Ints("pads", 1, 0, 1, 0, 2, 1),
                };
            })
            .Output("y", IrDataType.Float).Build();
        var result = AssertMatchesOnnxRuntime(model);
        Assert.IsFalse(result.Net.Oplists.Any(o => o.Type == OpType.Pooling3D));
    }

    /// <summary>Upstream's Pooling3D is wrong for batch &gt; 1 (its own files too), so a batch of two uses gathers.</summary>
    [TestMethod]
    public void BatchOfTwoUsesGathers()
    {
        var model = new OnnxModelBuilder(13).Input("x", IrDataType.Float, 2, 2, 4, 5, 6)
            .Node("MaxPool", ["x"], ["y"], attrs: a => a.Ints("kernel_shape", 2, 2, 2).Ints("strides", 2, 1, 2))
            .Output("y", IrDataType.Float).Build();
        var result = AssertMatchesOnnxRuntime(model);
        Assert.IsFalse(result.Net.Oplists.Any(o => o.Type == OpType.Pooling3D));
    }
}
