namespace ModelBuild.Runtime.Engine.Operators.ControlFlow;

/// <summary>Control-flow ops run their bodies in Reshape; Execute copies the bodies' results into the op's outputs.</summary>
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
}
