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
}
