using ModelBuild.Converter.Export.Ops;
using ModelBuild.Converter.Graph;

namespace ModelBuild.Converter.Export;

/// <summary>Writes the MNN ops for one ONNX node.</summary>
internal delegate void OpEmitter(ExportContext ctx, Node node);

/// <summary>An emitter and the ONNX opset range (inclusive) whose semantics it implements.</summary>
internal sealed record OpEmitterEntry(string OpType, int MinOpset, int MaxOpset, OpEmitter Emit);

/// <summary>Collects emitters while the registry is built.</summary>
internal sealed class OpEmitterTable
{
    private readonly Dictionary<string, List<OpEmitterEntry>> _entries = new(StringComparer.Ordinal);

    public void Add(string opType, OpEmitter emit) => Add(opType, 1, int.MaxValue, emit);

    public void Add(string opType, int minOpset, int maxOpset, OpEmitter emit)
    {
        if (!_entries.TryGetValue(opType, out var list))
        {
            list = [];
            _entries[opType] = list;
        }

        list.Add(new OpEmitterEntry(opType, minOpset, maxOpset, emit));
    }

    internal IReadOnlyDictionary<string, List<OpEmitterEntry>> Entries => _entries;
}

/// <summary>ONNX op type (default domain) → emitter, with opset ranges. Built once from every file in Export/Ops.</summary>
internal static class OpEmitterRegistry
{
    private static readonly Lazy<IReadOnlyDictionary<string, List<OpEmitterEntry>>> s_table = new(Build);

    /// <summary>Every ONNX op type with an emitter, sorted.</summary>
    public static IReadOnlyList<string> SupportedOps => [.. s_table.Value.Keys.Order(StringComparer.Ordinal)];

    /// <summary>The emitter for <paramref name="opType"/> at <paramref name="opset"/>, or null.</summary>
    public static OpEmitter? Find(string opType, int opset) =>
        s_table.Value.TryGetValue(opType, out var list)
            ? list.FirstOrDefault(e => opset >= e.MinOpset && opset <= e.MaxOpset)?.Emit
            : null;

    private static IReadOnlyDictionary<string, List<OpEmitterEntry>> Build()
    {
        var table = new OpEmitterTable();
        ActivationEmitter.Register(table);
        ConvEmitter.Register(table);
        PoolEmitter.Register(table);
        ElementwiseEmitter.Register(table);
        NormalizationEmitter.Register(table);
        MatMulEmitter.Register(table);
        SoftmaxEmitter.Register(table);
        ReduceEmitter.Register(table);
        ShapeOpsEmitter.Register(table);
        SliceGatherEmitter.Register(table);
        PadEmitter.Register(table);
        ResizeEmitter.Register(table);
        GeneratorEmitter.Register(table);
        return table.Entries;
    }
}
