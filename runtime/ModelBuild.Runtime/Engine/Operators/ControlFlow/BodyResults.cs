namespace ModelBuild.Runtime.Engine.Operators.ControlFlow;

/// <summary>
/// What the control-flow ops share: they run their bodies in Reshape and Execute copies the bodies' results into the
/// op's outputs; conditions and trip counts are read as upstream reads them.
/// </summary>
internal static class BodyResults
{
    public static void CopyTo(Tensor[] results, Tensor[] outputs)
    {
        for (int k = 0; k < results.Length; k++)
        {
            if (results[k].ElementType == TensorElementType.Float32)
            {
                results[k].Floats.CopyTo(outputs[k].Floats);
            }
            else
            {
                results[k].Ints.CopyTo(outputs[k].Ints);
            }
        }
    }

    /// <summary>As upstream reads a trip count or condition: the first element, of an int32 or float32 tensor.</summary>
    public static long FirstElement(OpContext ctx, Tensor t, string what)
    {
        if (t.Length < 1)
        {
            throw ctx.Error($"the {what} {t} is empty");
        }

        return t.ElementType == TensorElementType.Int32 ? t.Ints[0] : t.Floats[0] > 0 ? 1 : 0;
    }
}
