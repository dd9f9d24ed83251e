namespace ModelBuild.Converter.Graph.Passes;

/// <summary>Arithmetic on possibly-symbolic dims: known op known → known, otherwise an anonymous unknown (never a guess).</summary>
internal static class DimMath
{
    public static Dim Mul(Dim a, Dim b)
    {
        if (a.IsKnown && b.IsKnown)
        {
            return Dim.Known(checked(a.Value!.Value * b.Value!.Value));
        }

        if (a.Value == 1)
        {
            return b;
        }

        return b.Value == 1 ? a : (a.Value == 0 || b.Value == 0 ? Dim.Known(0) : Dim.Unknown());
    }

    public static Dim Add(Dim a, Dim b) =>
        a.IsKnown && b.IsKnown ? Dim.Known(checked(a.Value!.Value + b.Value!.Value))
        : b.Value == 0 ? a : a.Value == 0 ? b : Dim.Unknown();

    public static Dim Add(Dim a, long b) => Add(a, Dim.Known(b));

    public static Dim Product(IEnumerable<Dim> dims) => dims.Aggregate(Dim.Known(1), Mul);

    public static Dim Map(Dim a, Func<long, long> f) => a.IsKnown ? Dim.Known(f(a.Value!.Value)) : Dim.Unknown();

    /// <summary>The better-informed of two descriptions of the same dim (known beats symbolic beats anonymous).</summary>
    public static Dim Merge(Dim inferred, Dim declared) =>
        inferred.IsKnown ? inferred
        : declared.IsKnown ? declared
        : inferred.Symbol is not null ? inferred
        : declared;

    /// <summary>ONNX multidirectional broadcasting of two dims; null when both are known and incompatible.</summary>
    public static Dim? Broadcast(Dim a, Dim b)
    {
        if (a.Value == 1)
        {
            return b;
        }

        if (b.Value == 1)
        {
            return a;
        }

        if (a.IsKnown && b.IsKnown)
        {
            return a.Value == b.Value ? a : null;
        }

        if (a.IsKnown)
        {
            return a;
        }

        if (b.IsKnown)
        {
            return b;
        }

        return a.Symbol is not null && a.Symbol == b.Symbol ? a : Dim.Unknown();
    }
}
