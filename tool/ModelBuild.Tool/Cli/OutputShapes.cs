using ModelBuild.Converter.Conversion;
using ModelBuild.Runtime;

namespace ModelBuild.Tool.Cli;

/// <summary>
/// Output shapes for <c>inspect</c>. An .mnn file declares none, so they come from the runtime's plan for the
/// declared input shapes (<see cref="MnnModel.Outputs"/>); an .onnx model's declared outputs are completed the same
/// way (converted in memory) where they leave a dimension or the rank open. Either way a note says why any <c>?</c>
/// is left: a dynamic input dimension, a shape that depends on input values, or a model the runtime cannot plan.
/// </summary>
internal static class OutputShapes
{
    public static (IReadOnlyList<ValueDescription> Outputs, string? Note) ForMnn(MnnModel model)
    {
        var outputs = model.Outputs.Select(Describe).ToArray();
        return (outputs, Note(model.Inputs.Select(Describe).ToArray(), outputs, () => CannotPlan(model))
            ?? "output shapes planned for the declared input shapes (MNN files declare none)");
    }

    /// <summary><paramref name="declared"/> with open shapes filled from the plan of the model converted in memory.</summary>
    public static (IReadOnlyList<ValueDescription> Outputs, string? Note) ForOnnx(string path, IReadOnlyList<ValueDescription> inputs, IReadOnlyList<ValueDescription> declared)
    {
        if (declared.All(Known))
        {
            return (declared, null);
        }

        if (!inputs.All(Known))
        {
            return (declared, Note(inputs, declared, () => null));
        }

        MnnModel model;
        try
        {
            model = MnnModel.FromBytes(ModelConverter.Convert(path, new ConversionOptions()).Bytes, path);
        }
        catch (ModelBuildException e)
        {
            return (declared, $"? = not known before a run: the model could not be planned ({e.Code}: {e.Message})");
        }

        var planned = model.Outputs.ToDictionary(o => o.Name, Describe, StringComparer.Ordinal);
        var outputs = declared.Select(d => Known(d) || !planned.TryGetValue(d.Name, out var p) || !Known(p)
            ? d
            : d with { Shape = p.Shape, Type = d.Type is "?" ? p.Type : d.Type }).ToArray();
        return (outputs, Note(inputs, outputs, () => CannotPlan(model)) ?? "output shapes the model leaves open are planned for the declared input shapes");
    }

    /// <summary>Why some outputs still show <c>?</c> (null when none does).</summary>
    private static string? Note(IReadOnlyList<ValueDescription> inputs, IReadOnlyList<ValueDescription> outputs, Func<string?> cannotPlan)
    {
        if (outputs.All(Known))
        {
            return null;
        }

        var dynamic = inputs.Where(i => !Known(i)).Select(i => $"'{i.Name}' {i.ShapeText}").ToArray();
        if (dynamic.Length > 0)
        {
            return $"? = not known before a run: input {string.Join(", ", dynamic)} has dynamic dimensions";
        }

        return "? = not known before a run: " + (cannotPlan() ?? "the shape depends on input values");
    }

    /// <summary>The error a session would give (e.g. MB3003), or null when the model can run.</summary>
    private static string? CannotPlan(MnnModel model)
    {
        try
        {
            using var session = new MnnSession(model);
            return null;
        }
        catch (ModelBuildException e)
        {
            return $"the model could not be planned ({e.Code}: {e.Message})";
        }
    }

    private static bool Known(ValueDescription v) => v.Shape is { } s && s.All(d => d.Value is not null);

    internal static ValueDescription Describe(TensorInfo t)
    {
        var type = t.ElementType == TensorElementType.Float32 ? "float32" : "int32";
        return new(t.Name, type, t.RankKnown ? [.. t.Shape.Select(d => d < 0 ? new Dim(null, null) : new Dim(d, null))] : null);
    }
}
