namespace ModelBuild.Converter.Graph.Passes;

/// <summary>Shape rules of OneHot, GridSample and Einsum (the other indexing ops keep their data input's shape).</summary>
internal static partial class ShapeRules
{
    /// <summary>indices' shape with depth inserted at axis (depth known when its input is constant).</summary>
    private static Dim[]? OneHot(Ctx c)
    {
        if (c.Shape(0) is not { } indices)
        {
            return null;
        }

        var depth = c.Const(1) is { ElementCount: 1 } d ? Dim.Known((long)d.GetDouble(0)) : Dim.Unknown();
        var axis = c.Axis(c.N.GetInt("axis", -1), indices.Length + 1);
        return [.. indices[..axis], depth, .. indices[axis..]];
    }

    /// <summary>[N, C] of the input followed by the grid's spatial dims ([N, D1.., Dr, r]).</summary>
    private static Dim[]? GridSample(Ctx c)
    {
        if (c.Shape(0) is not { Length: >= 3 } x || c.Shape(1) is not { Length: >= 3 } grid)
        {
            return null;
        }

        return [x[0], x[1], .. grid[1..^1]];
    }

    /// <summary>
    /// Output dims of an Einsum without ellipsis: each output subscript takes the size its inputs give it (a known
    /// size wins over an unknown one); null when the equation has an ellipsis or an input shape is unknown.
    /// </summary>
    private static Dim[]? Einsum(Ctx c)
    {
        var equation = c.N.GetString("equation", "").Replace(" ", "", StringComparison.Ordinal);
        if (equation.Contains('.', StringComparison.Ordinal))
        {
            return null;
        }

        var arrow = equation.IndexOf("->", StringComparison.Ordinal);
        var left = arrow >= 0 ? equation[..arrow] : equation;
        var operands = left.Split(',');
        var sizes = new Dictionary<char, Dim>();
        for (var i = 0; i < operands.Length; i++)
        {
            if (c.Shape(i) is not { } shape || shape.Length != operands[i].Length)
            {
                return null;
            }

            for (var j = 0; j < shape.Length; j++)
            {
                if (!sizes.TryGetValue(operands[i][j], out var d) || !d.IsKnown)
                {
                    sizes[operands[i][j]] = shape[j];
                }
            }
        }

        var output = arrow >= 0
            ? equation[(arrow + 2)..]
            : new string([.. left.Where(char.IsAsciiLetter).GroupBy(ch => ch).Where(g => g.Count() == 1).Select(g => g.Key).Order()]);
        return output.All(sizes.ContainsKey) ? [.. output.Select(ch => sizes[ch])] : null;
    }
}
