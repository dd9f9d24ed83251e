namespace ModelBuild.Runtime;

/// <summary>
/// Describes a model's outputs for <see cref="MnnModel.Outputs"/>: MNN files declare no output shapes, so when every
/// input has a fixed shape the outputs are planned for those shapes (<see cref="ExecutionGraph.PlanShapes"/>) and
/// get that shape and element type. Outputs of models with dynamic inputs, whose shape depends on input values, or
/// that the runtime cannot plan (an unsupported op) keep an unknown shape and a guessed element type.
/// </summary>
internal static class OutputPlanner
{
    public static TensorInfo[] Describe(MnnModel model)
    {
        var graph = model.Graph;
        var outputs = graph.OutputTensors.Select(graph.DescribeOutput).ToArray();
        if (!HasFixedInputs(model))
        {
            return outputs;
        }

        ExecutionGraph plan;
        try
        {
            plan = new ExecutionGraph(model, new MnnSessionOptions { Threads = 1 });
        }
        catch (ModelBuildException)
        {
            // e.g. MB3003: a session could not be created either, so there is nothing to plan with
            return outputs;
        }

        var known = plan.PlanShapes([.. model.Inputs.Select(i => new Tensor(i.ElementType, i.Shape.ToArray()))]);
        for (int k = 0; k < outputs.Length; k++)
        {
            int t = graph.OutputTensors[k];
            if (known[t])
            {
                var planned = plan.TensorAt(t);
                outputs[k] = new TensorInfo(outputs[k].Name, planned.ElementType, planned.ShapeArray.ToArray(), rankKnown: true);
            }
        }

        return outputs;
    }

    /// <summary>True when every input declares its rank and no dimension is dynamic (-1).</summary>
    public static bool HasFixedInputs(MnnModel model) => model.Inputs.All(i => i.RankKnown && i.Shape.All(d => d >= 0));
}
