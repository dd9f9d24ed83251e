using System.Globalization;

namespace ModelBuild.Converter.Parity.Inputs;

/// <summary>
/// How a PNG/JPEG sample becomes an input tensor: bilinear resize to the input's H×W, channel order, then
/// value = (pixel·Scale − Mean[c]) / Std[c], laid out NCHW (or NHWC).
/// </summary>
public sealed record ImagePreprocessing
{
    /// <summary>Blue-green-red channel order (Caffe-style models).</summary>
    public bool Bgr { get; init; }

    /// <summary>Multiplies 0..255 pixels first (e.g. 1/255).</summary>
    public double Scale { get; init; } = 1;

    public double[] Mean { get; init; } = [0, 0, 0];

    public double[] Std { get; init; } = [1, 1, 1];

    /// <summary>Channels-last layout [N,H,W,C] instead of [N,C,H,W].</summary>
    public bool Nhwc { get; init; }

    /// <summary>Parses "a,b,c" (or one value for every channel); MB5001 otherwise.</summary>
    public static double[] ParseTriple(string text, string what)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var values = parts.Select(p => double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v)
            ? v
            : throw new ModelBuildException(ErrorCodes.UsageError, $"invalid {what} '{text}': '{p}' is not a number")).ToArray();
        return values.Length switch
        {
            1 => [values[0], values[0], values[0]],
            3 => values,
            _ => throw new ModelBuildException(ErrorCodes.UsageError, $"invalid {what} '{text}': give one value or three (R,G,B)"),
        };
    }

    public override string ToString() =>
        $"{(Bgr ? "BGR" : "RGB")}, scale {Scale.ToString(CultureInfo.InvariantCulture)}, mean [{string.Join(",", Mean.Select(m => m.ToString(CultureInfo.InvariantCulture)))}], std [{string.Join(",", Std.Select(m => m.ToString(CultureInfo.InvariantCulture)))}], {(Nhwc ? "NHWC" : "NCHW")}";
}
