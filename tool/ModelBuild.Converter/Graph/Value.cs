namespace ModelBuild.Converter.Graph;

/// <summary>
/// A named tensor flowing between nodes (ONNX value name). Shape is null when even the rank is unknown.
/// A value with <see cref="Constant"/> set is an initializer or a folded result.
/// </summary>
public sealed class Value
{
    public Value(string name)
    {
        Name = name;
    }

    public string Name { get; }

    public DataType Type { get; set; } = DataType.Undefined;

    public Dim[]? Shape { get; set; }

    public TensorData? Constant { get; set; }

    public bool IsConstant => Constant is not null;

    public int? Rank => Shape?.Length;

    /// <summary>True when every dim is a known number.</summary>
    public bool HasStaticShape => Shape is not null && Shape.All(d => d.IsKnown);

    public long[]? StaticShape => HasStaticShape ? Shape!.Select(d => d.Value!.Value).ToArray() : null;

    public override string ToString() => $"{Name}:{Type}[{(Shape is null ? "?" : string.Join(",", Shape))}]";
}
