using ModelBuild.Runtime.Format;
using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Runtime;

/// <summary>
/// A loaded, validated <c>.mnn</c> model. Immutable after loading and safe to share between threads and
/// sessions; it owns its weights and keeps no reference to the stream or byte array it was loaded from.
/// </summary>
public sealed class MnnModel
{
    private readonly Lazy<Tensor?[]> _constants;
    private readonly Lazy<TensorInfo[]> _outputs;

    private MnnModel(NetT net, string name, WeightStorage storage)
    {
        Net = net;
        WeightStorage = storage;
        Name = name;
        Graph = GraphInfo.Analyze(net, name);
        Inputs = Graph.InputTensors.Select(Graph.DescribeInput).ToArray();
        _outputs = new Lazy<TensorInfo[]>(() => OutputPlanner.Describe(this), LazyThreadSafetyMode.ExecutionAndPublication);
        _constants = new Lazy<Tensor?[]>(() => ConstantTensors.Build(net, Graph), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Where the model came from (file path, or a placeholder for bytes/streams); used in messages.</summary>
    public string Name { get; }

    /// <summary>The model's inputs in declaration order (its <c>Input</c> ops). Owned by the model.</summary>
    public IReadOnlyList<TensorInfo> Inputs { get; }

    /// <summary>
    /// The model's outputs in order: <c>Net.outputName</c>, or, when that is empty, every tensor no op consumes.
    /// MNN files declare no output shapes: when every input has a fixed shape, each output has the shape and element
    /// type planned for the declared input shapes (planned once, on first access; e.g. <c>Float32[1,1000]</c>).
    /// An output keeps an unknown shape (<see cref="TensorInfo.RankKnown"/> false, printed <c>[?]</c>) and a guessed
    /// element type when an input has a dynamic dimension, when its shape depends on input values, or when the
    /// model cannot be planned (an op type the runtime does not implement). Owned by the model.
    /// </summary>
    public IReadOnlyList<TensorInfo> Outputs => _outputs.Value;

    /// <summary>The unpacked FlatBuffers object graph. Engine use: must not be modified once the model exists.</summary>
    internal NetT Net { get; }

    internal GraphInfo Graph { get; }

    /// <summary>How the file stored its float weights (decoded to float32 at load).</summary>
    internal WeightStorage WeightStorage { get; }

    /// <summary>Constant tensors by tensor index (null for non-constants), built once and shared read-only.</summary>
    internal Tensor?[] Constants => _constants.Value;

    /// <summary>Reads and validates a model file. Throws MB1100 (missing), MB1101 (corrupt), MB1103 (bad graph).</summary>
    public static MnnModel Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return FromNet(MnnModelReader.ReadFile(path), path);
    }

    /// <summary>Reads a whole model from <paramref name="stream"/> (not closed; the caller keeps ownership).</summary>
    public static MnnModel Load(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var copy = new MemoryStream();
        try
        {
            stream.CopyTo(copy);
        }
        catch (IOException e)
        {
            throw new ModelBuildException(ErrorCodes.MnnFileNotFound, $"<stream>: cannot read MNN model: {e.Message}", e);
        }

        return FromBytes(copy.ToArray(), "<stream>");
    }

    /// <summary>Parses a model from bytes. The array is read, not kept: the caller may reuse it afterwards.</summary>
    public static MnnModel FromBytes(byte[] data) => FromBytes(data, "<bytes>");

    /// <summary>
    /// Parses a model from bytes; <paramref name="name"/> (e.g. the file the bytes came from, or the ONNX model they
    /// were converted from) names the model in messages and <see cref="Name"/>.
    /// </summary>
    public static MnnModel FromBytes(byte[] data, string name)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(name);
        return FromNet(MnnModelReader.Read(data, name), name);
    }

    /// <summary>Wraps an in-memory net (e.g. from the converter). The model takes ownership of <paramref name="net"/>.</summary>
    internal static MnnModel FromNet(NetT net, string name)
    {
        ArgumentNullException.ThrowIfNull(net);
        var half = HalfWeights.Expand(net, name ?? "<memory>");
        var int8 = Int8Weights.Expand(net, name ?? "<memory>");
        return new MnnModel(net, name ?? "<memory>", int8 ? WeightStorage.Int8 : half ? WeightStorage.Float16 : WeightStorage.Float32);
    }

    public override string ToString() => $"MnnModel({Name}: {Inputs.Count} inputs, {Graph.OutputTensors.Count} outputs)";
}
