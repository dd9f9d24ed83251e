using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Runtime;

/// <summary>
/// Best-effort element type of a tensor without running the model (MNN files do not record output types), used
/// only to describe <see cref="MnnModel.Outputs"/>. The type a session actually returns is authoritative.
/// </summary>
internal static class TypeInference
{
    public static TensorElementType Guess(GraphInfo graph, int tensor)
    {
        var memo = new Dictionary<int, TensorElementType>();
        return Guess(graph, tensor, memo, depth: 0);
    }

    private static TensorElementType Guess(GraphInfo g, int tensor, Dictionary<int, TensorElementType> memo, int depth)
    {
        if (memo.TryGetValue(tensor, out var known))
        {
            return known;
        }

        int opIndex = g.Producer[tensor];
        if (opIndex < 0 || depth > 256)
        {
            return TensorElementType.Float32;
        }

        var op = g.Ops[opIndex];
        var inputs = g.OpInputs[opIndex];
        TensorElementType FromInput(int i) =>
            i < inputs.Length ? Guess(g, inputs[i], memo, depth + 1) : TensorElementType.Float32;

        var result = op.Type switch
        {
            OpType.Input => IsInt((op.Main?.Value as InputT)?.Dtype ?? DataType.DT_FLOAT),
            OpType.Const => IsInt((op.Main?.Value as BlobT)?.DataType ?? DataType.DT_FLOAT),
            OpType.Shape or OpType.Rank or OpType.Size or OpType.ArgMax or OpType.ArgMin or OpType.Where => TensorElementType.Int32,
            OpType.OneHot => IsInt((op.Main?.Value as OneHotParamT)?.DType ?? DataType.DT_FLOAT),
            OpType.Cast => IsInt((op.Main?.Value as CastParamT)?.DstT ?? DataType.DT_FLOAT),
            OpType.BinaryOp when (op.Main?.Value as BinaryOpT)?.OpType is BinaryOpOperation.GREATER
                or BinaryOpOperation.GREATER_EQUAL or BinaryOpOperation.LESS or BinaryOpOperation.LESS_EQUAL
                or BinaryOpOperation.EQUAL or BinaryOpOperation.NOTEQUAL => TensorElementType.Int32,
            OpType.Select => FromInput(1),
            OpType.Fill => FromInput(1),
            _ => FromInput(0),
        };
        memo[tensor] = result;
        return result;
    }

    private static TensorElementType IsInt(DataType t) => t == DataType.DT_FLOAT || t == DataType.DT_HALF || t == DataType.DT_DOUBLE
        ? TensorElementType.Float32
        : TensorElementType.Int32;
}
