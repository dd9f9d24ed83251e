namespace ModelBuild.Converter.Graph.Passes;

/// <summary>Conv, ConvTranspose, pools, Gemm, MatMul.</summary>
internal static partial class ShapeRules
{
    private static Dim[]? Conv(Ctx c, bool transpose)
    {
        var x = c.Shape(0);
        var w = c.Shape(1);
        if (x is null || x.Length < 3)
        {
            return null;
        }

        var spatial = x.Length - 2;
        var group = c.N.GetInt("group", 1);
        CheckChannels(c, x, w, group, transpose);
        var outChannels = w is null || w.Length != x.Length ? Dim.Unknown()
            : transpose ? DimMath.Mul(w[1], Dim.Known(group)) : w[0];
        var kernel = KernelShape(c, w, spatial);
        var strides = c.N.GetInts("strides") ?? Ones(spatial);
        var dilations = c.N.GetInts("dilations") ?? Ones(spatial);
        var pads = c.N.GetInts("pads") ?? new long[spatial * 2];
        var autoPad = c.N.GetString("auto_pad", "NOTSET");
        if (strides.Length != spatial || dilations.Length != spatial || pads.Length != spatial * 2)
        {
            throw c.Error($"strides/dilations/pads do not match {spatial} spatial dims");
        }

        var result = new Dim[x.Length];
        result[0] = x[0];
        result[1] = outChannels;
        var outputShape = transpose ? c.N.GetInts("output_shape") : null;
        var outputPadding = transpose ? c.N.GetInts("output_padding") ?? new long[spatial] : null;
        for (var i = 0; i < spatial; i++)
        {
            var inDim = x[i + 2];
            if (outputShape is not null)
            {
                result[i + 2] = Dim.Known(outputShape[outputShape.Length - spatial + i]);
                continue;
            }

            if (kernel is null || !inDim.IsKnown)
            {
                result[i + 2] = Dim.Unknown();
                continue;
            }

            var n = inDim.Value!.Value;
            var ek = (kernel[i] - 1) * dilations[i] + 1;
            long o;
            if (transpose)
            {
                o = autoPad is "SAME_UPPER" or "SAME_LOWER"
                    ? n * strides[i]
                    : strides[i] * (n - 1) + outputPadding![i] + ek - pads[i] - pads[i + spatial];
            }
            else
            {
                o = autoPad switch
                {
                    "SAME_UPPER" or "SAME_LOWER" => CeilDiv(n, strides[i]),
                    "VALID" => FloorDiv(n - ek, strides[i]) + 1,
                    _ => FloorDiv(n + pads[i] + pads[i + spatial] - ek, strides[i]) + 1,
                };
            }

            if (o < 0)
            {
                throw c.Error($"spatial dim {i} would be {o} (input {n}, kernel {kernel[i]})");
            }

            result[i + 2] = Dim.Known(o);
        }

        return result;
    }

    /// <summary>The input's channels must be what the weight and group expect: C = W[1]·group (Conv), C = W[0] (ConvTranspose).</summary>
    private static void CheckChannels(Ctx c, Dim[] x, Dim[]? w, long group, bool transpose)
    {
        if (w is null || w.Length != x.Length || !x[1].IsKnown)
        {
            return;
        }

        var expected = transpose ? w[0] : DimMath.Mul(w[1], Dim.Known(group));
        if (expected.IsKnown && expected.Value != x[1].Value)
        {
            throw c.Error($"the input has {x[1].Value} channels but the weight [{string.Join(",", w.AsEnumerable())}] with group {group} expects {expected.Value}");
        }
    }

    private static long[]? KernelShape(Ctx c, Dim[]? w, int spatial)
    {
        if (c.N.GetInts("kernel_shape") is { } k)
        {
            return k.Length == spatial ? k : throw c.Error($"kernel_shape has {k.Length} entries for {spatial} spatial dims");
        }

        return w is not null && w.Length == spatial + 2 && w.Skip(2).All(d => d.IsKnown) ? w.Skip(2).Select(d => d.Value!.Value).ToArray() : null;
    }

    private static IReadOnlyList<OutputInfo> Pool(Ctx c)
    {
        var x = c.Shape(0);
        if (x is null || x.Length < 3)
        {
            return [new(c.Type(0), null), new(DataType.Int64, null)];
        }

        var spatial = x.Length - 2;
        var kernel = c.N.GetInts("kernel_shape") ?? throw c.Error("kernel_shape is required");
        var strides = c.N.GetInts("strides") ?? Ones(spatial);
        var dilations = c.N.GetInts("dilations") ?? Ones(spatial);
        var pads = c.N.GetInts("pads") ?? new long[spatial * 2];
        var autoPad = c.N.GetString("auto_pad", "NOTSET");
        var ceil = c.N.GetInt("ceil_mode", 0) != 0;
        if (kernel.Length != spatial || strides.Length != spatial || dilations.Length != spatial || pads.Length != spatial * 2)
        {
            throw c.Error($"kernel_shape/strides/dilations/pads do not match {spatial} spatial dims");
        }

        var result = new Dim[x.Length];
        result[0] = x[0];
        result[1] = x[1];
        for (var i = 0; i < spatial; i++)
        {
            if (!x[i + 2].IsKnown)
            {
                result[i + 2] = Dim.Unknown();
                continue;
            }

            var n = x[i + 2].Value!.Value;
            var ek = (kernel[i] - 1) * dilations[i] + 1;
            long o;
            switch (autoPad)
            {
                case "SAME_UPPER" or "SAME_LOWER":
                    o = CeilDiv(n, strides[i]);
                    break;
                case "VALID":
                    o = FloorDiv(n - ek, strides[i]) + 1;
                    break;
                default:
                    var span = n + pads[i] + pads[i + spatial] - ek;
                    o = (ceil ? CeilDiv(span, strides[i]) : FloorDiv(span, strides[i])) + 1;
                    if (ceil && (o - 1) * strides[i] >= n + pads[i])
                    {
                        o--; // the last window would start entirely in the end padding
                    }

                    break;
            }

            if (o < 1)
            {
                throw c.Error($"spatial dim {i} would be {o} (input {n}, kernel {kernel[i]})");
            }

            result[i + 2] = Dim.Known(o);
        }

        return [new(c.Type(0), result), new(DataType.Int64, result)];
    }

    private static Dim[]? Gemm(Ctx c)
    {
        var a = c.Shape(0);
        var b = c.Shape(1);
        if (a is not { Length: 2 } || b is not { Length: 2 })
        {
            return null;
        }

        var m = c.N.GetInt("transA", 0) != 0 ? a[1] : a[0];
        var n = c.N.GetInt("transB", 0) != 0 ? b[0] : b[1];
        return [m, n];
    }

    private static Dim[]? MatMul(Ctx c)
    {
        var a = c.Shape(0);
        var b = c.Shape(1);
        if (a is null || b is null || a.Length == 0 || b.Length == 0)
        {
            return null;
        }

        var a2 = a.Length == 1 ? [Dim.Known(1), a[0]] : a;
        var b2 = b.Length == 1 ? [b[0], Dim.Known(1)] : b;
        var batch = c.Broadcast(a2[..^2], b2[..^2]);
        var k1 = a2[^1];
        var k2 = b2[^2];
        if (k1.IsKnown && k2.IsKnown && k1.Value != k2.Value)
        {
            throw c.Error($"inner dimensions {k1} and {k2} differ");
        }

        var result = new List<Dim>(batch);
        if (a.Length > 1)
        {
            result.Add(a2[^2]);
        }

        if (b.Length > 1)
        {
            result.Add(b2[^1]);
        }

        return [.. result];
    }

    private static long[] Ones(int n) => Enumerable.Repeat(1L, n).ToArray();

    internal static long FloorDiv(long a, long b) => b <= 0 ? throw new ArgumentException($"stride {b} must be positive") : (a >= 0 ? a / b : -((-a + b - 1) / b));

    internal static long CeilDiv(long a, long b) => -FloorDiv(-a, b);
}
