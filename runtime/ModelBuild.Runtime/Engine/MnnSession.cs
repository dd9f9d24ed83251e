namespace ModelBuild.Runtime;

/// <summary>
/// Runs an <see cref="MnnModel"/>. Creating a session builds every op's executor (MB3003 for op types the runtime
/// does not implement) and plans buffer reuse; each <see cref="Run(IReadOnlyDictionary{string, Tensor})"/> then
/// re-derives shapes only where input shapes changed. Several sessions may run on several threads at once
/// (they share only the immutable model); concurrent calls on one session are serialized by a lock.
/// </summary>
public sealed class MnnSession : IDisposable
{
    private readonly object _gate = new();
    private readonly MnnModel _model;
    private readonly string[] _outputNames;
    private readonly int[] _outputTensors;
    private readonly Tensor?[] _bound;
    private readonly Tensor[] _targets;

    /// <summary>Every buffer, executor and packed weight the session owns; null once disposed.</summary>
    private ExecutionGraph? _graph;

    /// <summary>
    /// What <see cref="Outputs"/> returns: replaced when a run plans other output shapes or types; null before the
    /// first run (the model's description is used then, planned only if someone asks).
    /// </summary>
    private TensorInfo[]? _outputInfo;

    /// <summary>
    /// Creates a session. The session keeps a reference to <paramref name="model"/> (which must stay unchanged;
    /// models are immutable) and copies what it needs from <paramref name="options"/>.
    /// </summary>
    public MnnSession(MnnModel model, MnnSessionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        options ??= new MnnSessionOptions();
        _graph = new ExecutionGraph(Engine.Emulation.Fp16Emulation.ModelFor(model, options), options);
        _outputTensors = model.Graph.OutputTensors.ToArray();
        _outputNames = _outputTensors.Select(t => model.Graph.TensorNames[t]).ToArray();
        InputNames = model.Inputs.Select(i => i.Name).ToArray();
        _bound = new Tensor?[model.Inputs.Count];
        _targets = new Tensor[_outputTensors.Length];
    }

    /// <summary>The model inputs (names, element types, declared shapes), in declaration order. Owned by the model.</summary>
    public IReadOnlyList<TensorInfo> Inputs => _model.Inputs;

    /// <summary>
    /// The model outputs in <see cref="OutputNames"/> order, with the element type and shape the session planned
    /// for the most recent successful run's input shapes (e.g. <c>Float32[1,1000]</c>). Before the first run the
    /// list is the model's <see cref="MnnModel.Outputs"/> (shapes planned for the declared input shapes when those
    /// are fixed, else unknown). The returned list is a snapshot: a later run with other input shapes replaces
    /// it rather than changing it.
    /// </summary>
    public IReadOnlyList<TensorInfo> Outputs => Volatile.Read(ref _outputInfo) ?? _model.Outputs;

    /// <summary>Names of the model inputs, in declaration order. Owned by the session; do not modify.</summary>
    public IReadOnlyList<string> InputNames { get; }

    /// <summary>Names of the model outputs, in the order <see cref="Run(IReadOnlyDictionary{string, Tensor})"/> returns them.</summary>
    public IReadOnlyList<string> OutputNames => _outputNames;

    /// <summary>The model this session runs (shared, immutable).</summary>
    public MnnModel Model => _model;

    /// <summary>The executable graph holding the session's buffers; null once disposed (tests watch it being collected).</summary>
    internal ExecutionGraph? Graph => _graph;

    /// <summary>
    /// Runs the model. <paramref name="inputs"/> must name every model input exactly (MB4002 missing, MB4003
    /// unknown) with the declared rank and fixed dimensions (MB4001) and element type (MB4005). The session copies
    /// the input values and does not keep the caller's tensors. Returns the model outputs in
    /// <see cref="OutputNames"/> order as fresh tensors owned by the caller.
    /// </summary>
    public IReadOnlyDictionary<string, Tensor> Run(IReadOnlyDictionary<string, Tensor> inputs) =>
        RunCore(inputs, _outputNames, _outputTensors);

    /// <summary>
    /// Like <see cref="Run(IReadOnlyDictionary{string, Tensor})"/> but returns the named tensors, which may be any
    /// tensor of the model (inputs, constants, intermediates; MB4003 for an unknown name), as fresh caller-owned
    /// copies in the order given.
    /// </summary>
    public IReadOnlyDictionary<string, Tensor> Run(IReadOnlyDictionary<string, Tensor> inputs, IReadOnlyList<string> outputNames)
    {
        ArgumentNullException.ThrowIfNull(outputNames);
        var indices = new int[outputNames.Count];
        for (int i = 0; i < indices.Length; i++)
        {
            if (outputNames[i] is null || !_model.Graph.TensorByName.TryGetValue(outputNames[i], out indices[i]))
            {
                throw new ModelBuildException(ErrorCodes.RuntimeUnknownInput,
                    $"{_model.Name}: the model has no tensor named '{outputNames[i]}'");
            }
        }

        return RunCore(inputs, outputNames, indices);
    }

    /// <summary>
    /// Runs the model and writes output k (<see cref="OutputNames"/> order) into <paramref name="outputs"/>[k].
    /// Inputs are checked as by <see cref="Run(IReadOnlyDictionary{string, Tensor})"/> and copied; the session keeps
    /// no reference to them. The output tensors stay owned by the caller: each is given the output's shape and
    /// element type, and keeps its arrays when they are large enough (else it gets new, larger ones, which it then
    /// owns; a tensor made by <see cref="Tensor.FromFloats"/> or <see cref="Tensor.FromMemory(Memory{float}, ReadOnlySpan{int})"/>
    /// stops sharing the caller's memory in that case; with room enough the values land in the caller's memory without a copy). The
    /// session keeps no reference to them after the call, so they may be reused for the next call. With the same
    /// input shapes as the previous call, and inputs in a <see cref="Dictionary{TKey, TValue}"/> or
    /// <see cref="OrderedDictionary{TKey, TValue}"/>, a call allocates no managed memory.
    /// MB5001 when <paramref name="outputs"/> does not hold exactly one non-null tensor per model output.
    /// </summary>
    public void Run(IReadOnlyDictionary<string, Tensor> inputs, IReadOnlyList<Tensor> outputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputs);
        if (outputs.Count != _outputTensors.Length)
        {
            throw new ModelBuildException(ErrorCodes.UsageError,
                $"{_model.Name}: {outputs.Count} output tensors given, the model has {_outputTensors.Length} outputs ({string.Join(", ", _outputNames)})");
        }

        lock (_gate)
        {
            var graph = LiveGraph();
            for (int k = 0; k < _targets.Length; k++)
            {
                _targets[k] = outputs[k] ?? throw new ModelBuildException(ErrorCodes.UsageError, $"{_model.Name}: output tensor {k} ('{_outputNames[k]}') is null");
            }

            try
            {
                InputBinder.Bind(_model, inputs, _bound);
                graph.Run(_bound!, _outputTensors, _targets);
                RecordOutputShapes(graph);
            }
            finally
            {
                // drop the caller's tensors: the session must not keep them alive (or reachable) between calls
                Array.Clear(_bound);
                Array.Clear(_targets);
            }
        }
    }

    /// <summary>
    /// Releases the session's buffers: intermediate and output buffers, executors and their packed weights become
    /// garbage at once, even while something still references the session (the model and tensors the caller got
    /// from <see cref="Run(IReadOnlyDictionary{string, Tensor})"/> are not affected). Later calls to Run throw
    /// <see cref="ObjectDisposedException"/>. Waits for a run in progress on another thread; safe to call more than once.
    /// </summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _graph = null;
        }
    }

    private IReadOnlyDictionary<string, Tensor> RunCore(IReadOnlyDictionary<string, Tensor> inputs, IReadOnlyList<string> names, int[] indices)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        lock (_gate)
        {
            var graph = LiveGraph();
            var values = new Tensor[indices.Length];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = new Tensor(TensorElementType.Float32, []);
            }

            try
            {
                InputBinder.Bind(_model, inputs, _bound);
                graph.Run(_bound!, indices, values);
                RecordOutputShapes(graph);
            }
            finally
            {
                Array.Clear(_bound);
            }

            var result = new OrderedDictionary<string, Tensor>(StringComparer.Ordinal);
            for (int i = 0; i < values.Length; i++)
            {
                result.TryAdd(names[i], values[i]);
            }

            return result;
        }
    }

    private ExecutionGraph LiveGraph() => _graph ?? throw new ObjectDisposedException(GetType().FullName, $"{_model.Name}: the session has been disposed");

    /// <summary>Updates <see cref="Outputs"/> when the run planned other shapes or types (no allocation when unchanged).</summary>
    private void RecordOutputShapes(ExecutionGraph graph)
    {
        var info = _outputInfo;
        TensorInfo[]? changed = null;
        for (int k = 0; k < _outputTensors.Length; k++)
        {
            var planned = graph.TensorAt(_outputTensors[k]);
            if (info is not null && info[k] is { RankKnown: true } known && known.ElementType == planned.ElementType && known.ShapeEquals(planned.ShapeArray))
            {
                continue;
            }

            changed ??= info is null ? new TensorInfo[_outputTensors.Length] : (TensorInfo[])info.Clone();
            changed[k] = new TensorInfo(_outputNames[k], planned.ElementType, planned.ShapeArray.ToArray(), rankKnown: true);
        }

        if (changed is not null)
        {
            Volatile.Write(ref _outputInfo, changed);
        }
    }
}
