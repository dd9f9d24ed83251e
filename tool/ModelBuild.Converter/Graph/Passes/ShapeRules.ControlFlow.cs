namespace ModelBuild.Converter.Graph.Passes;

internal static partial class ShapeRules
{
    /// <summary>
    /// Loop: the final loop values have their initial values' types and the body's declared shapes (else only the
    /// initial values' ranks: sizes may change between iterations); scan outputs [iterations, body element shape].
    /// </summary>
    private static IReadOnlyList<OutputInfo>? Loop(Ctx c)
    {
        var n = c.N;
        if (!n.Attributes.TryGetValue("body", out var a) || a.Graph is not { } body)
        {
            return null;
        }

        int carried = n.ExplicitInputCount - 2;
        if (carried < 0 || body.Outputs.Count != n.Outputs.Count + 1)
        {
            return null;
        }

        var results = new List<OutputInfo>();
        for (var i = 0; i < n.Outputs.Count; i++)
        {
            var inner = body.Values.GetValueOrDefault(body.Outputs[1 + i]);
            if (i < carried)
            {
                var type = c.Type(2 + i) is var t && t != DataType.Undefined ? t : inner?.Type ?? DataType.Undefined;
                var shape = inner?.Shape ?? (c.Shape(2 + i) is { } s ? [.. s.Select(_ => Dim.Unknown())] : null);
                results.Add(new(type, shape));
            }
            else
            {
                results.Add(new(inner?.Type ?? DataType.Undefined, inner?.Shape is { } e ? [Dim.Unknown(), .. e] : null));
            }
        }

        return results;
    }

    /// <summary>
    /// If: each output has the branches' declared type, and their shape where both declare one of the same rank
    /// (dims that differ between the branches unknown).
    /// </summary>
    private static IReadOnlyList<OutputInfo>? If(Ctx c)
    {
        var n = c.N;
        if (!n.Attributes.TryGetValue("then_branch", out var t) || t.Graph is not { } then
            || !n.Attributes.TryGetValue("else_branch", out var e) || e.Graph is not { } otherwise
            || then.Outputs.Count != n.Outputs.Count || otherwise.Outputs.Count != n.Outputs.Count)
        {
            return null;
        }

        var results = new List<OutputInfo>();
        for (var i = 0; i < n.Outputs.Count; i++)
        {
            var a = then.Values.GetValueOrDefault(then.Outputs[i]);
            var b = otherwise.Values.GetValueOrDefault(otherwise.Outputs[i]);
            var type = a?.Type is { } ta && ta != DataType.Undefined ? ta : b?.Type ?? DataType.Undefined;
            Dim[]? shape = a?.Shape is { } sa && b?.Shape is { } sb && sa.Length == sb.Length
                ? [.. sa.Zip(sb, (x, y) => x.Value is { } vx && x.Value == y.Value ? Dim.Known(vx) : Dim.Unknown())]
                : null;
            results.Add(new(type, shape));
        }

        return results;
    }
}
