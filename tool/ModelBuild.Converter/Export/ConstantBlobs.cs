using ModelBuild.Converter.Graph;
using ModelBuild.Runtime.Format.Schema;
using MnnDataType = ModelBuild.Runtime.Format.Schema.DataType;

namespace ModelBuild.Converter.Export;

/// <summary>
/// Builds MNN <c>Blob</c> parameters of Const ops. As upstream MNNConvert does, float types are stored as float32
/// and every integer type and bool as int32 (values outside the int32 range are rejected, never wrapped).
/// </summary>
internal static class ConstantBlobs
{
    public static BlobT Floats(float[] values, int[] dims) => new()
    {
        DataType = MnnDataType.DT_FLOAT,
        DataFormat = MNN_DATA_FORMAT.NCHW,
        Dims = [.. dims],
        Float32s = [.. values],
    };

    public static BlobT Ints(int[] values, int[] dims) => new()
    {
        DataType = MnnDataType.DT_INT32,
        DataFormat = MNN_DATA_FORMAT.NCHW,
        Dims = [.. dims],
        Int32s = [.. values],
    };

    public static BlobT FromTensorData(TensorData data, string name)
    {
        var dims = Dims(data.Shape, name);
        if (data.Floats is { } f)
        {
            return Floats(f, dims);
        }

        return Ints(ToInt32(data.Ints!, name), dims);
    }

    public static int[] Dims(IReadOnlyList<long> shape, string name)
    {
        var dims = new int[shape.Count];
        for (var i = 0; i < dims.Length; i++)
        {
            if (shape[i] is < 0 or > int.MaxValue)
            {
                throw new ModelBuildException(ErrorCodes.UnsupportedDataType, $"constant '{name}' has dimension {shape[i]}, outside what MNN can store");
            }

            dims[i] = (int)shape[i];
        }

        return dims;
    }

    /// <summary>int64 → int32 with a range check (MNN stores integer tensors as int32).</summary>
    public static int[] ToInt32(IReadOnlyList<long> values, string name)
    {
        var result = new int[values.Count];
        for (var i = 0; i < result.Length; i++)
        {
            var v = values[i];
            if (v is < int.MinValue or > int.MaxValue)
            {
                throw new ModelBuildException(ErrorCodes.UnsupportedDataType,
                    $"constant '{name}' holds {v} at element {i}, outside the int32 range MNN stores integers in");
            }

            result[i] = (int)v;
        }

        return result;
    }

    /// <summary>
    /// int64 → int32 for slice bounds, where ONNX uses INT64_MAX/MIN as "to the end": those clamp to the int32 range
    /// (same meaning, since no MNN dimension exceeds int32).
    /// </summary>
    public static int[] ClampToInt32(IReadOnlyList<long> values) =>
        values.Select(v => (int)Math.Clamp(v, int.MinValue, int.MaxValue)).ToArray();
}
