using ModelBuild.Converter.Graph;
using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Converter.Export.Ops;

/// <summary>
/// Det → Det, as upstream writes it. Upstream's kernel reads its input as [batch, M, M] whatever the rank, so other
/// ranks are brought to that one around it: a 2-D matrix gets a batch of 1 (Unsqueeze … Squeeze), higher ranks are
/// flattened to one batch axis and reshaped back.
/// </summary>
internal static class MatrixEmitter
{
    public static void Register(OpEmitterTable t) => t.Add("Det", 11, Det);

    private static void Det(ExportContext ctx, Node n)
    {
        var rank = ctx.RequireRank(n, 0, "bring the input to [batch, M, M]");
        if (rank < 2)
        {
            throw ctx.Invalid(n, $"input must have rank ≥ 2 ([..., M, M]), has {rank}");
        }

        var name = n.Out0();
        var x = ctx.In(n, 0);
        switch (rank)
        {
            case 3:
                ctx.Final(n, OpType.Det, null, x);
                break;
            case 2:
                var det = ctx.AddTemp(OpType.Det, name + "/det", null, ctx.Unsqueeze(name + "/batch", x, 0));
                ctx.Final(n, OpType.Squeeze, MnnParams.Squeeze([0]), det);
                break;
            default:
                var shape = ctx.RequireStaticShape(n, 0, "flatten its leading axes into one batch axis");
                var m = checked((int)shape[^1]);
                var flat = ctx.Reshape(name + "/flat", x, ctx.ConstInts(name + "/flat_shape", [-1, m, m], 3));
                var dets = ctx.AddTemp(OpType.Det, name + "/det", null, flat);
                var lead = shape[..^2].Select(d => checked((int)d)).ToArray();
                ctx.Final(n, OpType.Reshape, MnnParams.Reshape(), dets, ctx.ConstInts(name + "/lead_shape", lead, lead.Length));
                break;
        }
    }
}
