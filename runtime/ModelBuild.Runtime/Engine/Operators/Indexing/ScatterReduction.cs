using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Runtime.Engine.Operators.Indexing;

/// <summary>
/// How a scatter combines an update with the value already there: upstream stores it as a BinaryOp parameter whose
/// opType is the combining operation, or -1 (or no parameter) for plain replacement.
/// </summary>
internal enum ScatterCombine
{
    Replace,
    Add,
    Mul,
    Max,
    Min,
}

internal static class ScatterReduction
{
    public static ScatterCombine FromOp(OpT op)
    {
        if (op.Main?.Value is not BinaryOpT p || (int)p.OpType < 0)
        {
            return ScatterCombine.Replace;
        }

        return p.OpType switch
        {
            BinaryOpOperation.ADD => ScatterCombine.Add,
            BinaryOpOperation.MUL => ScatterCombine.Mul,
            BinaryOpOperation.MAXIMUM or BinaryOpOperation.MAX_TEMP => ScatterCombine.Max,
            BinaryOpOperation.MINIMUM or BinaryOpOperation.MIN_TEMP => ScatterCombine.Min,
            var other => throw new ModelBuildException(ErrorCodes.UnsupportedAttribute,
                $"op '{op.Name}' ({op.Type}): reduction {other} is not supported (ADD, MUL, MAXIMUM, MINIMUM or none)"),
        };
    }

    public static float Apply(ScatterCombine c, float old, float update) => c switch
    {
        ScatterCombine.Add => old + update,
        ScatterCombine.Mul => old * update,
        ScatterCombine.Max => MathF.Max(old, update),
        ScatterCombine.Min => MathF.Min(old, update),
        _ => update,
    };

    public static int Apply(ScatterCombine c, int old, int update) => c switch
    {
        ScatterCombine.Add => unchecked(old + update),
        ScatterCombine.Mul => unchecked(old * update),
        ScatterCombine.Max => Math.Max(old, update),
        ScatterCombine.Min => Math.Min(old, update),
        _ => update,
    };
}
