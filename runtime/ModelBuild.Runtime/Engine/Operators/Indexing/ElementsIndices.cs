using ModelBuild.Runtime.Engine.Operators.Shape;

namespace ModelBuild.Runtime.Engine.Operators.Indexing;

/// <summary>Shape rule GatherElements and ScatterElements share: indices may not exceed data on any other axis.</summary>
internal static class ElementsIndices
{
    public static void CheckFits(OpContext ctx, int[] data, int[] indices, int axis)
    {
        for (int d = 0; d < data.Length; d++)
        {
            if (d != axis && indices[d] > data[d])
            {
                throw ctx.Error($"indices {ShapeSupport.Show(indices)} exceed data {ShapeSupport.Show(data)} on axis {d}");
            }
        }
    }
}
