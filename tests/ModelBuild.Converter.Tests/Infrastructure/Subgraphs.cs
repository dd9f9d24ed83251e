using ModelBuild.Converter.Onnx.Proto;
using IrDataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Converter.Tests.Infrastructure;

/// <summary>If/Loop bodies for tests: a graph built with <see cref="OnnxModelBuilder"/> with float outputs.</summary>
public static class Subgraphs
{
    public static GraphProto Branch(Action<OnnxModelBuilder> build, params string[] outputs)
    {
        var b = new OnnxModelBuilder(13, graphName: "branch");
        build(b);
        foreach (var o in outputs)
        {
            b.Output(o, IrDataType.Float);
        }

        return b.Build().Graph;
    }

    /// <summary>A body whose inputs and outputs (with their types) <paramref name="build"/> declares itself (Loop, Scan).</summary>
    public static GraphProto Body(Action<OnnxModelBuilder> build)
    {
        var b = new OnnxModelBuilder(13, graphName: "body");
        build(b);
        return b.Build().Graph;
    }
}
