namespace ModelBuild.Runtime;

/// <summary>
/// Describes one model input or output: its tensor name, element type and declared shape. Immutable; owned by
/// the <see cref="MnnModel"/> that returned it and safe to share.
/// </summary>
public sealed class TensorInfo
{
    internal TensorInfo(string name, TensorElementType elementType, IReadOnlyList<int> shape, bool rankKnown)
    {
        Name = name;
        ElementType = elementType;
        Shape = shape;
        RankKnown = rankKnown;
    }

    /// <summary>The tensor's name in the model (MNN <c>Net.tensorName</c>).</summary>
    public string Name { get; }

    /// <summary>Element type the session accepts or produces for this tensor.</summary>
    public TensorElementType ElementType { get; }

    /// <summary>
    /// Declared dimensions; <c>-1</c> marks a dynamic dimension. Empty when the rank is unknown
    /// (see <see cref="RankKnown"/>) or the tensor is a scalar. MNN files declare no output shapes: an
    /// <see cref="MnnModel"/>'s outputs have the shape planned for the declared input shapes when those are fixed
    /// (else an empty shape with <see cref="RankKnown"/> false), and a session's (<see cref="MnnSession.Outputs"/>)
    /// have the shape planned for its latest run.
    /// </summary>
    public IReadOnlyList<int> Shape { get; }

    /// <summary>False when the model does not fix the rank (any rank is accepted for such an input).</summary>
    public bool RankKnown { get; }

    internal bool ShapeEquals(ReadOnlySpan<int> shape)
    {
        if (shape.Length != Shape.Count)
        {
            return false;
        }

        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] != Shape[i])
            {
                return false;
            }
        }

        return true;
    }

    public override string ToString() =>
        $"{Name}: {ElementType}[{(RankKnown ? string.Join(",", Shape) : "?")}]";
}
