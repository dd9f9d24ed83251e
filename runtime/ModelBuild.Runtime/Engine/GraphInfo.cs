using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Runtime;

/// <summary>
/// Static facts about a net, checked once when a model is loaded: tensor names, which op produces each tensor,
/// the model's inputs and outputs. Every index is validated here so later stages can trust them.
/// </summary>
internal sealed class GraphInfo
{
    private GraphInfo(string modelName, OpT[] ops, string[] names, int[] producer, int[][] opInputs, int[][] opOutputs)
    {
        ModelName = modelName;
        Ops = ops;
        TensorNames = names;
        Producer = producer;
        OpInputs = opInputs;
        OpOutputs = opOutputs;
    }

    public string ModelName { get; }

    public OpT[] Ops { get; }

    public int TensorCount => TensorNames.Length;

    /// <summary>Name of every tensor (the index as text when the file has no name for it).</summary>
    public string[] TensorNames { get; }

    /// <summary>Index of the op producing each tensor, or -1.</summary>
    public int[] Producer { get; }

    public int[][] OpInputs { get; }

    public int[][] OpOutputs { get; }

    public Dictionary<string, int> TensorByName { get; } = new(StringComparer.Ordinal);

    /// <summary>Outputs of <c>Input</c> ops, in op order.</summary>
    public List<int> InputTensors { get; } = [];

    /// <summary>Model outputs: <c>Net.outputName</c>, else every produced tensor no op consumes (in production order).</summary>
    public List<int> OutputTensors { get; } = [];

    public string OpLabel(int op) => $"op '{Ops[op].Name}' ({Ops[op].Type}) in {ModelName}";

    public static GraphInfo Analyze(NetT net, string modelName)
    {
        var ops = (net.Oplists ?? []).ToArray();
        var fileNames = net.TensorName ?? [];
        int declared = Math.Max(fileNames.Count, net.TensorNumber);
        int used = fileNames.Count;
        var opInputs = new int[ops.Length][];
        var opOutputs = new int[ops.Length][];
        for (int i = 0; i < ops.Length; i++)
        {
            var op = ops[i] ?? throw Bad(modelName, $"op #{i} is empty");
            opInputs[i] = (op.InputIndexes ?? []).ToArray();
            opOutputs[i] = (op.OutputIndexes ?? []).ToArray();
            foreach (int t in opInputs[i].Concat(opOutputs[i]))
            {
                if (t < 0 || t >= declared)
                {
                    throw Bad(modelName, $"op '{op.Name}' ({op.Type}) refers to tensor {t}, but the model has {declared} tensors");
                }

                used = Math.Max(used, t + 1);
            }
        }

        var names = new string[used];
        for (int t = 0; t < used; t++)
        {
            names[t] = t < fileNames.Count && fileNames[t] is { } n ? n : t.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var producer = new int[used];
        Array.Fill(producer, -1);
        var info = new GraphInfo(modelName, ops, names, producer, opInputs, opOutputs);
        for (int t = 0; t < used; t++)
        {
            info.TensorByName.TryAdd(names[t], t);
        }

        var consumed = new bool[used];
        for (int i = 0; i < ops.Length; i++)
        {
            foreach (int t in opInputs[i])
            {
                if (producer[t] < 0)
                {
                    throw Bad(modelName, $"{info.OpLabel(i)} reads tensor '{names[t]}' before any op produces it");
                }

                consumed[t] = true;
            }

            foreach (int t in opOutputs[i])
            {
                if (producer[t] >= 0)
                {
                    throw Bad(modelName, $"tensor '{names[t]}' is produced twice (by {info.OpLabel(producer[t])} and {info.OpLabel(i)})");
                }

                producer[t] = i;
            }

            if (ops[i].Type == OpType.Input)
            {
                if (opOutputs[i].Length != 1)
                {
                    throw Bad(modelName, $"{info.OpLabel(i)} must have exactly one output");
                }

                info.InputTensors.Add(opOutputs[i][0]);
            }
        }

        if (net.OutputName is { Count: > 0 } outNames)
        {
            foreach (var name in outNames)
            {
                if (name is null || !info.TensorByName.TryGetValue(name, out int t) || producer[t] < 0)
                {
                    throw Bad(modelName, $"output '{name}' is not a tensor produced by the model");
                }

                info.OutputTensors.Add(t);
            }
        }
        else
        {
            for (int i = 0; i < ops.Length; i++)
            {
                if (ops[i].Type is OpType.Input or OpType.Const)
                {
                    continue;
                }

                info.OutputTensors.AddRange(opOutputs[i].Where(t => !consumed[t]));
            }
        }

        return info;
    }

    public InputT InputParam(int tensor) => Ops[Producer[tensor]].Main?.Value as InputT ?? new InputT();

    public TensorInfo DescribeInput(int tensor)
    {
        var p = InputParam(tensor);
        var type = InputElementType(p.Dtype, tensor);
        if (p.Dims is null || p.Dims.Count == 0)
        {
            return new TensorInfo(TensorNames[tensor], type, [], rankKnown: false);
        }

        return new TensorInfo(TensorNames[tensor], type, p.Dims.Select(d => d < 0 ? -1 : d).ToArray(), rankKnown: true);
    }

    public TensorInfo DescribeOutput(int tensor) =>
        new(TensorNames[tensor], TypeInference.Guess(this, tensor), [], rankKnown: false);

    public TensorElementType InputElementType(DataType dtype, int tensor) => dtype switch
    {
        DataType.DT_FLOAT => TensorElementType.Float32,
        DataType.DT_INT32 or DataType.DT_INT64 or DataType.DT_BOOL or DataType.DT_UINT8 or DataType.DT_INT8 => TensorElementType.Int32,
        _ => throw new ModelBuildException(ErrorCodes.UnsupportedDataType,
            $"{ModelName}: input '{TensorNames[tensor]}' has data type {dtype}; the runtime supports float32 and integer inputs"),
    };

    private static ModelBuildException Bad(string model, string message) => new(ErrorCodes.MnnInvalidGraph, $"{model}: {message}");
}
