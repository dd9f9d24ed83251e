using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Runtime;

/// <summary>
/// Turns the <c>Blob</c> of every <c>Const</c> op into a runtime tensor, once per model. Float data stays
/// float32; every integer type (int32, int64 saturated to int32, uint8, int8, bool) becomes int32.
/// </summary>
internal static class ConstantTensors
{
    public static Tensor?[] Build(NetT net, GraphInfo graph)
    {
        var result = new Tensor?[graph.TensorCount];
        for (int i = 0; i < graph.Ops.Length; i++)
        {
            var op = graph.Ops[i];
            if (op.Type is not (OpType.Const or OpType.TrainableParam))
            {
                continue;
            }

            var outputs = graph.OpOutputs[i];
            if (outputs.Length != 1)
            {
                throw new ModelBuildException(ErrorCodes.MnnInvalidGraph, $"{graph.OpLabel(i)} must have exactly one output");
            }

            var blob = op.Main?.Value as BlobT
                ?? throw new ModelBuildException(ErrorCodes.MnnInvalidGraph, $"{graph.OpLabel(i)} has no Blob parameter");
            result[outputs[0]] = FromBlob(blob, graph.OpLabel(i));
        }

        return result;
    }

    public static Tensor FromBlob(BlobT blob, string where)
    {
        int[] dims = (blob.Dims ?? []).ToArray();
        if (dims.Any(d => d < 0))
        {
            throw new ModelBuildException(ErrorCodes.MnnInvalidGraph, $"{where}: constant has negative dimension [{string.Join(",", dims)}]");
        }

        if (dims.Length >= 3 && blob.DataFormat is MNN_DATA_FORMAT.NHWC or MNN_DATA_FORMAT.NHWC4)
        {
            throw new ModelBuildException(ErrorCodes.UnsupportedMnnOperator,
                $"{where}: constant in {blob.DataFormat} layout; only NCHW-layout models (converted from ONNX) are supported");
        }

        if (blob.External is { Count: > 0 })
        {
            throw new ModelBuildException(ErrorCodes.UnsupportedMnnOperator, $"{where}: constant stored in an external weight file is not supported");
        }

        int length;
        try
        {
            length = Tensor.ComputeLength(dims);
        }
        catch (ModelBuildException e)
        {
            throw new ModelBuildException(ErrorCodes.MnnInvalidGraph, $"{where}: {e.Message}", e);
        }

        switch (blob.DataType)
        {
            case DataType.DT_FLOAT:
                return Tensor.FromFloats(Check(blob.Float32s, length, dims, where), dims);
            case DataType.DT_INT32 or DataType.DT_BOOL when blob.Int32s is { Count: > 0 } || length == 0:
                return Tensor.FromInts(Check(blob.Int32s, length, dims, where), dims);
            case DataType.DT_INT64 when blob.Int64s is { Count: > 0 }:
                return Tensor.FromInts(Check(blob.Int64s, length, dims, where).Select(Saturate).ToArray(), dims);
            case DataType.DT_INT64 or DataType.DT_BOOL:
                return Tensor.FromInts(Check(blob.Int32s, length, dims, where), dims);
            case DataType.DT_UINT8:
                return Tensor.FromInts(Check(blob.Uint8s, length, dims, where).Select(b => (int)b).ToArray(), dims);
            case DataType.DT_INT8:
                return Tensor.FromInts(Check(blob.Int8s, length, dims, where).Select(b => (int)b).ToArray(), dims);
            default:
                throw new ModelBuildException(ErrorCodes.UnsupportedDataType, $"{where}: constant of data type {blob.DataType} is not supported");
        }
    }

    private static int Saturate(long v) => v > int.MaxValue ? int.MaxValue : v < int.MinValue ? int.MinValue : (int)v;

    private static T[] Check<T>(List<T>? data, int length, int[] dims, string where)
    {
        int count = data?.Count ?? 0;
        if (count != length)
        {
            throw new ModelBuildException(ErrorCodes.MnnInvalidGraph,
                $"{where}: constant has {count} values but shape [{string.Join(",", dims)}] needs {length}");
        }

        return data is null ? [] : [.. data];
    }
}
