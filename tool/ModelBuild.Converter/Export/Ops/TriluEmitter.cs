using ModelBuild.Converter.Graph;
using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Converter.Export.Ops;

/// <summary>
/// Trilu as upstream writes it: row and column iotas from the run-time shape (Shape → StridedSlice → Range), a mask
/// col ≥ row + k (upper) or row ≥ col − k (lower), unsqueezed to the input's rank, then Select(mask, x, 0).
/// </summary>
internal static class TriluEmitter
{
    public static void Register(OpEmitterTable t) => t.Add("Trilu", 14, Trilu);

    private static void Trilu(ExportContext ctx, Node n)
    {
        var rank = ctx.RequireRank(n, 0, "broadcast the triangle mask");
        if (rank < 2)
        {
            throw ctx.Invalid(n, $"input must have rank ≥ 2, has {rank}");
        }

        var name = n.Out0();
        var x = ctx.In(n, 0);
        var shape = ctx.Shape(name + "/shape", x);
        var rows = ctx.ShapeDims(name + "/rows", shape, rank - 2, rank - 1);
        var cols = ctx.ShapeDims(name + "/cols", shape, rank - 1, rank);
        var zero = ctx.ConstInts(name + "/zero_i", [0]);
        var one = ctx.ConstInts(name + "/one_i", [1]);
        var rowIota = ctx.Unsqueeze(name + "/row_iota", ctx.AddTemp(OpType.Range, name + "/row_range", null, zero, rows, one), 1);
        var colIota = ctx.Unsqueeze(name + "/col_iota", ctx.AddTemp(OpType.Range, name + "/col_range", null, zero, cols, one), 0);

        var upper = n.GetInt("upper", 1) != 0;
        var k = n.HasInput(1) ? ctx.In(n, 1) : ctx.ConstInts(name + "/k", [0]);
        var mask = upper
            ? ctx.Binary(name + "/mask", BinaryOpOperation.GREATER_EQUAL, colIota, ctx.Binary(name + "/row_k", BinaryOpOperation.ADD, rowIota, k))
            : ctx.Binary(name + "/mask", BinaryOpOperation.GREATER_EQUAL, rowIota, ctx.Binary(name + "/col_k", BinaryOpOperation.SUB, colIota, k));
        if (rank > 2)
        {
            mask = ctx.Unsqueeze(name + "/mask_nd", mask, [.. Enumerable.Range(0, rank - 2)]);
        }

        ctx.Final(n, OpType.Select, null, mask, x, ctx.ConstScalarLike(name + "/zero", n.Inputs[0], 0));
    }
}
