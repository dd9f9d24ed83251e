using ModelBuild.Converter.Graph;
using ModelBuild.Runtime;

namespace ModelBuild.Converter.Conversion;

/// <summary>
/// Moves tensors between the converter's IR (<see cref="TensorData"/>, as read from ONNX TensorProto files) and the
/// runtime (<see cref="Tensor"/>). The runtime computes in float32 and int32 only, as MNN does: every float type
/// becomes Float32, every integer type and bool becomes Int32 (values outside the int32 range are rejected rather
/// than silently wrapped).
/// </summary>
public static class TensorBridge
{
    /// <summary>True for the IR types the runtime holds as Float32.</summary>
    public static bool IsFloatType(DataType type) =>
        type is DataType.Float or DataType.Double or DataType.Float16 or DataType.BFloat16;

    /// <summary>The runtime element type an IR type maps to; MB3004 for strings, complex and undefined types.</summary>
    public static TensorElementType ToRuntimeType(DataType type, string name)
    {
        if (IsFloatType(type))
        {
            return TensorElementType.Float32;
        }

        return type switch
        {
            DataType.Int8 or DataType.UInt8 or DataType.Int16 or DataType.UInt16 or DataType.Int32
                or DataType.UInt32 or DataType.Int64 or DataType.UInt64 or DataType.Bool => TensorElementType.Int32,
            _ => throw new ModelBuildException(ErrorCodes.UnsupportedDataType, $"tensor '{name}' has element type {type}, which the runtime cannot hold (float and integer types only)"),
        };
    }

    /// <summary>Runtime dims from IR dims; MB4004 when a dim does not fit an int.</summary>
    public static int[] ToRuntimeShape(IReadOnlyList<long> shape, string name)
    {
        var dims = new int[shape.Count];
        for (var i = 0; i < dims.Length; i++)
        {
            if (shape[i] < 0 || shape[i] > int.MaxValue)
            {
                throw new ModelBuildException(ErrorCodes.RuntimeInvalidShape, $"tensor '{name}' has dimension {shape[i]} (axis {i}), outside what the runtime supports");
            }

            dims[i] = (int)shape[i];
        }

        return dims;
    }

    /// <summary>
    /// Copies IR data into a new runtime tensor. Float types → Float32; integer and bool types → Int32, with
    /// MB3004 when a value does not fit int32 (MNN stores int64 as int32).
    /// </summary>
    public static Tensor ToRuntime(TensorData data, string name)
    {
        ArgumentNullException.ThrowIfNull(data);
        var shape = ToRuntimeShape(data.Shape, name);
        var type = ToRuntimeType(data.Type, name);
        if (type == TensorElementType.Float32)
        {
            return Tensor.FromFloats(data.ToFloatArray(), shape);
        }

        var source = data.Ints ?? data.ToLongArray();
        var ints = new int[source.Length];
        for (var i = 0; i < ints.Length; i++)
        {
            var v = source[i];
            if (v < int.MinValue || v > int.MaxValue)
            {
                throw new ModelBuildException(ErrorCodes.UnsupportedDataType, $"tensor '{name}' ({data.Type}) holds {v} at element {i}, outside the int32 range the runtime computes in");
            }

            ints[i] = (int)v;
        }

        return Tensor.FromInts(ints, shape);
    }

    /// <summary>
    /// Copies a runtime tensor into IR data. <paramref name="type"/> chooses the IR element type (e.g. the ONNX
    /// type of the output, so int64 outputs are written as int64); null keeps the runtime's own type
    /// (Float or Int32). A float tensor can only become a float type and an int tensor an integer or bool type.
    /// </summary>
    public static TensorData ToIr(Tensor tensor, DataType? type = null, string name = "")
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var shape = tensor.Shape.Select(d => (long)d).ToArray();
        if (tensor.ElementType == TensorElementType.Float32)
        {
            var target = type is { } t && IsFloatType(t) ? t : DataType.Float;
            if (type is { } requested && !IsFloatType(requested))
            {
                throw new ModelBuildException(ErrorCodes.RuntimeTypeMismatch, $"tensor '{name}' is Float32 in the runtime but {requested} was expected");
            }

            return new TensorData(target, shape, tensor.Floats.ToArray());
        }

        var intTarget = type ?? DataType.Int32;
        if (IsFloatType(intTarget) || ToRuntimeType(intTarget, name) != TensorElementType.Int32)
        {
            throw new ModelBuildException(ErrorCodes.RuntimeTypeMismatch, $"tensor '{name}' is Int32 in the runtime but {intTarget} was expected");
        }

        var ints = tensor.Ints;
        var longs = new long[ints.Length];
        for (var i = 0; i < longs.Length; i++)
        {
            longs[i] = intTarget == DataType.Bool ? (ints[i] != 0 ? 1 : 0) : ints[i];
        }

        return new TensorData(intTarget, shape, longs);
    }

    /// <summary>Every element as double (float or int storage), for comparisons.</summary>
    public static double[] ToDoubles(Tensor tensor) =>
        tensor.ElementType == TensorElementType.Float32
            ? tensor.Floats.ToArray().Select(f => (double)f).ToArray()
            : tensor.Ints.ToArray().Select(i => (double)i).ToArray();

    /// <summary>Every element as double, whatever the IR storage.</summary>
    public static double[] ToDoubles(TensorData data) =>
        data.Floats is { } f ? f.Select(x => (double)x).ToArray() : data.Ints!.Select(x => (double)x).ToArray();
}
