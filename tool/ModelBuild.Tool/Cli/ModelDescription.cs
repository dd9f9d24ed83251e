using System.Globalization;
using System.Text.Json;

namespace ModelBuild.Tool.Cli;

/// <summary>One dimension: a number, a symbolic name (ONNX dim_param), or unknown (both null).</summary>
internal readonly record struct Dim(long? Value, string? Symbol)
{
    public override string ToString() => Value?.ToString(CultureInfo.InvariantCulture) ?? Symbol ?? "?";
}

/// <summary>A graph input or output: name, element type, dimensions (null when the rank is unknown).</summary>
internal sealed record ValueDescription(string Name, string Type, Dim[]? Shape)
{
    public string ShapeText => Shape is null ? "?" : $"[{string.Join(",", Shape)}]";
}

/// <summary>What <c>inspect</c> found, printed as text or as one JSON object (<c>--json</c>).</summary>
internal sealed class ModelDescription
{
    public required string Path { get; init; }

    /// <summary><c>onnx</c> or <c>mnn</c>.</summary>
    public required string Format { get; init; }

    public required string FormatLine { get; init; }

    public long? IrVersion { get; init; }

    public string? Producer { get; init; }

    public IReadOnlyList<(string Domain, long Version)>? Opsets { get; init; }

    public string? BizCode { get; init; }

    public int? Tensors { get; init; }

    public required IReadOnlyList<ValueDescription> Inputs { get; init; }

    public required IReadOnlyList<ValueDescription> Outputs { get; init; }

    /// <summary>Where the output shapes come from and why any dimension is still <c>?</c> (null: all declared).</summary>
    public string? OutputShapeNote { get; init; }

    public int? Initializers { get; init; }

    public long? WeightValues { get; init; }

    /// <summary>Op type of every node, in graph order.</summary>
    public required IReadOnlyList<string> Ops { get; init; }

    /// <summary>Op types by count (most frequent first, then by name).</summary>
    public List<(string Op, int Count)> OpCounts() => [.. Ops.GroupBy(x => x, StringComparer.Ordinal)
        .Select(g => (Op: g.Key, Count: g.Count()))
        .OrderByDescending(x => x.Count).ThenBy(x => x.Op, StringComparer.Ordinal)];

    public void WriteText(TextWriter o)
    {
        o.WriteLine($"model:    {Path}");
        o.WriteLine($"format:   {FormatLine}");
        if (Opsets is not null)
        {
            o.WriteLine($"producer: {Producer ?? "(none)"}");
            var opsets = string.Join(", ", Opsets.Select(i => $"{i.Domain} {i.Version}"));
            o.WriteLine($"opsets:   {(opsets.Length == 0 ? "(none)" : opsets)}");
        }

        WriteSection(o, "inputs", Inputs);
        WriteSection(o, "outputs", Outputs);
        if (OutputShapeNote is { } note)
        {
            o.WriteLine($"  ({note})");
        }

        if (Initializers is { } count)
        {
            o.WriteLine($"initializers: {count} ({WeightValues:N0} values)");
        }

        var counts = OpCounts();
        o.WriteLine($"ops: {Ops.Count} nodes, {counts.Count} types");
        var width = counts.Count == 0 ? 0 : counts.Max(c => c.Op.Length);
        foreach (var (op, n) in counts)
        {
            o.WriteLine($"  {op.PadRight(width)}  {n}");
        }
    }

    public void WriteJson(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("model", Path);
        w.WriteString("format", Format);
        if (IrVersion is { } ir)
        {
            w.WriteNumber("irVersion", ir);
            w.WriteString("producer", Producer);
            w.WriteStartArray("opsets");
            foreach (var (domain, version) in Opsets ?? [])
            {
                w.WriteStartObject();
                w.WriteString("domain", domain);
                w.WriteNumber("version", version);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        if (BizCode is not null)
        {
            w.WriteString("bizCode", BizCode);
            w.WriteNumber("tensors", Tensors ?? 0);
        }

        WriteValues(w, "inputs", Inputs);
        WriteValues(w, "outputs", Outputs);
        w.WriteString("outputShapeNote", OutputShapeNote);
        if (Initializers is { } count)
        {
            w.WriteNumber("initializers", count);
            w.WriteNumber("weightValues", WeightValues ?? 0);
        }

        w.WriteNumber("nodes", Ops.Count);
        w.WriteStartObject("ops");
        foreach (var (op, n) in OpCounts())
        {
            w.WriteNumber(op, n);
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>Shapes as arrays of numbers, symbolic names (strings) and nulls (unknown); null when the rank is unknown.</summary>
    internal static void WriteShape(Utf8JsonWriter w, string name, IEnumerable<Dim>? shape)
    {
        if (shape is null)
        {
            w.WriteNull(name);
            return;
        }

        w.WriteStartArray(name);
        foreach (var d in shape)
        {
            if (d.Value is { } v)
            {
                w.WriteNumberValue(v);
            }
            else if (d.Symbol is { } s)
            {
                w.WriteStringValue(s);
            }
            else
            {
                w.WriteNullValue();
            }
        }

        w.WriteEndArray();
    }

    private static void WriteValues(Utf8JsonWriter w, string name, IReadOnlyList<ValueDescription> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteStartObject();
            w.WriteString("name", v.Name);
            w.WriteString("type", v.Type);
            WriteShape(w, "shape", v.Shape);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static void WriteSection(TextWriter o, string title, IReadOnlyList<ValueDescription> rows)
    {
        o.WriteLine($"{title}: {rows.Count}");
        var nameWidth = rows.Count == 0 ? 0 : rows.Max(r => r.Name.Length);
        var typeWidth = rows.Count == 0 ? 0 : rows.Max(r => r.Type.Length);
        foreach (var r in rows)
        {
            o.WriteLine($"  {r.Name.PadRight(nameWidth)}  {r.Type.PadRight(typeWidth)}  {r.ShapeText}");
        }
    }
}
