using ModelBuild.Converter.Graph;
using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Converter.Export.Ops;

/// <summary>
/// Einsum with one or two operands and plain letter subscripts, lowered the way upstream's Einsum transform does:
/// labels summed away by one operand only → Reduction SUM; the contraction → one batched MatMul over
/// [batch…, rows, k] × [batch…, k, cols] (Permute to that order, Reshape when a group spans several labels);
/// then Reshape/Permute to the output order. One operand: Reduction SUM + Permute. Ellipses, repeated subscripts
/// within an operand (diagonals) and three or more operands → MB3002; merging several labels into one MatMul axis
/// needs their sizes (MB3005 when unknown).
/// </summary>
internal static class EinsumEmitter
{
    public static void Register(OpEmitterTable t) => t.Add("Einsum", 12, Einsum);

    private sealed record Step(OpType Type, OpParameterUnion? Param, string Role);

    private static void Einsum(ExportContext ctx, Node n)
    {
        var (inputs, output) = Parse(ctx, n);
        if (inputs.Length != n.Inputs.Count)
        {
            throw ctx.Invalid(n, $"the equation names {inputs.Length} operands, the node has {n.Inputs.Count} inputs");
        }

        for (var i = 0; i < inputs.Length; i++)
        {
            var rank = ctx.RequireRank(n, i, "match the equation's subscripts");
            if (rank != inputs[i].Length)
            {
                throw ctx.Invalid(n, $"operand {i} has rank {rank}, its subscripts '{inputs[i]}' name {inputs[i].Length} axes");
            }
        }

        if (inputs.Length == 1)
        {
            var steps = new List<Step>();
            var kept = Reduce(inputs[0], output, "", steps, "sum");
            Permute(kept, output, steps, "permute");
            Emit(ctx, n, ctx.In(n, 0), steps, final: true);
            return;
        }

        Contract(ctx, n, inputs[0], inputs[1], output);
    }

    /// <summary>Operand subscripts and output subscripts (implicit output: labels used once, alphabetically).</summary>
    private static (string[] Inputs, string Output) Parse(ExportContext ctx, Node n)
    {
        var equation = n.GetString("equation", "").Replace(" ", "", StringComparison.Ordinal);
        if (equation.Contains("...", StringComparison.Ordinal))
        {
            throw ctx.UnsupportedAttribute(n, $"equation '{equation}': ellipsis ('...') is not supported");
        }

        var arrow = equation.IndexOf("->", StringComparison.Ordinal);
        var left = arrow >= 0 ? equation[..arrow] : equation;
        var inputs = left.Split(',');
        if (inputs.Length > 2)
        {
            throw ctx.UnsupportedAttribute(n, $"equation '{equation}': {inputs.Length} operands (one or two are supported)");
        }

        foreach (var s in inputs.Append(arrow >= 0 ? equation[(arrow + 2)..] : ""))
        {
            if (s.Any(c => !char.IsAsciiLetter(c)))
            {
                throw ctx.Invalid(n, $"equation '{equation}' has a subscript that is not a letter");
            }

            if (s.Distinct().Count() != s.Length)
            {
                throw ctx.UnsupportedAttribute(n, $"equation '{equation}': a subscript repeated within '{s}' (diagonal)");
            }
        }

        var output = arrow >= 0
            ? equation[(arrow + 2)..]
            : new string([.. left.Where(char.IsAsciiLetter).GroupBy(c => c).Where(g => g.Count() == 1).Select(g => g.Key).Order()]);
        if (output.Any(c => !left.Contains(c)))
        {
            throw ctx.Invalid(n, $"equation '{equation}': an output subscript names no input axis");
        }

        return (inputs, output);
    }

    /// <summary>Sums the labels of <paramref name="labels"/> found in neither <paramref name="output"/> nor <paramref name="other"/>.</summary>
    private static string Reduce(string labels, string output, string other, List<Step> steps, string role)
    {
        var summed = Enumerable.Range(0, labels.Length).Where(i => !output.Contains(labels[i]) && !other.Contains(labels[i])).ToArray();
        if (summed.Length == 0)
        {
            return labels;
        }

        steps.Add(new(OpType.Reduction, MnnParams.Reduction(ReductionType.SUM, summed, keepDims: false), role));
        return new string([.. labels.Where((_, i) => !summed.Contains(i))]);
    }

    private static void Permute(string from, string to, List<Step> steps, string role)
    {
        if (from != to)
        {
            steps.Add(new(OpType.Permute, MnnParams.Permute(to.Select(c => from.IndexOf(c))), role));
        }
    }

    /// <summary>Two operands: batch labels (in both and the output), rows (A and output), cols (B and output), k (both, summed).</summary>
    private static void Contract(ExportContext ctx, Node n, string a, string b, string output)
    {
        var stepsA = new List<Step>();
        var stepsB = new List<Step>();
        a = Reduce(a, output, b, stepsA, "a_sum");
        b = Reduce(b, output, a, stepsB, "b_sum");
        var batch = new string([.. a.Where(c => b.Contains(c) && output.Contains(c))]);
        var rows = new string([.. a.Where(c => !b.Contains(c))]);
        var cols = new string([.. b.Where(c => !a.Contains(c))]);
        var k = new string([.. a.Where(c => b.Contains(c) && !output.Contains(c))]);

        var sizes = LabelSizes(ctx, n, a, b);
        Permute(a, batch + rows + k, stepsA, "a_permute");
        Permute(b, batch + k + cols, stepsB, "b_permute");
        if (rows.Length != 1 || k.Length != 1)
        {
            stepsA.Add(new(OpType.Reshape, MnnParams.Reshape(Dims(ctx, n, batch.Length, [rows, k], sizes)), "a_reshape"));
        }

        if (k.Length != 1 || cols.Length != 1)
        {
            stepsB.Add(new(OpType.Reshape, MnnParams.Reshape(Dims(ctx, n, batch.Length, [k, cols], sizes)), "b_reshape"));
        }

        var post = new List<Step>();
        var product = batch + rows + cols;
        if (product.Length == 0)
        {
            post.Add(new(OpType.Squeeze, MnnParams.Squeeze([0, 1]), "squeeze"));
        }
        else if (rows.Length != 1 || cols.Length != 1)
        {
            // Split the merged row/column axes back into their labels.
            post.Add(new(OpType.Reshape, MnnParams.Reshape(Dims(ctx, n, batch.Length, [.. (rows + cols).Select(c => c.ToString())], sizes)), "reshape"));
        }

        Permute(product, output, post, "permute");
        var name = n.Out0();
        var left = Emit(ctx, n, ctx.In(n, 0), stepsA, final: false);
        var right = Emit(ctx, n, ctx.In(n, 1), stepsB, final: false);
        var param = OpParameterUnion.FromMatMul(new MatMulT { T = Runtime.Format.Schema.DataType.DT_FLOAT, TransposeA = false, TransposeB = false });
        if (post.Count == 0)
        {
            ctx.Final(n, OpType.MatMul, param, left, right);
            return;
        }

        Emit(ctx, n, ctx.AddTemp(OpType.MatMul, name + "/matmul", param, left, right), post, final: true);
    }

    /// <summary>
    /// Reshape dims: the leading batch axes copied (0, as MNN's Reshape reads it), then one axis per label group
    /// holding the product of its labels' sizes (1 for an empty group); at most one group of unknown size becomes −1.
    /// </summary>
    private static int[] Dims(ExportContext ctx, Node n, int batch, string[] groups, Dictionary<char, long?> sizes)
    {
        var dims = new List<int>(Enumerable.Repeat(0, batch));
        var unknown = 0;
        foreach (var g in groups)
        {
            long? product = 1;
            foreach (var c in g)
            {
                product = sizes.GetValueOrDefault(c) is { } v && product is { } p ? p * v : null;
            }

            unknown += product is null ? 1 : 0;
            dims.Add(product is { } known ? checked((int)known) : -1);
        }

        if (unknown > 1)
        {
            throw new ModelBuildException(ErrorCodes.UnsupportedDynamicShape,
                $"operator Einsum (opset {ctx.Opset}) {ctx.Where(n)}: the sizes of subscripts '{string.Concat(groups)}' must be known to merge axes for MatMul; pass --input-shape");
        }

        return [.. dims];
    }

    private static Dictionary<char, long?> LabelSizes(ExportContext ctx, Node n, string a, string b)
    {
        var sizes = new Dictionary<char, long?>();
        void Add(string labels, int input)
        {
            var shape = ctx.ValueOf(n.Inputs[input])?.Shape;
            for (var i = 0; i < labels.Length; i++)
            {
                var dim = shape?[i].Value;
                if (!sizes.TryGetValue(labels[i], out var known) || known is null)
                {
                    sizes[labels[i]] = dim;
                }
            }
        }

        Add(a, 0);
        Add(b, 1);
        return sizes;
    }

    private static int Emit(ExportContext ctx, Node n, int x, List<Step> steps, bool final)
    {
        var name = n.Out0();
        if (steps.Count == 0 && final)
        {
            ctx.Final(n, OpType.Identity, null, x);
            return -1;
        }

        for (var i = 0; i < steps.Count; i++)
        {
            var s = steps[i];
            if (final && i == steps.Count - 1)
            {
                ctx.AddOp(s.Type, name, s.Param, [x], [ctx.Out(n)]);
                return -1;
            }

            x = ctx.AddTemp(s.Type, $"{name}/{s.Role}", s.Param, x);
        }

        return x;
    }
}
