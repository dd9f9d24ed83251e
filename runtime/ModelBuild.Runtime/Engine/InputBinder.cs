namespace ModelBuild.Runtime;

/// <summary>
/// Checks caller inputs against the model's declared inputs and puts them in model-input order. Allocates nothing
/// when the inputs are valid and come in a <see cref="Dictionary{TKey, TValue}"/> or
/// <see cref="OrderedDictionary{TKey, TValue}"/> (their struct enumerators), so a steady-state run stays
/// allocation-free; any other dictionary type is enumerated through the interface.
/// </summary>
internal static class InputBinder
{
    /// <summary>Fills <paramref name="bound"/>[k] with the tensor for model input k (the array has one slot per input).</summary>
    public static void Bind(MnnModel model, IReadOnlyDictionary<string, Tensor> inputs, Tensor?[] bound)
    {
        switch (inputs)
        {
            case Dictionary<string, Tensor> d:
                foreach (var (name, value) in d)
                {
                    BindOne(model, name, value, bound);
                }

                break;
            case OrderedDictionary<string, Tensor> d:
                foreach (var (name, value) in d)
                {
                    BindOne(model, name, value, bound);
                }

                break;
            default:
                foreach (var (name, value) in inputs)
                {
                    BindOne(model, name, value, bound);
                }

                break;
        }

        var infos = model.Inputs;
        for (int k = 0; k < infos.Count; k++)
        {
            if (!inputs.ContainsKey(infos[k].Name))
            {
                throw new ModelBuildException(ErrorCodes.RuntimeMissingInput, $"{model.Name}: input '{infos[k].Name}' was not given");
            }
        }
    }

    private static void BindOne(MnnModel model, string name, Tensor value, Tensor?[] bound)
    {
        int index = IndexOf(model.Inputs, name);
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
        bound[index] = value;
    }

    /// <summary>Position of the input named <paramref name="name"/> (the first, as the graph lists them), or -1.</summary>
    private static int IndexOf(IReadOnlyList<TensorInfo> infos, string name)
    {
        for (int k = 0; k < infos.Count; k++)
        {
            if (string.Equals(infos[k].Name, name, StringComparison.Ordinal))
            {
                return k;
            }
        }

        return -1;
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

        var shape = value.ShapeArray;
        bool ok = shape.Length == info.Shape.Count;
        for (int d = 0; ok && d < shape.Length; d++)
        {
            ok = info.Shape[d] < 0 || info.Shape[d] == shape[d];
        }

        if (!ok)
        {
            throw new ModelBuildException(ErrorCodes.RuntimeShapeMismatch,
                $"{model.Name}: input '{info.Name}' has shape [{string.Join(",", value.Shape)}], the model expects [{string.Join(",", info.Shape)}] (-1 = any)");
        }
    }
}
