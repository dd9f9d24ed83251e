namespace ModelBuild.Converter.Graph;

/// <summary>Element type names as users see them in ONNX tools and NumPy: float32, float64, int64, uint8, bool...</summary>
public static class DataTypeNames
{
    public static string Of(DataType type) => type switch
    {
        DataType.Float => "float32",
        DataType.Double => "float64",
        DataType.Float16 => "float16",
        DataType.BFloat16 => "bfloat16",
        DataType.Undefined => "?",
        _ => type.ToString().ToLowerInvariant(),
    };
}
