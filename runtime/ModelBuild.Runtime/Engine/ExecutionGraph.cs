using ModelBuild.Runtime.Engine.Operators;
using ModelBuild.Runtime.Engine.Planning;
using ModelBuild.Runtime.Format.Schema;
using ModelBuild.Runtime.Kernels;

namespace ModelBuild.Runtime;

/// <summary>
/// A session's executable form of a model: one executor and one <see cref="OpContext"/> per op, one persistent
/// tensor per graph tensor, and the buffer plan. Not thread-safe; <see cref="MnnSession"/> serializes runs.
/// </summary>
internal sealed partial class ExecutionGraph
{
    private readonly GraphInfo _graph;
    private readonly Tensor[] _tensors;
    private readonly CompiledOp[] _ops;
    private readonly BufferSlot[] _slots;
    private readonly int[] _slotOf;
    private readonly Action<string, Tensor>? _observer;
    /// <summary>fp16 emulation (<see cref="SessionPrecision.EmulatedFp16"/>): inputs and op outputs rounded to fp16.</summary>
    private readonly bool _fp16;
    private OutputCopyPlan? _copies;

    /// <param name="environment">For a control-flow body: its (nested) environment; null for a model.</param>
    public ExecutionGraph(MnnModel model, MnnSessionOptions options, ExecutorEnvironment? environment = null)
    {
        _graph = model.Graph;
        _observer = options.TensorObserver;
        _fp16 = options.Precision == SessionPrecision.EmulatedFp16;
        LayoutCheck.Check(_graph);
        var constants = model.Constants;
        var executors = CreateExecutors(_graph, environment ?? new ExecutorEnvironment(model.Name, model.Net.Subgraphs ?? [], options));

        _tensors = new Tensor[_graph.TensorCount];
        for (int t = 0; t < _tensors.Length; t++)
        {
            _tensors[t] = constants[t] ?? new Tensor(TensorElementType.Float32, []);
        }

        var pinned = new bool[_graph.TensorCount];
        for (int t = 0; t < pinned.Length; t++)
        {
            pinned[t] = _observer is not null || constants[t] is not null;
        }

        foreach (int t in _graph.InputTensors.Concat(_graph.OutputTensors))
        {
            pinned[t] = true;
        }

        var aliasing = executors.Select(e => e is { OutputMayAliasInput: true }).ToArray();
        var plan = BufferPlan.Build(_graph.TensorCount, _graph.OpInputs, _graph.OpOutputs, pinned, aliasing);
        _slotOf = plan.SlotOf;
        _slots = Enumerable.Range(0, plan.SlotCount).Select(_ => new BufferSlot()).ToArray();

        var isa = options.Isa is { } forced ? KernelIsa.Clamp(forced) : KernelIsa.Default;
        int threads = options.Threads <= 0 ? Environment.ProcessorCount : options.Threads;
        var ops = new List<CompiledOp>();
        for (int i = 0; i < _graph.Ops.Length; i++)
        {
            if (executors[i] is not { } exec)
            {
                continue;
            }

            var ctx = new OpContext(
                _graph.Ops[i].Name ?? $"#{i}",
                _graph.OpInputs[i].Select(t => _tensors[t]).ToArray(),
                _graph.OpOutputs[i].Select(t => _tensors[t]).ToArray())
            {
                Isa = isa,
                Threads = threads,
            };
            ops.Add(new CompiledOp(i, exec, ctx));
        }

        _ops = ops.ToArray();
    }

    /// <summary>Total bytes held by shared buffers (tests use it to see that sharing happens).</summary>
    internal long SharedBytes => _slots.Sum(s => s.Bytes);

    internal int SlotCount => _slots.Length;

    /// <summary>The session's tensor <paramref name="index"/> as the last run left it (read-only use: shapes for descriptions).</summary>
    internal Tensor TensorAt(int index) => _tensors[index];

    /// <summary>
    /// Runs the graph on <paramref name="inputs"/> (already validated, by input tensor index) and returns fresh
    /// copies of the tensors in <paramref name="wanted"/>. Copies of intermediate tensors are taken right after
    /// the op producing them, before a later op can reuse their buffer.
    /// </summary>
    public Tensor[] Run(IReadOnlyDictionary<int, Tensor> inputs, int[] wanted)
    {
        foreach (var (index, value) in inputs)
        {
            CopyInto(value, _tensors[index]);
            RoundInput(_tensors[index]);
        }

        var results = new Tensor[wanted.Length];
        for (int w = 0; w < results.Length; w++)
        {
            results[w] = new Tensor(TensorElementType.Float32, []);
        }

        Execute(wanted, results);
        return results;
    }

    /// <summary>
    /// Runs the graph with <paramref name="inputs"/>[k] as graph input k (<see cref="GraphInfo.InputTensors"/>
    /// order; already validated) and copies wanted tensor w into <paramref name="targets"/>[w], reshaping it and
    /// reusing its arrays when they are large enough. Allocates nothing when shapes are those of the previous run
    /// with the same <paramref name="wanted"/> array (the copy plan is kept for it).
    /// </summary>
    public void Run(Tensor[] inputs, int[] wanted, Tensor[] targets)
    {
        var inputTensors = _graph.InputTensors;
        for (int k = 0; k < inputs.Length; k++)
        {
            CopyInto(inputs[k], _tensors[inputTensors[k]]);
            RoundInput(_tensors[inputTensors[k]]);
        }

        Execute(wanted, targets);
    }

    private void Execute(int[] wanted, Tensor[] targets)
    {
        var plan = OutputCopies(wanted);
        for (int i = 0; i < _ops.Length; i++)
        {
            var op = _ops[i];
            RunOp(op);
            foreach (var (tensor, w) in plan.AfterOp[i])
            {
                CopyInto(_tensors[tensor], targets[w]);
            }

            if (_observer is not null)
            {
                foreach (int t in _graph.OpOutputs[op.Index])
                {
                    _observer(_graph.TensorNames[t], _tensors[t]);
                }
            }
        }

        foreach (int w in plan.AtEnd)
        {
            CopyInto(_tensors[wanted[w]], targets[w]);
        }
    }

    /// <summary>The copy plan for <paramref name="wanted"/>: the last one is kept, keyed by the array itself.</summary>
    private OutputCopyPlan OutputCopies(int[] wanted)
    {
        if (_copies is { } last && ReferenceEquals(last.Wanted, wanted))
        {
            return last;
        }

        var position = new int[_graph.Ops.Length];
        Array.Fill(position, -1);
        for (int i = 0; i < _ops.Length; i++)
        {
            position[_ops[i].Index] = i;
        }

        var after = new List<(int, int)>[_ops.Length];
        var atEnd = new List<int>();
        for (int w = 0; w < wanted.Length; w++)
        {
            int producer = _graph.Producer[wanted[w]];
            int at = producer >= 0 && _graph.Ops[producer].Type is not (OpType.Input or OpType.Const or OpType.TrainableParam)
                ? position[producer]
                : -1;
            if (at >= 0)
            {
                (after[at] ??= []).Add((wanted[w], w));
            }
            else
            {
                atEnd.Add(w);
            }
        }

        _copies = new OutputCopyPlan(wanted, Array.ConvertAll(after, l => l?.ToArray() ?? []), atEnd.ToArray());
        return _copies;
    }

    /// <summary>Which wanted tensors are copied out after which op (by position in the run), and which at the end.</summary>
    private sealed record OutputCopyPlan(int[] Wanted, (int Tensor, int Wanted)[][] AfterOp, int[] AtEnd);

    private void RunOp(CompiledOp op)
    {
        var ctx = op.Context;
        try
        {
            if (op.NeedsReshape())
            {
                op.Executor.Reshape(ctx);
                op.RememberInputShapes();
            }

            BindSlots(op);
            op.Executor.Execute(ctx);
            if (_fp16)
            {
                Engine.Emulation.Fp16Emulation.RoundOutputs(ctx);
            }
        }
        catch (ModelBuildException)
        {
            op.Forget();
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException and not ThreadAbortException)
        {
            op.Forget();
            throw new ModelBuildException(ErrorCodes.RuntimeExecutionFailed,
                $"{_graph.OpLabel(op.Index)} failed: {e.GetType().Name}: {e.Message}", e);
        }
        catch (OutOfMemoryException e)
        {
            op.Forget();
            throw new ModelBuildException(ErrorCodes.RuntimeInvalidShape, $"{_graph.OpLabel(op.Index)}: out of memory for its output shapes", e);
        }
    }

    /// <summary>Gives the op's (just reshaped) outputs their shared buffers.</summary>
    private void BindSlots(CompiledOp op)
    {
        var outputs = _graph.OpOutputs[op.Index];
        for (int k = 0; k < outputs.Length; k++)
        {
            int slot = _slotOf[outputs[k]];
            if (slot >= 0)
            {
                _slots[slot].Bind(op.Context.Outputs[k]);
            }
        }
    }

    private void RoundInput(Tensor t)
    {
        if (_fp16)
        {
            Engine.Emulation.Fp16Emulation.RoundInPlace(t, KernelIsa.Default);
        }
    }

    private static void CopyInto(Tensor source, Tensor target)
    {
        target.Reshape(source.ShapeArray, source.ElementType);
        if (source.ElementType == TensorElementType.Float32)
        {
            source.Floats.CopyTo(target.Floats);
        }
        else
        {
            source.Ints.CopyTo(target.Ints);
        }
    }

    private static OperatorExecutor?[] CreateExecutors(GraphInfo graph, ExecutorEnvironment environment)
    {
        var executors = new OperatorExecutor?[graph.Ops.Length];
        var missing = new List<int>();
        for (int i = 0; i < graph.Ops.Length; i++)
        {
            var op = graph.Ops[i];
            if (OperatorRegistry.EngineHandled.Contains(op.Type))
            {
                continue;
            }

            if (!OperatorRegistry.IsSupported(op.Type))
            {
                missing.Add(i);
                continue;
            }

            executors[i] = Engine.Emulation.Fp16Emulation.Wrap(op, OperatorRegistry.Create(op, graph.ModelName, environment), environment.Options);
        }

        if (missing.Count > 0)
        {
            var first = graph.Ops[missing[0]];
            var others = missing.Select(i => graph.Ops[i].Type).Distinct().Where(t => t != first.Type).ToList();
            throw new ModelBuildException(ErrorCodes.UnsupportedMnnOperator,
                $"{graph.ModelName}: op '{first.Name}' has type {first.Type}, which this runtime does not implement" +
                (others.Count > 0 ? $" (other unsupported op types: {string.Join(", ", others)})" : ""));
        }

        return executors;
    }

    /// <summary>
    /// An op with its executor and what its last Reshape saw: input shapes and types, and, for executors whose shape
    /// reads only parameter inputs (<see cref="OperatorExecutor.ShapeReadsOnlyParameterValues"/>), the values of
    /// inputs 1.. . The arrays are reused, so a run with unchanged shapes allocates nothing here.
    /// </summary>
    private sealed class CompiledOp(int index, OperatorExecutor executor, OpContext context)
    {
        /// <summary>Parameter inputs longer than this are not remembered (the op then reshapes on every run).</summary>
        private const int MaxRememberedValues = 1024;

        private readonly int[][] _shapes = new int[context.Inputs.Length][];
        private readonly TensorElementType[] _types = new TensorElementType[context.Inputs.Length];
        private readonly int[]?[] _values = new int[]?[context.Inputs.Length];
        private readonly bool _valuesMatter = executor.ShapeDependsOnInputValues;
        private readonly bool _valuesRemembered = executor.ShapeDependsOnInputValues && executor.ShapeReadsOnlyParameterValues;
        private bool _valid;

        public int Index { get; } = index;

        public OperatorExecutor Executor { get; } = executor;

        public OpContext Context { get; } = context;

        public bool NeedsReshape()
        {
            if (!_valid || (_valuesMatter && !_valuesRemembered))
            {
                return true;
            }

            var inputs = Context.Inputs;
            for (int i = 0; i < inputs.Length; i++)
            {
                if (inputs[i].ElementType != _types[i] || !inputs[i].ShapeArray.AsSpan().SequenceEqual(_shapes[i]))
                {
                    return true;
                }

                if (_valuesRemembered && i > 0 && (_values[i] is not { } v || !Bits(inputs[i]).SequenceEqual(v)))
                {
                    return true;
                }
            }

            return false;
        }

        public void RememberInputShapes()
        {
            var inputs = Context.Inputs;
            for (int i = 0; i < inputs.Length; i++)
            {
                _shapes[i] = Keep(_shapes[i], inputs[i].ShapeArray);
                _types[i] = inputs[i].ElementType;
                if (_valuesRemembered && i > 0)
                {
                    // too long to compare cheaply: null makes NeedsReshape answer true
                    _values[i] = inputs[i].Length <= MaxRememberedValues ? Keep(_values[i], Bits(inputs[i])) : null;
                }
            }

            _valid = true;
        }

        /// <summary>After a failure the op's state is unknown: reshape again next time.</summary>
        public void Forget() => _valid = false;

        /// <summary>The elements as int bits (float values compared bit for bit: a NaN pad never matches itself otherwise).</summary>
        private static ReadOnlySpan<int> Bits(Tensor t) => t.ElementType == TensorElementType.Float32
            ? System.Runtime.InteropServices.MemoryMarshal.Cast<float, int>(t.Floats)
            : t.Ints;

        private static int[] Keep(int[]? kept, ReadOnlySpan<int> now)
        {
            if (kept is null || kept.Length != now.Length)
            {
                kept = new int[now.Length];
            }

            now.CopyTo(kept);
            return kept;
        }
    }
}
