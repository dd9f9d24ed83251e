namespace ModelBuild.Converter.Graph;

/// <summary>
/// An immutable constant tensor held by the IR (initializers, folded values). Storage is one typed array:
/// float for Float/Float16/BFloat16/Double (widened or narrowed to float32, as MNN stores them), long for every
/// integer type and Bool (0/1). Strings are not supported by MNN and are rejected at import.
/// </summary>
public sealed class TensorData
{
    public TensorData(DataType type, long[] shape, float[] floats)
    {
        Type = type;
        Shape = shape;
        Floats = floats;
        Check(floats.Length);
    }

    public TensorData(DataType type, long[] shape, long[] ints)
    {
        Type = type;
        Shape = shape;
        Ints = ints;
        Check(ints.Length);
    }

    public DataType Type { get; }

    public long[] Shape { get; }

    /// <summary>Element data when <see cref="IsFloat"/>; do not mutate.</summary>
    public float[]? Floats { get; }

    /// <summary>Element data for integer and bool types; do not mutate.</summary>
    public long[]? Ints { get; }

    public bool IsFloat => Floats is not null;

    public long ElementCount => Floats?.Length ?? Ints!.Length;

    public static TensorData Scalar(float v) => new(DataType.Float, [], [v]);

    public static TensorData Scalar(long v, DataType type = DataType.Int64) => new(type, [], [v]);

    public static TensorData Vector(long[] values, DataType type = DataType.Int64) => new(type, [values.LongLength], values);

    public static TensorData Vector(float[] values) => new(DataType.Float, [values.LongLength], values);

    /// <summary>Element i as double, whatever the storage.</summary>
    public double GetDouble(long i) => Floats is not null ? Floats[i] : Ints![i];

    /// <summary>Element i as long (floats truncated toward zero).</summary>
    public long GetLong(long i) => Ints is not null ? Ints[i] : (long)Floats![i];

    public long[] ToLongArray() => Ints is not null ? (long[])Ints.Clone() : Floats!.Select(f => (long)f).ToArray();

    public float[] ToFloatArray() => Floats is not null ? (float[])Floats.Clone() : Ints!.Select(i => (float)i).ToArray();

    private void Check(long count)
    {
        long expected = 1;
        foreach (var d in Shape)
        {
            if (d < 0)
            {
                throw new ModelBuildException(ErrorCodes.OnnxInvalidTensor, $"negative dimension {d} in a constant tensor");
            }

            expected = checked(expected * d);
        }

        if (expected != count)
        {
            throw new ModelBuildException(ErrorCodes.OnnxInvalidTensor, $"constant tensor has {count} elements but its shape [{string.Join(",", Shape)}] needs {expected}");
        }
    }
}
