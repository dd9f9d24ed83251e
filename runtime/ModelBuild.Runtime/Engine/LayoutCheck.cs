using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Runtime;

/// <summary>
/// The runtime computes every tensor in logical NCHW order (see DESIGN.md). Files from TensorFlow/TFLite/Caffe
/// converters can declare NHWC data, which would need real transposes; rather than compute wrong values, such
/// models are rejected when a session is created (MB3003). NC4HW4 is a memory-layout flag only and is accepted.
/// </summary>
internal static class LayoutCheck
{
    public static void Check(GraphInfo graph)
    {
        for (int i = 0; i < graph.Ops.Length; i++)
        {
            var op = graph.Ops[i];
            switch (op.Main?.Value)
            {
                case InputT input when IsNhwc(input.Dformat) && (input.Dims is null || input.Dims.Count >= 3):
                    throw Reject(graph, i, $"declares its input in {input.Dformat} layout");
                case TensorConvertInfoT convert when IsNhwc(convert.Source) || IsNhwc(convert.Dest):
                    throw Reject(graph, i, $"converts {convert.Source} to {convert.Dest}");
                case ReshapeT reshape when IsNhwc(reshape.DimType):
                    throw Reject(graph, i, $"reshapes in {reshape.DimType} order");
            }
        }
    }

    private static bool IsNhwc(MNN_DATA_FORMAT f) => f is MNN_DATA_FORMAT.NHWC or MNN_DATA_FORMAT.NHWC4;

    private static ModelBuildException Reject(GraphInfo graph, int op, string what) =>
        new(ErrorCodes.UnsupportedMnnOperator,
            $"{graph.OpLabel(op)} {what}; only NCHW-layout models (as converted from ONNX) are supported");
}
