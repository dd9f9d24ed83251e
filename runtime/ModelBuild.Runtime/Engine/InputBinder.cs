namespace ModelBuild.Runtime;

/// <summary>Checks caller inputs against the model's declared inputs and maps them to tensor indices.</summary>
internal static class InputBinder
{
    public static Dictionary<int, Tensor> Bind(MnnModel model, IReadOnlyDictionary<string, Tensor> inputs)
    {
        var graph = model.Graph;
        var bound = new Dictionary<int, Tensor>();
        foreach (var (name, value) in inputs)
        {
            int index = graph.InputTensors.FindIndex(t => graph.TensorNames[t] == name);
            if (index < 0)
            {
                throw new ModelBuildException(ErrorCodes.RuntimeUnknownInput,
                    $"{model.Name}: '{name}' is not an input of the model (inputs: {string.Join(", ", model.Inputs.Select(i => i.Name))})");
            }

            if (value is null)
            {
                throw new ModelBuildException(ErrorCodes.RuntimeMissingInput, $"{model.Name}: input '{name}' is null");
            }

            Check(model, model.Inputs[index], value);
            bound[graph.InputTensors[index]] = value;
        }

        foreach (var info in model.Inputs)
        {
            if (!inputs.ContainsKey(info.Name))
            {
                throw new ModelBuildException(ErrorCodes.RuntimeMissingInput, $"{model.Name}: input '{info.Name}' was not given");
            }
        }

        return bound;
    }

    private static void Check(MnnModel model, TensorInfo info, Tensor value)
    {
        if (value.ElementType != info.ElementType)
        {
            throw new ModelBuildException(ErrorCodes.RuntimeTypeMismatch,
                $"{model.Name}: input '{info.Name}' must be {info.ElementType}, got {value.ElementType}");
        }

        if (!info.RankKnown)
        {
            return;
        }

        bool ok = value.Rank == info.Shape.Count;
        for (int d = 0; ok && d < value.Rank; d++)
        {
            ok = info.Shape[d] < 0 || info.Shape[d] == value.Shape[d];
        }

        if (!ok)
        {
            throw new ModelBuildException(ErrorCodes.RuntimeShapeMismatch,
                $"{model.Name}: input '{info.Name}' has shape [{string.Join(",", value.Shape)}], the model expects [{string.Join(",", info.Shape)}] (-1 = any)");
        }
    }
}
