using ModelBuild.Runtime.Engine.Operators.Compute;
using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Runtime.Engine.Operators.ControlFlow;

/// <summary>
/// MNN While in the form upstream's ONNX front end writes (only <c>body_graph</c>; upstream's WhileModule "ONNX mode",
/// also its default-mode LSTM/GRU): inputs [max trip count, cond, v...]; the body gets [i (int32 scalar), cond, v...]
/// and returns [cond, v_next..., scan elements...]; outputs [v_final..., each scan output's elements stacked on a new
/// axis 0]. The loop runs while i &lt; max trip count and cond &gt; 0 (first elements). The body is a child
/// <see cref="ExecutionGraph"/> built once with the session's options; the loop runs in Reshape (the outputs' shapes
/// are known only after it) and Execute copies the results.
/// </summary>
[MnnOperator(OpType.While)]
internal sealed class WhileExecutor : OperatorExecutor
{
    private readonly ExecutionGraph _body;
    private readonly Dictionary<int, Tensor> _feeds = [];
    private readonly int[] _bodyInputs;
    private readonly int[] _bodyOutputs;
    private readonly int _carried;
    private readonly int _scans;
    private readonly Tensor _iteration = Tensor.FromInts([0]);
    private Tensor[] _results = [];

    public WhileExecutor(OpT op, ExecutorEnvironment env)
    {
        var p = ComputeSupport.Param<WhileParamT>(op);
        if (p.CondGraph is not null)
        {
            throw new ModelBuildException(ErrorCodes.UnsupportedMnnOperator,
                $"{env.ModelName}: op '{op.Name}': While with a cond_graph (the TensorFlow-style loop) is not supported; files converted from ONNX use body_graph only");
        }

        var (model, bodyInputs) = env.Body(p.BodyGraph, op.Name);
        int inputs = op.InputIndexes?.Count ?? 0;
        int outputs = op.OutputIndexes?.Count ?? 0;
        _carried = inputs - 2;
        _scans = outputs - _carried;
        var graph = model.Graph;
        if (_carried < 0 || _scans < 0 || bodyInputs.Count != inputs || graph.OutputTensors.Count != 1 + _carried + _scans)
        {
            throw new ModelBuildException(ErrorCodes.MnnInvalidGraph,
                $"{env.ModelName}: op '{op.Name}': While has {inputs} inputs and {outputs} outputs, its body '{p.BodyGraph}' {bodyInputs.Count} inputs and {graph.OutputTensors.Count} outputs (expected 2 + N inputs, N + K outputs; body 2 + N inputs, 1 + N + K outputs)");
        }

        _body = new ExecutionGraph(model, env.Options, env.Nested(p.BodyGraph ?? ""));
        // In the subgraph's inputs order (its Input ops may come in any order).
        _bodyInputs = [.. bodyInputs.Select(name => graph.TensorByName[name])];
        _bodyOutputs = [.. graph.OutputTensors];
    }

    public override bool ShapeDependsOnInputValues => true;

    public override void Reshape(OpContext ctx)
    {
        if (ctx.Inputs.Length != _bodyInputs.Length || ctx.Outputs.Length != _carried + _scans)
        {
            throw ctx.Error($"While has {ctx.Inputs.Length} inputs and {ctx.Outputs.Length} outputs, its body expects {_bodyInputs.Length} and gives {_carried + _scans}");
        }

        long limit = BodyResults.FirstElement(ctx, ctx.Inputs[0], "max trip count");
        var cond = ctx.Inputs[1];
        var values = ctx.Inputs[2..];
        var scans = new List<Tensor>[_scans];
        for (int k = 0; k < _scans; k++)
        {
            scans[k] = [];
        }

        for (int step = 0; step < limit && BodyResults.FirstElement(ctx, cond, "condition") > 0; step++)
        {
            _iteration.Ints[0] = step;
            _feeds[_bodyInputs[0]] = _iteration;
            _feeds[_bodyInputs[1]] = cond;
            for (int i = 0; i < _carried; i++)
            {
                _feeds[_bodyInputs[2 + i]] = values[i];
            }

            var outs = _body.Run(_feeds, _bodyOutputs);
            cond = outs[0];
            values = outs[1..(1 + _carried)];
            for (int k = 0; k < _scans; k++)
            {
                scans[k].Add(outs[1 + _carried + k]);
            }
        }

        _results = new Tensor[_carried + _scans];
        for (int i = 0; i < _carried; i++)
        {
            _results[i] = values[i];
        }

        for (int k = 0; k < _scans; k++)
        {
            _results[_carried + k] = Stack(ctx, scans[k], k);
        }

        for (int k = 0; k < _results.Length; k++)
        {
            ctx.Outputs[k].Reshape(_results[k].ShapeArray, _results[k].ElementType);
        }
    }

    public override void Execute(OpContext ctx)
    {
        BodyResults.CopyTo(_results, ctx.Outputs);
        _results = [];
    }

    /// <summary>
    /// The per-iteration values of one scan output stacked on a new axis 0 (they must agree in shape and type). With no
    /// iteration the element shape is unknown; the result is then an empty float tensor of shape [0].
    /// </summary>
    private static Tensor Stack(OpContext ctx, List<Tensor> items, int k)
    {
        if (items.Count == 0)
        {
            return new Tensor(TensorElementType.Float32, [0]);
        }

        var first = items[0];
        var shape = new int[first.Rank + 1];
        shape[0] = items.Count;
        first.ShapeArray.CopyTo(shape, 1);
        var stacked = new Tensor(first.ElementType, shape);
        int n = first.Length;
        for (int i = 0; i < items.Count; i++)
        {
            var item = items[i];
            if (item.ElementType != first.ElementType || !item.ShapeArray.AsSpan().SequenceEqual(first.ShapeArray))
            {
                throw ctx.Error($"scan output {k} is {first} at iteration 0 and {item} at iteration {i}; the elements of a scan output must agree");
            }

            if (first.ElementType == TensorElementType.Float32)
            {
                item.Floats.CopyTo(stacked.Floats.Slice(i * n, n));
            }
            else
            {
                item.Ints.CopyTo(stacked.Ints.Slice(i * n, n));
            }
        }

        return stacked;
    }
}
