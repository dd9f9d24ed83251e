using ModelBuild.Converter.Graph;

namespace ModelBuild.Converter.Parity.Inputs;

/// <summary>A model input with a concrete shape chosen for the check.</summary>
public sealed record InputSignature(string Name, DataType Type, long[] Shape)
{
    public long ElementCount => Shape.Aggregate(1L, (a, d) => checked(a * d));

    /// <summary>
    /// Concrete shapes for every graph input: <paramref name="overrides"/> first, then the declared shape; a
    /// symbolic dim becomes 1 when it is batch-like (axis 0, or named like batch/N), otherwise MB1012.
    /// </summary>
    public static IReadOnlyList<InputSignature> Resolve(ModelGraph graph, IReadOnlyDictionary<string, long[]> overrides)
    {
        foreach (var name in overrides.Keys)
        {
            if (!graph.Inputs.Contains(name))
            {
                throw new ModelBuildException(ErrorCodes.InvalidInputShapeOption,
                    $"--input-shape names '{name}', which is not an input of {graph.SourcePath} (inputs: {string.Join(", ", graph.Inputs)})");
            }
        }

        var result = new List<InputSignature>();
        foreach (var name in graph.Inputs)
        {
            var value = graph.GetValue(name);
            var type = value.Type == DataType.Undefined ? DataType.Float : value.Type;
            if (overrides.TryGetValue(name, out var given))
            {
                if (value.Shape is not null && value.Shape.Length != given.Length)
                {
                    throw new ModelBuildException(ErrorCodes.InvalidInputShapeOption,
                        $"--input-shape {name} has rank {given.Length} but {graph.SourcePath} declares rank {value.Shape.Length} ([{string.Join(",", value.Shape)}])");
                }

                result.Add(new InputSignature(name, type, given));
                continue;
            }

            if (value.Shape is null)
            {
                throw new ModelBuildException(ErrorCodes.InvalidInputShapeOption,
                    $"input '{name}' of {graph.SourcePath} has no declared shape; give one with --input-shape {name}=D1xD2x...");
            }

            var shape = new long[value.Shape.Length];
            for (var i = 0; i < shape.Length; i++)
            {
                var d = value.Shape[i];
                if (d.IsKnown)
                {
                    shape[i] = d.Value!.Value;
                }
                else if (IsBatchLike(d, i))
                {
                    shape[i] = 1;
                }
                else
                {
                    throw new ModelBuildException(ErrorCodes.InvalidInputShapeOption,
                        $"input '{name}' of {graph.SourcePath} has symbolic dimension '{d}' at axis {i} ([{string.Join(",", value.Shape)}]) that cannot be guessed; give it with --input-shape {name}=D1xD2x...");
                }
            }

            result.Add(new InputSignature(name, type, shape));
        }

        return result;
    }

    private static bool IsBatchLike(Dim d, int axis)
    {
        if (axis == 0)
        {
            return true;
        }

        var s = (d.Symbol ?? "").ToLowerInvariant();
        return s is "n" or "b" or "batch" or "batch_size" or "batchsize" or "bs" || s.Contains("batch");
    }
}
