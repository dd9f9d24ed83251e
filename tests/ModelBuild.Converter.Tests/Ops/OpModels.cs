using ModelBuild.Converter.Onnx.Proto;
using ModelBuild.Converter.Tests.Infrastructure;
using IrDataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Converter.Tests.Ops;

/// <summary>Tiny ONNX models for op tests.</summary>
public static class OpModels
{
    /// <summary>x → op → y, with optional extra initializer inputs after x.</summary>
    public static ModelProto Unary(string opType, long[] shape, int opset = 13, Action<AttributeBuilder>? attrs = null, params (string Name, float[] Data, long[] Dims)[] initializers)
    {
        var b = new OnnxModelBuilder(opset).Input("x", IrDataType.Float, shape.Cast<object?>().ToArray());
        foreach (var (name, data, dims) in initializers)
        {
            b.Initializer(name, data, dims);
        }

        return b.Node(opType, ["x", .. initializers.Select(i => i.Name)], ["y"], attrs: attrs)
            .Output("y", IrDataType.Float)
            .Build();
    }

    /// <summary>a, b → op → y (both runtime inputs).</summary>
    public static ModelProto Binary(string opType, long[] shapeA, long[] shapeB, int opset = 13, IrDataType type = IrDataType.Float, IrDataType outType = IrDataType.Float) =>
        new OnnxModelBuilder(opset)
            .Input("a", type, shapeA.Cast<object?>().ToArray())
            .Input("b", type, shapeB.Cast<object?>().ToArray())
            .Node(opType, ["a", "b"], ["y"])
            .Output("y", outType)
            .Build();

    public static object?[] Dims(params long[] dims) => dims.Cast<object?>().ToArray();
}
