namespace ModelBuild.Converter.Graph;

/// <summary>
/// One dimension of a shape: a known size, or a symbol (ONNX dim_param, or null for an anonymous unknown).
/// Symbolic dims stay open through conversion; the runtime resolves them from actual inputs.
/// </summary>
public readonly record struct Dim(long? Value, string? Symbol = null)
{
    public bool IsKnown => Value.HasValue;

    public static Dim Known(long value) => new(value);

    public static Dim Unknown(string? symbol = null) => new(null, symbol);

    public override string ToString() => Value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? Symbol ?? "?";
}
