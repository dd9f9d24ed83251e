using ModelBuild.Runtime.Engine.Operators.Compute;
using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Runtime.Engine.Operators.ControlFlow;

/// <summary>
/// MNN If, as upstream's IfModule runs it: input 0 is the condition (its first element &gt; 0 takes then_graph),
/// inputs 1.. are handed to the bodies by name through aliases_inputs, and output k is the body tensor named by
/// aliases_outputs[k] (then, else) — or body output k when the file has no aliases_outputs. Each body is a child
/// <see cref="ExecutionGraph"/> built once with the session's options; the chosen one runs in Reshape, because the
/// outputs' shapes are known only then, and Execute copies its results.
/// </summary>
[MnnOperator(OpType.If)]
internal sealed class IfExecutor : OperatorExecutor
{
    private readonly Body _then;
    private readonly Body _else;
    private Tensor[] _results = [];

    public IfExecutor(OpT op, ExecutorEnvironment env)
    {
        var p = ComputeSupport.Param<IfParamT>(op);
        int outputs = op.OutputIndexes?.Count ?? 0;
        _then = new Body(env, op, p, p.ThenGraph, 0, outputs);
        _else = new Body(env, op, p, p.ElseGraph, 1, outputs);
    }

    public override bool ShapeDependsOnInputValues => true;

    public override void Reshape(OpContext ctx)
    {
        var cond = ctx.Inputs.Length > 0 ? ctx.Inputs[0] : throw ctx.Error("If has no condition input");
        bool take = BodyResults.FirstElement(ctx, cond, "condition") > 0;
        _results = (take ? _then : _else).Run(ctx);
        if (_results.Length != ctx.Outputs.Length)
        {
            throw ctx.Error($"the body gives {_results.Length} outputs, the op has {ctx.Outputs.Length}");
        }

        for (int k = 0; k < _results.Length; k++)
        {
            ctx.Outputs[k].Reshape(_results[k].ShapeArray, _results[k].ElementType);
        }
    }

    public override void Execute(OpContext ctx)
    {
        BodyResults.CopyTo(_results, ctx.Outputs);
    }

    /// <summary>One branch: its graph, which If inputs feed which body inputs, which body tensors are the outputs.</summary>
    private sealed class Body
    {
        private readonly ExecutionGraph _graph;
        private readonly (int BodyTensor, int OpInput)[] _inputs;
        private readonly int[] _outputs;

        public Body(ExecutorEnvironment env, OpT op, IfParamT p, string? name, int branch, int outputs)
        {
            var (model, bodyInputs) = env.Body(name, op.Name);
            _graph = new ExecutionGraph(model, env.Options, env.Nested(name ?? ""));
            var inputs = new List<(int, int)>();
            var aliases = p.AliasesInputs ?? [];
            for (int i = 0; i < aliases.Count; i++)
            {
                foreach (var alias in aliases[i]?.Data ?? [])
                {
                    if (bodyInputs.Contains(alias))
                    {
                        inputs.Add((model.Graph.TensorByName[alias], i));
                    }
                }
            }

            if (inputs.Select(x => x.Item1).Distinct().Count() != model.Graph.InputTensors.Count)
            {
                throw new ModelBuildException(ErrorCodes.MnnInvalidGraph,
                    $"{env.ModelName}: op '{op.Name}': subgraph '{name}' has {model.Graph.InputTensors.Count} inputs, aliases_inputs feed {inputs.Count}");
            }

            _inputs = [.. inputs];
            _outputs = new int[outputs];
            for (int k = 0; k < outputs; k++)
            {
                var alias = p.AliasesOutputs is { Count: > 0 } ao
                    ? (k < ao.Count && ao[k]?.Data is { Count: 2 } pair ? pair[branch] : null)
                    : (k < model.Graph.OutputTensors.Count ? model.Graph.TensorNames[model.Graph.OutputTensors[k]] : null);
                _outputs[k] = alias is not null && model.Graph.TensorByName.TryGetValue(alias, out int t)
                    ? t
                    : throw new ModelBuildException(ErrorCodes.MnnInvalidGraph, $"{env.ModelName}: op '{op.Name}': output {k} names no tensor of subgraph '{name}'");
            }
        }

        public Tensor[] Run(OpContext ctx)
        {
            var feeds = new Dictionary<int, Tensor>();
            foreach (var (bodyTensor, opInput) in _inputs)
            {
                feeds[bodyTensor] = opInput < ctx.Inputs.Length ? ctx.Inputs[opInput] : throw ctx.Error($"aliases_inputs names input {opInput}, the op has {ctx.Inputs.Length}");
            }

            return _graph.Run(feeds, _outputs);
        }
    }
}
