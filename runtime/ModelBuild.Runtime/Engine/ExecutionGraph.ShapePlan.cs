using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Runtime;

/// <summary>Shape planning without a run: what <see cref="MnnModel.Outputs"/> reports for fixed input shapes.</summary>
internal sealed partial class ExecutionGraph
{
    /// <summary>
    /// Plans every op's output shapes for graph inputs shaped like <paramref name="inputs"/> (input k in
    /// <see cref="GraphInfo.InputTensors"/> order; their values are not looked at) and returns, per tensor, whether
    /// its shape is known; <see cref="TensorAt"/> then holds that shape and element type. Ops are reshaped, not
    /// run, except those whose inputs are all computable without input values (constants, Shape/Rank/Size of
    /// planned tensors, and ops over those): their values can decide a later shape (a Reshape's shape tensor).
    /// A shape that depends on input values (NonZero, a Reshape to a size computed from the data) stays unknown,
    /// as does everything after it, and so does the output of an op whose Reshape rejects the shapes.
    /// </summary>
    public bool[] PlanShapes(Tensor[] inputs)
    {
        var shapeKnown = new bool[_graph.TensorCount];
        var valueKnown = new bool[_graph.TensorCount];
        for (int t = 0; t < shapeKnown.Length; t++)
        {
            int producer = _graph.Producer[t];
            shapeKnown[t] = valueKnown[t] = producer >= 0 && _graph.Ops[producer].Type is OpType.Const or OpType.TrainableParam;
        }

        for (int k = 0; k < inputs.Length; k++)
        {
            int t = _graph.InputTensors[k];
            CopyInto(inputs[k], _tensors[t]);
            shapeKnown[t] = true;
        }

        foreach (var op in _ops)
        {
            var ins = _graph.OpInputs[op.Index];
            if (!ins.All(t => shapeKnown[t]))
            {
                continue;
            }

            var exec = op.Executor;
            bool valuesMissing = false;
            for (int i = 0; i < ins.Length; i++)
            {
                valuesMissing |= !valueKnown[ins[i]] && exec.ShapeReadsValueOf(i);
            }

            if (valuesMissing)
            {
                continue;
            }

            // values computable from planned shapes alone are computed, so shapes that depend on them can be planned
            bool computes = ins.All(t => valueKnown[t]) || _graph.Ops[op.Index].Type is OpType.Shape or OpType.Rank or OpType.Size;
            try
            {
                if (computes)
                {
                    RunOp(op);
                }
                else
                {
                    exec.Reshape(op.Context);
                    BindSlots(op);
                }
            }
            catch (Exception e) when (e is ModelBuildException or ArgumentException or InvalidOperationException or OverflowException or IndexOutOfRangeException)
            {
                // the shapes are not valid for this op: a run would fail here, so its outputs have no planned shape
                continue;
            }

            foreach (int t in _graph.OpOutputs[op.Index])
            {
                shapeKnown[t] = true;
                valueKnown[t] = computes;
            }
        }

        return shapeKnown;
    }
}
