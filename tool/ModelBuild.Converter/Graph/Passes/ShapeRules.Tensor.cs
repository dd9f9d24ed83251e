namespace ModelBuild.Converter.Graph.Passes;

/// <summary>Shape-manipulation ops: Concat, Split, Slice, Gather, Reshape, Transpose, Squeeze, Pad, Resize...</summary>
internal static partial class ShapeRules
{
    private static IReadOnlyList<OutputInfo> LayerNorm(Ctx c)
    {
        var x = c.Shape(0);
        Dim[]? stat = null;
        if (x is not null)
        {
            var axis = c.Axis(c.N.GetInt("axis", -1), x.Length);
            stat = x.Select((d, i) => i < axis ? d : Dim.Known(1)).ToArray();
        }

        var statType = (DataType)c.N.GetInt("stash_type", 1);
        return [c.Same(0), new(statType, stat), new(statType, stat)];
    }

    private static Dim[]? Concat(Ctx c)
    {
        var shapes = Enumerable.Range(0, c.N.Inputs.Count).Where(c.N.HasInput).Select(c.Shape).ToList();
        if (shapes.Count == 0 || shapes.Any(s => s is null))
        {
            return null;
        }

        var rank = shapes[0]!.Length;
        if (shapes.Any(s => s!.Length != rank))
        {
            throw c.Error("inputs have different ranks");
        }

        var axis = c.Axis(c.N.GetInt("axis", 0), rank);
        var result = new Dim[rank];
        for (var k = 0; k < rank; k++)
        {
            if (k == axis)
            {
                result[k] = shapes.Select(s => s![k]).Aggregate(Dim.Known(0), DimMath.Add);
            }
            else
            {
                result[k] = shapes.Select(s => s![k]).Aggregate((a, b) => DimMath.Merge(a, b));
            }
        }

        return result;
    }

    private static IReadOnlyList<OutputInfo> Split(Ctx c)
    {
        var x = c.Shape(0);
        var count = c.N.Outputs.Count;
        var unknown = Enumerable.Repeat(new OutputInfo(c.Type(0), null), count).ToList();
        if (x is null)
        {
            return unknown;
        }

        var axis = c.Axis(c.N.GetInt("axis", 0), x.Length);
        var split = c.Opset >= 13 ? c.ConstInts(1) : c.N.GetInts("split");
        if (c.Opset >= 13 && c.N.HasInput(1) && split is null)
        {
            return Enumerable.Range(0, count).Select(_ => new OutputInfo(c.Type(0), x.Select((d, i) => i == axis ? Dim.Unknown() : d).ToArray())).ToList();
        }

        Dim[] sizes;
        if (split is not null)
        {
            if (split.Length != count)
            {
                throw c.Error($"split has {split.Length} entries for {count} outputs");
            }

            if (x[axis].IsKnown && split.Sum() != x[axis].Value)
            {
                throw c.Error($"split sizes sum to {split.Sum()} but the axis has {x[axis].Value}");
            }

            sizes = split.Select(Dim.Known).ToArray();
        }
        else if (x[axis].IsKnown)
        {
            var total = x[axis].Value!.Value;
            var parts = c.N.Has("num_outputs") ? c.N.GetInt("num_outputs", count) : count;
            var chunk = CeilDiv(total, parts);
            sizes = Enumerable.Range(0, count).Select(i => Dim.Known(Math.Max(0, Math.Min(chunk, total - (i * chunk))))).ToArray();
            if (!c.N.Has("num_outputs") && total % count != 0)
            {
                throw c.Error($"axis size {total} is not divisible into {count} equal parts");
            }
        }
        else
        {
            sizes = Enumerable.Repeat(Dim.Unknown(), count).ToArray();
        }

        return sizes.Select(s => new OutputInfo(c.Type(0), x.Select((d, i) => i == axis ? s : d).ToArray())).ToList();
    }

    private static Dim[]? Slice(Ctx c)
    {
        var x = c.Shape(0);
        if (x is null)
        {
            return null;
        }

        long[]? starts, ends, axes, steps;
        if (c.Opset < 10)
        {
            starts = c.N.GetInts("starts");
            ends = c.N.GetInts("ends");
            axes = c.N.GetInts("axes");
            steps = null;
        }
        else
        {
            starts = c.ConstInts(1);
            ends = c.ConstInts(2);
            axes = c.N.HasInput(3) ? c.ConstInts(3) : null;
            steps = c.N.HasInput(4) ? c.ConstInts(4) : null;
            if ((c.N.HasInput(3) && axes is null) || (c.N.HasInput(4) && steps is null))
            {
                return x.Select(_ => Dim.Unknown()).ToArray();
            }
        }

        if (starts is null || ends is null)
        {
            if (axes is null)
            {
                return x.Select(_ => Dim.Unknown()).ToArray();
            }

            var partial = (Dim[])x.Clone();
            foreach (var a in axes)
            {
                partial[c.Axis(a, x.Length)] = Dim.Unknown();
            }

            return partial;
        }

        axes ??= Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray();
        steps ??= Enumerable.Repeat(1L, starts.Length).ToArray();
        if (ends.Length != starts.Length || axes.Length != starts.Length || steps.Length != starts.Length)
        {
            throw c.Error("starts/ends/axes/steps have different lengths");
        }

        var result = (Dim[])x.Clone();
        for (var i = 0; i < starts.Length; i++)
        {
            var axis = c.Axis(axes[i], x.Length);
            if (!x[axis].IsKnown)
            {
                result[axis] = Dim.Unknown();
                continue;
            }

            if (steps[i] == 0)
            {
                throw c.Error("slice step is 0");
            }

            result[axis] = Dim.Known(SliceRange(starts[i], ends[i], steps[i], x[axis].Value!.Value).Count);
        }

        return result;
    }

    /// <summary>ONNX Slice clamping of one axis: first index and element count.</summary>
    internal static (long Start, long Count) SliceRange(long start, long end, long step, long dim)
    {
        if (start < 0)
        {
            start += dim;
        }

        if (end < 0)
        {
            end += dim;
        }

        if (step > 0)
        {
            start = Math.Clamp(start, 0, dim);
            end = Math.Clamp(end, 0, dim);
            return (start, end > start ? CeilDiv(end - start, step) : 0);
        }

        start = Math.Clamp(start, 0, dim - 1);
        end = Math.Clamp(end, -1, dim - 1);
        return (start, start > end ? CeilDiv(start - end, -step) : 0);
    }

    private static Dim[]? Gather(Ctx c)
    {
        var x = c.Shape(0);
        var idx = c.Shape(1);
        if (x is null || idx is null)
        {
            return null;
        }

        var axis = c.Axis(c.N.GetInt("axis", 0), x.Length);
        return [.. x[..axis], .. idx, .. x[(axis + 1)..]];
    }

    /// <summary>indices.shape[:-1] + data.shape[batch_dims + q:], q = the last extent of indices.</summary>
    private static Dim[]? GatherNd(Ctx c)
    {
        var x = c.Shape(0);
        var idx = c.Shape(1);
        if (x is null || idx is not [.., { IsKnown: true } last])
        {
            return null;
        }

        var from = (int)c.N.GetInt("batch_dims", 0) + (int)last.Value!.Value;
        return from <= x.Length ? [.. idx[..^1], .. x[from..]] : null;
    }

    /// <summary>The selected axis (or the flattened input) gets a length known only at run time.</summary>
    private static Dim[]? Compress(Ctx c)
    {
        if (!c.N.Has("axis"))
        {
            return [Dim.Unknown()];
        }

        var x = c.Shape(0);
        if (x is null)
        {
            return null;
        }

        var axis = c.Axis(c.N.GetInt("axis", 0), x.Length);
        return [.. x[..axis], Dim.Unknown(), .. x[(axis + 1)..]];
    }

    private static Dim[]? Reshape(Ctx c)
    {
        var x = c.Shape(0);
        var target = c.Opset < 5 ? c.N.GetInts("shape") : c.ConstInts(1);
        if (target is null)
        {
            return c.Shape(1) is [{ IsKnown: true } len] ? Enumerable.Range(0, (int)len.Value!.Value).Select(_ => Dim.Unknown()).ToArray() : null;
        }

        var allowZero = c.N.GetInt("allowzero", 0) != 0;
        var result = new Dim[target.Length];
        var inferAt = -1;
        var copied = new HashSet<int>();
        for (var i = 0; i < target.Length; i++)
        {
            var t = target[i];
            if (t == 0 && !allowZero)
            {
                if (x is null || i >= x.Length)
                {
                    result[i] = Dim.Unknown();
                    if (x is not null)
                    {
                        throw c.Error($"shape entry {i} is 0 (copy) but the input has rank {x.Length}");
                    }
                }
                else
                {
                    result[i] = x[i];
                    copied.Add(i);
                }
            }
            else if (t == -1)
            {
                if (inferAt >= 0)
                {
                    throw c.Error("shape has more than one -1");
                }

                inferAt = i;
            }
            else if (t < -1)
            {
                throw c.Error($"invalid shape entry {t}");
            }
            else
            {
                result[i] = Dim.Known(t);
            }
        }

        if (inferAt >= 0)
        {
            result[inferAt] = Dim.Unknown();
            if (x is not null)
            {
                var rest = x.Where((_, i) => !copied.Contains(i)).ToArray();
                var others = result.Where((_, i) => i != inferAt && !copied.Contains(i)).ToArray();
                if (rest.All(d => d.IsKnown) && others.All(d => d.IsKnown))
                {
                    var total = rest.Aggregate(1L, (p, d) => checked(p * d.Value!.Value));
                    var known = others.Aggregate(1L, (p, d) => checked(p * d.Value!.Value));
                    if (known == 0 || total % known != 0)
                    {
                        throw c.Error($"cannot reshape [{string.Join(",", x)}] to [{string.Join(",", target)}]");
                    }

                    result[inferAt] = Dim.Known(total / known);
                }
                else if (rest.Length == 1 && others.Length == 0)
                {
                    result[inferAt] = rest[0];
                }
            }
        }
        else if (x is not null && x.All(d => d.IsKnown) && result.All(d => d.IsKnown))
        {
            var a = x.Aggregate(1L, (p, d) => checked(p * d.Value!.Value));
            var b = result.Aggregate(1L, (p, d) => checked(p * d.Value!.Value));
            if (a != b)
            {
                throw c.Error($"cannot reshape [{string.Join(",", x)}] ({a} elements) to [{string.Join(",", result)}] ({b} elements)");
            }
        }

        return result;
    }

    private static Dim[]? Flatten(Ctx c)
    {
        var x = c.Shape(0);
        if (x is null)
        {
            return null;
        }

        var axis = c.N.GetInt("axis", 1);
        var a = axis < 0 ? axis + x.Length : axis;
        if (a < 0 || a > x.Length)
        {
            throw c.Error($"axis {axis} is out of range for rank {x.Length}");
        }

        return [DimMath.Product(x[..(int)a]), DimMath.Product(x[(int)a..])];
    }

    private static Dim[]? Transpose(Ctx c)
    {
        var x = c.Shape(0);
        if (x is null)
        {
            return null;
        }

        var perm = c.N.GetInts("perm") ?? Enumerable.Range(0, x.Length).Reverse().Select(i => (long)i).ToArray();
        if (perm.Length != x.Length || perm.Distinct().Count() != perm.Length)
        {
            throw c.Error($"perm [{string.Join(",", perm)}] is not a permutation of rank {x.Length}");
        }

        return perm.Select(p => x[c.Axis(p, x.Length)]).ToArray();
    }

    private static Dim[]? Squeeze(Ctx c)
    {
        var x = c.Shape(0);
        if (x is null)
        {
            return null;
        }

        var axes = c.Opset >= 13 ? (c.N.HasInput(1) ? c.ConstInts(1) : []) : c.N.GetInts("axes") ?? [];
        if (axes is null)
        {
            return null;
        }

        if (axes.Length == 0)
        {
            return x.Any(d => !d.IsKnown) ? null : x.Where(d => d.Value != 1).ToArray();
        }

        var drop = axes.Select(a => c.Axis(a, x.Length)).ToHashSet();
        foreach (var a in drop)
        {
            if (x[a].IsKnown && x[a].Value != 1)
            {
                throw c.Error($"cannot squeeze axis {a} of size {x[a].Value}");
            }
        }

        return x.Where((_, i) => !drop.Contains(i)).ToArray();
    }

    private static Dim[]? Unsqueeze(Ctx c)
    {
        var x = c.Shape(0);
        var axes = c.Opset >= 13 ? c.ConstInts(1) : c.N.GetInts("axes");
        if (x is null || axes is null)
        {
            return null;
        }

        var rank = x.Length + axes.Length;
        var insert = axes.Select(a => c.Axis(a, rank)).ToHashSet();
        if (insert.Count != axes.Length)
        {
            throw c.Error("axes contain duplicates");
        }

        var result = new Dim[rank];
        var j = 0;
        for (var i = 0; i < rank; i++)
        {
            result[i] = insert.Contains(i) ? Dim.Known(1) : x[j++];
        }

        return result;
    }

    private static Dim[]? Expand(Ctx c)
    {
        var x = c.Shape(0);
        var target = c.ShapeFromInput(1);
        if (x is null || target is null)
        {
            return null;
        }

        if (c.Const(1) is null)
        {
            // Target values unknown: rank known, dims only where the input alone decides (>1).
            var rank = Math.Max(x.Length, target.Length);
            return Enumerable.Range(0, rank).Select(k =>
            {
                var xi = k - (rank - x.Length);
                return xi >= 0 && x[xi].IsKnown && x[xi].Value != 1 ? x[xi] : Dim.Unknown();
            }).ToArray();
        }

        return c.Broadcast(x, target);
    }

    private static Dim[]? Tile(Ctx c)
    {
        var x = c.Shape(0);
        var reps = c.ConstInts(1);
        if (x is null)
        {
            return null;
        }

        if (reps is null)
        {
            return x.Select(_ => Dim.Unknown()).ToArray();
        }

        if (reps.Length != x.Length)
        {
            throw c.Error($"repeats has {reps.Length} entries for rank {x.Length}");
        }

        return x.Select((d, i) => DimMath.Mul(d, Dim.Known(reps[i]))).ToArray();
    }

    private static Dim[]? Pad(Ctx c)
    {
        var x = c.Shape(0);
        if (x is null)
        {
            return null;
        }

        var pads = c.Opset < 11 ? c.N.GetInts("pads") ?? c.N.GetInts("paddings") : c.ConstInts(1);
        if (pads is null)
        {
            return x.Select(_ => Dim.Unknown()).ToArray();
        }

        var axes = c.Opset >= 18 && c.N.HasInput(3) ? c.ConstInts(3) : Enumerable.Range(0, x.Length).Select(i => (long)i).ToArray();
        if (axes is null)
        {
            return x.Select(_ => Dim.Unknown()).ToArray();
        }

        if (pads.Length != axes.Length * 2)
        {
            throw c.Error($"pads has {pads.Length} entries for {axes.Length} axes");
        }

        var result = (Dim[])x.Clone();
        for (var i = 0; i < axes.Length; i++)
        {
            var a = c.Axis(axes[i], x.Length);
            result[a] = DimMath.Add(x[a], pads[i] + pads[i + axes.Length]);
            if (result[a].Value < 0)
            {
                throw c.Error($"padding makes axis {a} negative");
            }
        }

        return result;
    }

    private static Dim[]? Resize(Ctx c)
    {
        var x = c.Shape(0);
        if (x is null)
        {
            return null;
        }

        long[]? sizes = null;
        float[]? scales = null;
        if (c.N.OpType == "Upsample")
        {
            scales = c.Opset < 9 ? c.N.GetFloats("scales") : c.Const(1)?.ToFloatArray();
        }
        else if (c.Opset < 11)
        {
            scales = c.Const(1)?.ToFloatArray();
        }
        else
        {
            sizes = c.N.HasInput(3) ? c.ConstInts(3) : null;
            scales = c.N.HasInput(2) && c.Const(2) is { ElementCount: > 0 } s ? s.ToFloatArray() : null;
            if (sizes is { Length: 0 })
            {
                sizes = null;
            }
        }

        var axes = c.N.GetInts("axes")?.Select(a => c.Axis(a, x.Length)).ToArray() ?? Enumerable.Range(0, x.Length).ToArray();
        var policy = c.N.GetString("keep_aspect_ratio_policy", "stretch");
        var result = (Dim[])x.Clone();
        if (sizes is not null && policy == "stretch")
        {
            if (sizes.Length != axes.Length)
            {
                throw c.Error($"sizes has {sizes.Length} entries for {axes.Length} axes");
            }

            for (var i = 0; i < axes.Length; i++)
            {
                result[axes[i]] = Dim.Known(sizes[i]);
            }

            return result;
        }

        if (scales is not null)
        {
            if (scales.Length != axes.Length)
            {
                throw c.Error($"scales has {scales.Length} entries for {axes.Length} axes");
            }

            for (var i = 0; i < axes.Length; i++)
            {
                var s = scales[i];
                result[axes[i]] = s == 1f ? x[axes[i]] : DimMath.Map(x[axes[i]], d => (long)Math.Floor(d * (double)s));
            }

            return result;
        }

        return x.Select(_ => Dim.Unknown()).ToArray();
    }

    private static Dim[]? Reduce(Ctx c)
    {
        var x = c.Shape(0);
        if (x is null)
        {
            return null;
        }

        var axesFromInput = c.N.OpType == "ReduceSum" ? c.Opset >= 13 : c.Opset >= 18;
        long[]? axes;
        if (axesFromInput)
        {
            axes = c.N.HasInput(1) ? c.ConstInts(1) : [];
            if (axes is null)
            {
                return c.N.GetInt("keepdims", 1) != 0 ? x.Select(_ => Dim.Unknown()).ToArray() : null;
            }
        }
        else
        {
            axes = c.N.GetInts("axes") ?? [];
        }

        var keep = c.N.GetInt("keepdims", 1) != 0;
        if (axes.Length == 0)
        {
            if (axesFromInput && c.N.GetInt("noop_with_empty_axes", 0) != 0)
            {
                return x;
            }

            return keep ? x.Select(_ => Dim.Known(1)).ToArray() : [];
        }

        var set = axes.Select(a => c.Axis(a, x.Length)).ToHashSet();
        return keep ? x.Select((d, i) => set.Contains(i) ? Dim.Known(1) : d).ToArray() : x.Where((_, i) => !set.Contains(i)).ToArray();
    }

    private static Dim[]? ArgReduce(Ctx c)
    {
        var x = c.Shape(0);
        if (x is null)
        {
            return null;
        }

        var axis = c.Axis(c.N.GetInt("axis", 0), x.Length);
        return c.N.GetInt("keepdims", 1) != 0 ? x.Select((d, i) => i == axis ? Dim.Known(1) : d).ToArray() : x.Where((_, i) => i != axis).ToArray();
    }

    /// <summary>Start/end of Shape (opset 15 slicing), clamped.</summary>
    internal static (int Start, int End) ShapeSlice(Node n, int rank)
    {
        var start = n.GetInt("start", 0);
        var end = n.Has("end") ? n.GetInt("end", rank) : rank;
        start = Math.Clamp(start < 0 ? start + rank : start, 0, rank);
        end = Math.Clamp(end < 0 ? end + rank : end, 0, rank);
        return ((int)start, (int)Math.Max(start, end));
    }

    private static Dim[]? ShapeOp(Ctx c)
    {
        var x = c.Shape(0);
        if (x is null)
        {
            return [Dim.Unknown()];
        }

        var (s, e) = ShapeSlice(c.N, x.Length);
        return [Dim.Known(e - s)];
    }

    private static Dim[]? Range(Ctx c)
    {
        var start = c.Const(0);
        var limit = c.Const(1);
        var delta = c.Const(2);
        if (start is null || limit is null || delta is null)
        {
            return [Dim.Unknown()];
        }

        return [Dim.Known(RangeCount(start.GetDouble(0), limit.GetDouble(0), delta.GetDouble(0), c))];
    }

    internal static long RangeCount(double start, double limit, double delta, Ctx c)
    {
        if (delta == 0)
        {
            throw c.Error("Range delta is 0");
        }

        var count = Math.Ceiling((limit - start) / delta);
        if (double.IsNaN(count) || count > int.MaxValue)
        {
            throw c.Error($"Range would produce {count} elements");
        }

        return (long)Math.Max(count, 0);
    }

    private static Dim[]? SpaceDepth(Ctx c, bool toSpace)
    {
        var x = c.Shape(0);
        if (x is not { Length: 4 })
        {
            return null;
        }

        var b = c.N.GetInt("blocksize", 0);
        if (b <= 0)
        {
            throw c.Error("blocksize must be positive");
        }

        if (toSpace)
        {
            if (x[1].IsKnown && x[1].Value % (b * b) != 0)
            {
                throw c.Error($"channels {x[1].Value} are not divisible by blocksize² {b * b}");
            }

            return [x[0], DimMath.Map(x[1], d => d / (b * b)), DimMath.Mul(x[2], Dim.Known(b)), DimMath.Mul(x[3], Dim.Known(b))];
        }

        if ((x[2].IsKnown && x[2].Value % b != 0) || (x[3].IsKnown && x[3].Value % b != 0))
        {
            throw c.Error($"spatial dims are not divisible by blocksize {b}");
        }

        return [x[0], DimMath.Mul(x[1], Dim.Known(b * b)), DimMath.Map(x[2], d => d / b), DimMath.Map(x[3], d => d / b)];
    }

    private static IReadOnlyList<OutputInfo> TopK(Ctx c)
    {
        var x = c.Shape(0);
        Dim[]? shape = null;
        if (x is not null)
        {
            var axis = c.Axis(c.N.GetInt("axis", -1), x.Length);
            var k = c.Opset >= 10 ? c.ConstInts(1) is [var kk] ? Dim.Known(kk) : Dim.Unknown() : Dim.Known(c.N.GetInt("k", 1));
            shape = x.Select((d, i) => i == axis ? k : d).ToArray();
        }

        return [new(c.Type(0), shape), new(DataType.Int64, shape)];
    }
}
