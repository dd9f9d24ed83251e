using ModelBuild.Converter.Graph;
using ModelBuild.Runtime;

namespace ModelBuild.Converter.Conversion;

/// <summary>
/// Which element types a tensor file may have for a model input; shared by <c>run</c> and the parity gate
/// (<c>check --inputs</c>) so both accept the same files. An input whose ONNX type is known takes exactly that type,
/// as ONNX Runtime does (no silent float64 → float32 narrowing, no int64 → float conversion). An input known only
/// from an <c>.mnn</c> file takes float32 for a Float32 input and any integer or bool type for an Int32 input (MNN
/// stores ONNX int64 and bool inputs as int32). Mismatches are MB4005, naming the file, the input and both types.
/// </summary>
public static class InputTypeRules
{
    /// <summary>MB4005 unless <paramref name="actual"/> equals the input's declared ONNX type.</summary>
    public static void RequireOnnxType(DataType actual, DataType declared, string input, string source)
    {
        if (actual != declared)
        {
            throw Mismatch(source, input, DataTypeNames.Of(declared), actual);
        }
    }

    /// <summary>MB4005 unless <paramref name="actual"/> is what an .mnn input of <paramref name="declared"/> takes.</summary>
    public static void RequireRuntimeType(DataType actual, TensorElementType declared, string input, string source)
    {
        var ok = declared == TensorElementType.Float32
            ? actual == DataType.Float
            : !TensorBridge.IsFloatType(actual) && actual is not (DataType.Undefined or DataType.String or DataType.Complex64 or DataType.Complex128);
        if (!ok)
        {
            throw Mismatch(source, input, declared == TensorElementType.Float32 ? "float32" : "an integer or bool type (held as int32)", actual);
        }
    }

    private static ModelBuildException Mismatch(string source, string input, string expected, DataType actual) =>
        new(ErrorCodes.RuntimeTypeMismatch, $"{source}: input '{input}' expects {expected}, but the file holds {DataTypeNames.Of(actual)}{Hint(expected, actual)}");

    private static string Hint(string expected, DataType actual) =>
        expected == "float32" && TensorBridge.IsFloatType(actual) ? " (convert the data to float32, e.g. numpy's .astype(numpy.float32))" : "";
}
