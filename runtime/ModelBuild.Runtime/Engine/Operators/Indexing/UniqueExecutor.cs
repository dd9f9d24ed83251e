using ModelBuild.Runtime.Engine.Operators.Shape;
using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Runtime.Engine.Operators.Indexing;

/// <summary>
/// Unique over the flattened input (float32 or int32), values ascending. Outputs as upstream's op: (values) ;
/// (values, inverse indices) with two outputs; (values, first-occurrence indices, inverse indices[, counts]) with
/// three or four. All index outputs int32. Upstream compares the raw 32-bit patterns as ints (so its order of
/// negative floats differs from ONNX's); here floats are ordered by value, as ONNX defines.
/// </summary>
[MnnOperator(OpType.Unique)]
internal sealed class UniqueExecutor : OperatorExecutor
{
    private int[] _order = [];
    private int[] _group = [];
    private float[] _floatKeys = [];
    private int[] _intKeys = [];
    private int _unique;

    public override bool ShapeDependsOnInputValues => true;

    public override void Reshape(OpContext ctx)
    {
        ShapeSupport.RequireInputs(ctx, 1, 1);
        if (ctx.Outputs.Length > 4)
        {
            throw ctx.Error($"Unique has at most 4 outputs, has {ctx.Outputs.Length}");
        }

        var x = ctx.Inputs[0];
        int n = x.Length;
        if (_order.Length != n)
        {
            _order = new int[n];
            _group = new int[n];
        }

        for (int i = 0; i < n; i++)
        {
            _order[i] = i;
        }

        if (x.ElementType == TensorElementType.Float32)
        {
            _order.AsSpan().Sort(new ByValueThenIndex<float>(Keys(x.Floats, ref _floatKeys)));
            _unique = Group(x.Floats);
        }
        else
        {
            _order.AsSpan().Sort(new ByValueThenIndex<int>(Keys(x.Ints, ref _intKeys)));
            _unique = Group(x.Ints);
        }

        ctx.Outputs[0].Reshape([_unique], x.ElementType);
        for (int o = 1; o < ctx.Outputs.Length; o++)
        {
            bool perElement = o == 2 || ctx.Outputs.Length == 2; // inverse indices
            ctx.Outputs[o].Reshape([perElement ? n : _unique], TensorElementType.Int32);
        }
    }

    public override void Execute(OpContext ctx)
    {
        var x = ctx.Inputs[0];
        if (x.ElementType == TensorElementType.Float32)
        {
            Values(x.Floats, ctx.Outputs[0].Floats);
        }
        else
        {
            Values(x.Ints, ctx.Outputs[0].Ints);
        }

        int outputs = ctx.Outputs.Length;
        var inverse = outputs == 2 ? ctx.Outputs[1].Ints : outputs > 2 ? ctx.Outputs[2].Ints : default;
        var first = outputs > 2 ? ctx.Outputs[1].Ints : default;
        var counts = outputs > 3 ? ctx.Outputs[3].Ints : default;
        counts.Clear();
        for (int k = 0; k < _order.Length; k++)
        {
            int i = _order[k], g = _group[k];
            if (!inverse.IsEmpty)
            {
                inverse[i] = g;
            }

            if (!first.IsEmpty && (k == 0 || _group[k - 1] != g))
            {
                first[g] = i; // the lowest index of its group: sorted by (value, index)
            }

            if (!counts.IsEmpty)
            {
                counts[g]++;
            }
        }
    }

    /// <summary>The values copied into scratch kept between runs (the comparer needs an array).</summary>
    private static T[] Keys<T>(ReadOnlySpan<T> values, ref T[] scratch)
    {
        if (scratch.Length != values.Length)
        {
            scratch = new T[values.Length];
        }

        values.CopyTo(scratch);
        return scratch;
    }

    /// <summary>Numbers the groups of equal values along the sorted order; returns their count.</summary>
    private int Group<T>(ReadOnlySpan<T> x)
        where T : IEquatable<T>
    {
        int groups = 0;
        for (int k = 0; k < _order.Length; k++)
        {
            if (k > 0 && !x[_order[k]].Equals(x[_order[k - 1]]))
            {
                groups++;
            }

            _group[k] = groups;
        }

        return _order.Length == 0 ? 0 : groups + 1;
    }

    private void Values<T>(ReadOnlySpan<T> x, Span<T> y)
    {
        for (int k = 0; k < _order.Length; k++)
        {
            y[_group[k]] = x[_order[k]];
        }
    }

    private readonly struct ByValueThenIndex<T>(T[] values) : IComparer<int>
        where T : IComparable<T>
    {
        public int Compare(int a, int b) => values[a].CompareTo(values[b]) is var c and not 0 ? c : a.CompareTo(b);
    }
}
