namespace ModelBuild.Converter.Graph.Passes;

/// <summary>Shape rules of OneHot and GridSample (the other indexing ops keep their data input's shape).</summary>
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
}
