using ModelBuild.Converter.Tests.Infrastructure;
using ModelBuild.Runtime.Format.Schema;
using IrDataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Converter.Tests.Ops;

/// <summary>3-D MaxPool / AveragePool → Pooling3D, compared with ONNX Runtime; what Pool3D cannot express is MB3002.</summary>
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

    [TestMethod]
    [DataRow("ceil_mode", "ceil_mode=1")]
    [DataRow("count_include_pad", "count_include_pad=1")]
    [DataRow("uneven", "3-D pads")]
    [DataRow("dilations", "dilations")]
    public void Unexpressible3dPoolsAreMB3002(string what, string message)
    {
        var model = new OnnxModelBuilder(19).Input("x", IrDataType.Float, 1, 1, 4, 4, 4)
            .Node("AveragePool", ["x"], ["y"], attrs: a =>
            {
                a.Ints("kernel_shape", 2, 2, 2);
                _ = what switch
                {
                    "ceil_mode" => a.Int("ceil_mode", 1),
                    "count_include_pad" => a.Int("count_include_pad", 1).Ints("pads", 1, 1, 1, 1, 1, 1),
                    "uneven" => a.Ints("pads", 0, 0, 0, 1, 1, 1),
                    _ => a.Ints("dilations", 2, 2, 2),
                };
            })
            .Output("y", IrDataType.Float).Build();
        var e = AssertCode.Throws("MB3002", () => Conversion.ModelConverter.Convert(SaveModel(model), new Conversion.ConversionOptions()));
        StringAssert.Contains(e.Message, message);
    }
}
