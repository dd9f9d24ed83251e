namespace ModelBuild.Runtime;

/// <summary>
/// Runs an <see cref="MnnModel"/>. Creating a session builds every op's executor (MB3003 for op types the runtime
/// does not implement) and plans buffer reuse; each <see cref="Run(IReadOnlyDictionary{string, Tensor})"/> then
/// re-derives shapes only where input shapes changed. Several sessions may run on several threads at once
/// (they share only the immutable model); concurrent calls on one session are serialized by a lock.
/// </summary>
public sealed class InferenceSession : IDisposable
{
    private readonly object _gate = new();
    private readonly MnnModel _model;
    private readonly ExecutionGraph _graph;
    private readonly string[] _outputNames;
    private readonly int[] _outputTensors;
    private readonly Tensor?[] _bound;
    private readonly Tensor[] _targets;
    private bool _disposed;

    /// <summary>
    /// Creates a session. The session keeps a reference to <paramref name="model"/> (which must stay unchanged;
    /// models are immutable) and copies what it needs from <paramref name="options"/>.
    /// </summary>
    public InferenceSession(MnnModel model, SessionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        options ??= new SessionOptions();
        _graph = new ExecutionGraph(Engine.Emulation.Fp16Emulation.ModelFor(model, options), options);
        _outputTensors = model.Graph.OutputTensors.ToArray();
        _outputNames = _outputTensors.Select(t => model.Graph.TensorNames[t]).ToArray();
        InputNames = model.Inputs.Select(i => i.Name).ToArray();
        _bound = new Tensor?[model.Inputs.Count];
        _targets = new Tensor[_outputTensors.Length];
    }

    /// <summary>Names of the model inputs, in declaration order. Owned by the session; do not modify.</summary>
    public IReadOnlyList<string> InputNames { get; }

    /// <summary>Names of the model outputs, in the order <see cref="Run(IReadOnlyDictionary{string, Tensor})"/> returns them.</summary>
    public IReadOnlyList<string> OutputNames => _outputNames;

    /// <summary>The model this session runs (shared, immutable).</summary>
    public MnnModel Model => _model;

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
    /// owns; a tensor made by <see cref="Tensor.FromFloats"/> stops sharing the caller's array in that case). The
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
            ObjectDisposedCheck();
            for (int k = 0; k < _targets.Length; k++)
            {
                _targets[k] = outputs[k] ?? throw new ModelBuildException(ErrorCodes.UsageError, $"{_model.Name}: output tensor {k} ('{_outputNames[k]}') is null");
            }

            try
            {
                InputBinder.Bind(_model, inputs, _bound);
                _graph.Run(_bound!, _outputTensors, _targets);
            }
            finally
            {
                // drop the caller's tensors: the session must not keep them alive (or reachable) between calls
                Array.Clear(_bound);
                Array.Clear(_targets);
            }
        }
    }

    /// <summary>Releases the session's buffers. Further calls to Run throw MB4006. Safe to call more than once.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
        }
    }

    private IReadOnlyDictionary<string, Tensor> RunCore(IReadOnlyDictionary<string, Tensor> inputs, IReadOnlyList<string> names, int[] indices)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        lock (_gate)
        {
            ObjectDisposedCheck();
            var values = new Tensor[indices.Length];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = new Tensor(TensorElementType.Float32, []);
            }

            try
            {
                InputBinder.Bind(_model, inputs, _bound);
                _graph.Run(_bound!, indices, values);
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

    private void ObjectDisposedCheck()
    {
        if (_disposed)
        {
            throw new ModelBuildException(ErrorCodes.RuntimeDisposed, $"{_model.Name}: the inference session has been disposed");
        }
    }
}
