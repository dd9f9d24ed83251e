using System.Globalization;
using ModelBuild.Converter.Graph;

namespace ModelBuild.Converter.Parity.Inputs;

public enum DistributionKind
{
    Normal,
    Uniform,
    Image,
    Integer,
}

/// <summary>
/// How generated values of one input are drawn: <c>normal(mean,std)</c>, <c>uniform(lo,hi)</c>,
/// <c>image</c> / <c>image(lo,hi)</c> (a smooth random picture, default 0..255) or <c>int(lo,hi)</c> (inclusive).
/// </summary>
public sealed record InputDistribution(DistributionKind Kind, double A, double B)
{
    /// <summary>Float inputs default to normal(0,1): never constant, so normalizations see real variance.</summary>
    public static InputDistribution DefaultFloat { get; } = new(DistributionKind.Normal, 0, 1);

    /// <summary>Integer inputs default to int(0,9); declare the real range with --input-dist NAME=int(lo,hi).</summary>
    public static InputDistribution DefaultInteger { get; } = new(DistributionKind.Integer, 0, 9);

    public static InputDistribution Default(DataType type) =>
        Conversion.TensorBridge.IsFloatType(type) ? DefaultFloat : DefaultInteger;

    public override string ToString() => Kind switch
    {
        DistributionKind.Normal => $"normal({F(A)},{F(B)})",
        DistributionKind.Uniform => $"uniform({F(A)},{F(B)})",
        DistributionKind.Image => $"image({F(A)},{F(B)})",
        _ => $"int({F(A)},{F(B)})",
    };

    /// <summary>Parses "NAME=dist" into the table; MB5001 on bad syntax.</summary>
    public static void ParseAssignment(string text, IDictionary<string, InputDistribution> table)
    {
        var eq = text.IndexOf('=');
        if (eq <= 0 || eq == text.Length - 1)
        {
            throw Bad(text, "expected NAME=normal(mean,std) | uniform(lo,hi) | image | int(lo,hi)");
        }

        table[text[..eq].Trim()] = Parse(text[(eq + 1)..]);
    }

    public static InputDistribution Parse(string text)
    {
        var t = text.Trim().ToLowerInvariant();
        var open = t.IndexOf('(');
        var name = open < 0 ? t : t[..open].Trim();
        double[] args = [];
        if (open >= 0)
        {
            if (!t.EndsWith(')'))
            {
                throw Bad(text, "missing ')'");
            }

            var inner = t[(open + 1)..^1];
            args = inner.Length == 0 ? [] : inner.Split(',').Select(a => Number(a, text)).ToArray();
        }

        (DistributionKind kind, double a, double b) = name switch
        {
            "normal" or "gaussian" => (DistributionKind.Normal, Arg(args, 0, 0), Arg(args, 1, 1)),
            "uniform" => (DistributionKind.Uniform, Arg(args, 0, 0), Arg(args, 1, 1)),
            "image" => (DistributionKind.Image, Arg(args, 0, 0), Arg(args, 1, 255)),
            "int" or "integer" => (DistributionKind.Integer, Arg(args, 0, 0), Arg(args, 1, 9)),
            _ => throw Bad(text, $"unknown distribution '{name}' (normal, uniform, image, int)"),
        };
        if (args.Length > 2)
        {
            throw Bad(text, "at most two parameters");
        }

        if (kind == DistributionKind.Normal ? b <= 0 : b <= a)
        {
            throw Bad(text, kind == DistributionKind.Normal ? "std must be positive" : "the upper bound must exceed the lower bound");
        }

        if (kind == DistributionKind.Integer && (a != Math.Floor(a) || b != Math.Floor(b)))
        {
            throw Bad(text, "integer bounds must be whole numbers");
        }

        return new InputDistribution(kind, a, b);
    }

    private static double Arg(double[] args, int i, double fallback) => i < args.Length ? args[i] : fallback;

    private static double Number(string s, string text) =>
        double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v)
            ? v
            : throw Bad(text, $"'{s.Trim()}' is not a number");

    private static string F(double v) => v.ToString("G6", CultureInfo.InvariantCulture);

    private static ModelBuildException Bad(string text, string why) =>
        new(ErrorCodes.UsageError, $"invalid input distribution '{text}': {why}");
}
