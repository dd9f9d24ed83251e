using System.Globalization;

namespace ModelBuild.Converter.Onnx;

/// <summary>Options of <see cref="OnnxImporter"/>.</summary>
public sealed class OnnxImportOptions
{
    /// <summary>Shapes that replace the declared shapes of graph inputs (by input name).</summary>
    public IDictionary<string, long[]> InputShapes { get; init; } = new Dictionary<string, long[]>(StringComparer.Ordinal);

    /// <summary>Largest dimension an input shape may fix (the runtime indexes tensors with int).</summary>
    public const long MaxDimension = int.MaxValue;

    /// <summary>
    /// Parses "NAME=1x3x224x224" (also "NAME=1,3,224,224"); MB1012 on bad syntax and on dimensions outside
    /// 1..<see cref="MaxDimension"/> (a fixed input shape is a real tensor size: 0 would make every tensor empty).
    /// </summary>
    public static KeyValuePair<string, long[]> ParseInputShape(string text)
    {
        var eq = text.LastIndexOf('=');
        if (eq <= 0 || eq == text.Length - 1)
        {
            throw Bad(text, "expected NAME=D1xD2x...");
        }

        var name = text[..eq].Trim();
        var parts = text[(eq + 1)..].Split(['x', 'X', ','], StringSplitOptions.TrimEntries);
        var dims = new long[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!long.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out dims[i]))
            {
                throw Bad(text, $"'{parts[i]}' is not a non-negative integer dimension");
            }

            if (dims[i] < 1 || dims[i] > MaxDimension)
            {
                throw Bad(text, $"axis {i} is {dims[i]}; each dimension must be between 1 and {MaxDimension}");
            }
        }

        if (name.Length == 0)
        {
            throw Bad(text, "the input name is empty");
        }

        return new(name, dims);
    }

    private static ModelBuildException Bad(string text, string why) =>
        new(ErrorCodes.InvalidInputShapeOption, $"invalid input shape '{text}': {why}");
}
