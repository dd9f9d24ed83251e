using ModelBuild.Converter.Graph;
using ModelBuild.Runtime.Format.Schema;
using IrDataType = ModelBuild.Converter.Graph.DataType;
using MnnDataType = ModelBuild.Runtime.Format.Schema.DataType;

namespace ModelBuild.Converter.Export;

/// <summary>
/// State of one export: the MNN op list and tensor table being built, the map from ONNX value names to MNN tensor
/// indices, and helpers emitters use to read inputs (emitting Const ops for constant inputs on first use), declare
/// outputs and temporaries, and report what cannot be expressed. Everything is kept in insertion order so the same
/// graph always produces the same file.
/// </summary>
internal sealed class ExportContext
{
    private readonly Dictionary<string, int> _tensorByValue = new(StringComparer.Ordinal);
    private readonly HashSet<string> _usedTensorNames = new(StringComparer.Ordinal);
    private readonly HashSet<string> _usedOpNames = new(StringComparer.Ordinal);
    private readonly HashSet<string> _reservedValueNames = new(StringComparer.Ordinal);

    public ExportContext(ModelGraph graph, List<SubGraphProtoT>? subgraphs = null)
    {
        Graph = graph;
        Subgraphs = subgraphs ?? [];

        // ONNX value names are reserved up front so temporaries never take a name a value needs later.
        foreach (var name in graph.Values.Keys)
        {
            _reservedValueNames.Add(name);
        }
    }

    public ModelGraph Graph { get; }

    /// <summary>
    /// MatMul by a constant 2-D float B is written as a 1×1 Convolution (upstream's convertMatmulToConv), so int8
    /// weight storage quantizes its weights as upstream's --weightQuantBits does. Set for int8 storage only.
    /// </summary>
    public bool MatMulAsConvolution { get; init; }

    /// <summary>
    /// Net.subgraphs being built, shared by the contexts of nested bodies. A body is added after the bodies nested in
    /// it, because upstream MNN loads them in list order and resolves nested names from those already loaded.
    /// </summary>
    public List<SubGraphProtoT> Subgraphs { get; }

    public List<OpT> Ops { get; } = [];

    /// <summary>MNN tensor names by index (becomes Net.tensorName).</summary>
    public List<string> TensorNames { get; } = [];

    /// <summary>Warnings raised while exporting (e.g. ONNX defaults used).</summary>
    public List<ConversionWarning> Warnings { get; } = [];

    /// <summary>The node being emitted, for error messages.</summary>
    public Node? Current { get; set; }

    public int Opset => Graph.Opset;

    public int TensorCount => TensorNames.Count;

    /// <summary>MNN tensor index of an ONNX value, if it was already produced.</summary>
    public bool TryGetTensor(string valueName, out int index) => _tensorByValue.TryGetValue(valueName, out index);

    /// <summary>ONNX value name → MNN tensor index for every value that has one, in creation order.</summary>
    public IEnumerable<KeyValuePair<string, int>> ValueTensors => _tensorByValue;

    // ---------------- values and shapes ----------------

    public Value? ValueOf(string name) => Graph.Values.TryGetValue(name, out var v) ? v : null;

    public int? RankOf(string name) => ValueOf(name)?.Rank;

    public long[]? StaticShapeOf(string name) => ValueOf(name)?.StaticShape;

    public IrDataType TypeOf(string name) => ValueOf(name)?.Type ?? IrDataType.Undefined;

    public bool IsFloat(string name) => TypeOf(name) is IrDataType.Float or IrDataType.Double or IrDataType.Float16 or IrDataType.BFloat16 or IrDataType.Undefined;

    public TensorData? ConstantOf(Node node, int input) => Graph.ConstantInput(node, input);

    // ---------------- tensors ----------------

    /// <summary>The tensor index of node input <paramref name="i"/>; constant inputs become Const ops on first use.</summary>
    public int In(Node node, int i)
    {
        if (!node.HasInput(i))
        {
            throw Invalid(node, $"input {i} is missing");
        }

        return ValueTensor(node.Inputs[i]);
    }

    /// <summary>The tensor of an ONNX value, emitting a Const op when it is a constant not yet emitted.</summary>
    public int ValueTensor(string valueName)
    {
        if (_tensorByValue.TryGetValue(valueName, out var index))
        {
            return index;
        }

        var value = ValueOf(valueName);
        if (value?.Constant is { } data)
        {
            index = DeclareValue(valueName);
            AddOp(OpType.Const, valueName, OpParameterUnion.FromBlob(ConstantBlobs.FromTensorData(data, valueName)), [], [index]);
            return index;
        }

        throw new ModelBuildException(ErrorCodes.OnnxInvalidGraph, $"{Graph.SourcePath}: value '{valueName}' is used before it is produced");
    }

    /// <summary>Declares the tensor for node output <paramref name="i"/>, named after the ONNX value.</summary>
    public int Out(Node node, int i = 0)
    {
        if (i >= node.Outputs.Count || node.Outputs[i].Length == 0)
        {
            throw Invalid(node, $"output {i} is missing");
        }

        return DeclareValue(node.Outputs[i]);
    }

    /// <summary>Declares the MNN tensor that carries an ONNX value (graph inputs and node outputs).</summary>
    public int DeclareValue(string valueName)
    {
        if (_tensorByValue.ContainsKey(valueName))
        {
            throw new ModelBuildException(ErrorCodes.OnnxInvalidGraph, $"{Graph.SourcePath}: value '{valueName}' is produced twice");
        }

        _usedTensorNames.Add(valueName);
        TensorNames.Add(valueName);
        var index = TensorNames.Count - 1;
        _tensorByValue[valueName] = index;
        return index;
    }

    /// <summary>Points every ONNX value carried by tensor <paramref name="from"/> at tensor <paramref name="to"/>.</summary>
    public void RedirectValue(int from, int to)
    {
        foreach (var key in _tensorByValue.Where(kv => kv.Value == from).Select(kv => kv.Key).ToList())
        {
            _tensorByValue[key] = to;
        }
    }

    /// <summary>A new intermediate tensor named <c>{hint}</c> (made unique).</summary>
    public int Temp(string hint) => NewTensor(hint);

    private int NewTensor(string hint)
    {
        var name = hint;
        for (var n = 1; _reservedValueNames.Contains(name) || !_usedTensorNames.Add(name); n++)
        {
            name = $"{hint}__{n}";
        }

        TensorNames.Add(name);
        return TensorNames.Count - 1;
    }

    private static string Unique(string hint, HashSet<string> used)
    {
        var name = hint;
        for (var n = 1; !used.Add(name); n++)
        {
            name = $"{hint}__{n}";
        }

        return name;
    }

    // ---------------- ops ----------------

    public OpT AddOp(OpType type, string name, OpParameterUnion? main, int[] inputs, int[] outputs)
    {
        var op = new OpT
        {
            Type = type,
            Name = Unique(name, _usedOpNames),
            Main = main ?? new OpParameterUnion(),
            InputIndexes = [.. inputs],
            OutputIndexes = [.. outputs],
        };

        // Upstream marks these two NCHW (their output order / scale layout depends on it); others keep the default.
        if (type is OpType.Shape or OpType.Interp)
        {
            op.DefaultDimentionFormat = MNN_DATA_FORMAT.NCHW;
        }

        Ops.Add(op);
        return op;
    }

    /// <summary>Adds an op writing a fresh temporary tensor; returns that tensor.</summary>
    public int AddTemp(OpType type, string name, OpParameterUnion? main, params int[] inputs)
    {
        var output = Temp(name);
        AddOp(type, name, main, inputs, [output]);
        return output;
    }

    public int ConstInts(string name, int[] values, params int[] dims)
    {
        var index = Temp(name);
        AddOp(OpType.Const, name, OpParameterUnion.FromBlob(ConstantBlobs.Ints(values, dims)), [], [index]);
        return index;
    }

    public int ConstFloats(string name, float[] values, params int[] dims)
    {
        var index = Temp(name);
        AddOp(OpType.Const, name, OpParameterUnion.FromBlob(ConstantBlobs.Floats(values, dims)), [], [index]);
        return index;
    }

    /// <summary>A rank-0 constant of the element kind of <paramref name="likeValue"/> (int or float).</summary>
    public int ConstScalarLike(string name, string likeValue, double v) =>
        IsFloat(likeValue) ? ConstFloats(name, [(float)v]) : ConstInts(name, [checked((int)v)]);

    // ---------------- errors ----------------

    public string Where(Node node) => $"at node '{node.Name}' in {Graph.SourcePath}";

    public ModelBuildException UnsupportedOp(Node node) =>
        new(ErrorCodes.UnsupportedOperator, $"unsupported operator {node.OpType} (opset {Opset}) {Where(node)}: {OpEmitterRegistry.WhyUnsupported(node.OpType, Opset)}");

    public ModelBuildException UnsupportedAttribute(Node node, string what) =>
        new(ErrorCodes.UnsupportedAttribute, $"unsupported attribute value for operator {node.OpType} (opset {Opset}) {Where(node)}: {what}");

    public ModelBuildException Invalid(Node node, string what) =>
        new(ErrorCodes.OnnxInvalidGraph, $"invalid operator {node.OpType} (opset {Opset}) {Where(node)}: {what}");

    /// <summary>The constant input <paramref name="i"/>, or MB3002 naming what needed to be constant.</summary>
    public TensorData RequireConstant(Node node, int i, string what) =>
        ConstantOf(node, i) ?? throw UnsupportedAttribute(node, $"{what} (input {i}) must be a constant");

    /// <summary>Rank of node input <paramref name="i"/>, or MB3005 when unknown and needed.</summary>
    public int RequireRank(Node node, int i, string why) =>
        RankOf(node.Inputs[i]) ?? throw new ModelBuildException(ErrorCodes.UnsupportedDynamicShape,
            $"operator {node.OpType} (opset {Opset}) {Where(node)}: the rank of input '{node.Inputs[i]}' must be known to {why}");

    /// <summary>Static shape of node input <paramref name="i"/>, or MB3005.</summary>
    public long[] RequireStaticShape(Node node, int i, string why) =>
        StaticShapeOf(node.Inputs[i]) ?? throw new ModelBuildException(ErrorCodes.UnsupportedDynamicShape,
            $"operator {node.OpType} (opset {Opset}) {Where(node)}: the shape of input '{node.Inputs[i]}' must be known to {why}; pass --input-shape");

    public static MnnDataType MnnTypeOf(IrDataType type) => type switch
    {
        IrDataType.Float or IrDataType.Double or IrDataType.Float16 or IrDataType.BFloat16 or IrDataType.Undefined => MnnDataType.DT_FLOAT,
        _ => MnnDataType.DT_INT32, // MNN holds int64 and bool tensors as int32

    };
}
