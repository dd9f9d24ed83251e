using ModelBuild.Converter.Export.Ops;
using ModelBuild.Converter.Graph;
using ModelBuild.Converter.Graph.Passes;
using ModelBuild.Converter.Onnx;

namespace ModelBuild.Converter.Export;

/// <summary>Writes the MNN ops for one ONNX node.</summary>
internal delegate void OpEmitter(ExportContext ctx, Node node);

/// <summary>
/// An emitter and the inclusive range of ONNX op versions whose behaviour it implements. Versions are
/// since-versions compared by <see cref="OperatorVersion.Semantics"/>, so a later version that only widened
/// element types is covered by the range of the version it widened.
/// </summary>
internal sealed record OpEmitterEntry(string OpType, int MinVersion, int MaxVersion, OpEmitter Emit)
{
    public string Describe() => MinVersion == MaxVersion ? $"{OpType}-{MinVersion}" : $"{OpType}-{MinVersion}..{MaxVersion}";
}

/// <summary>Collects emitters while the registry is built.</summary>
internal sealed class OpEmitterTable
{
    /// <summary>
    /// Emitters registered without a version range were written and tested against models of opsets 7..22 (the
    /// whole-model gate that preceded per-op versions), so by default they cover the op versions in force over
    /// those opsets. Older or semantically newer versions are accepted only where an emitter names them.
    /// </summary>
    public const int ReviewedFromOpset = 7;
    public const int ReviewedThroughOpset = 22;

    private readonly Dictionary<string, List<OpEmitterEntry>> _entries = new(StringComparer.Ordinal);

    /// <summary>Registers <paramref name="emit"/> for the versions in force over opsets 7..22.</summary>
    public void Add(string opType, OpEmitter emit) =>
        Add(opType, VersionAt(opType, ReviewedFromOpset), VersionAt(opType, ReviewedThroughOpset), emit);

    /// <summary>Registers <paramref name="emit"/> from op version <paramref name="minVersion"/> to the version in force at opset 22.</summary>
    public void Add(string opType, int minVersion, OpEmitter emit) =>
        Add(opType, minVersion, VersionAt(opType, ReviewedThroughOpset), emit);

    /// <summary>
    /// Registers <paramref name="emit"/> for every version from the op's first to the one in force at opset 22:
    /// for emitters reviewed against the pre-opset-7 versions too.
    /// </summary>
    public void AddSinceFirst(string opType, OpEmitter emit) =>
        Add(opType, OperatorVersions.Versions(opType).FirstOrDefault(-1), emit);

    public void Add(string opType, int minVersion, int maxVersion, OpEmitter emit)
    {
        var versions = OperatorVersions.Versions(opType);
        if (!versions.Contains(minVersion) || !versions.Contains(maxVersion) || minVersion > maxVersion)
        {
            throw new InvalidOperationException($"emitter range {opType}-{minVersion}..{maxVersion} does not name versions of {opType} ({string.Join(", ", versions)})");
        }

        if (!_entries.TryGetValue(opType, out var list))
        {
            list = [];
            _entries[opType] = list;
        }

        list.Add(new OpEmitterEntry(opType, minVersion, maxVersion, emit));
    }

    internal IReadOnlyDictionary<string, List<OpEmitterEntry>> Entries => _entries;

    /// <summary>
    /// The behaviour version of <paramref name="opType"/> at <paramref name="opset"/>; its first version when the
    /// op is newer than that opset.
    /// </summary>
    private static int VersionAt(string opType, int opset) =>
        OperatorVersions.Resolve(opType, opset)?.Semantics
        ?? OperatorVersions.Versions(opType).FirstOrDefault(v => v > opset, -1);
}

/// <summary>
/// ONNX op type (default domain) → emitters with op version ranges. Built once from every file in Export/Ops.
/// A node is emitted when the version of its op in force at the model's opset falls in an emitter's range.
/// </summary>
internal static class OpEmitterRegistry
{
    private static readonly Lazy<IReadOnlyDictionary<string, List<OpEmitterEntry>>> s_table = new(Build);

    /// <summary>Every ONNX op type with an emitter, sorted.</summary>
    public static IReadOnlyList<string> SupportedOps => [.. s_table.Value.Keys.Order(StringComparer.Ordinal)];

    /// <summary>The emitters of <paramref name="opType"/> (empty when none).</summary>
    public static IReadOnlyList<OpEmitterEntry> Entries(string opType) =>
        s_table.Value.TryGetValue(opType, out var list) ? list : [];

    /// <summary>The emitter for <paramref name="opType"/> at <paramref name="opset"/>, or null.</summary>
    public static OpEmitter? Find(string opType, int opset) =>
        OperatorVersions.Resolve(opType, opset) is { } v
            ? Entries(opType).FirstOrDefault(e => v.Semantics >= e.MinVersion && v.Semantics <= e.MaxVersion)?.Emit
            : null;

    /// <summary>Why no emitter applies to <paramref name="opType"/> at <paramref name="opset"/>, for MB3001.</summary>
    public static string WhyUnsupported(string opType, int opset)
    {
        if (OperatorVersions.Resolve(opType, opset) is not { } v)
        {
            return $"{opType} is not an operator of the default domain at opset {opset}";
        }

        var resolved = v.Semantics == v.Since ? $"{v}" : $"{v} (behaviour of {opType}-{v.Semantics}, types widened)";
        if (SequenceElimination.Handles(opType))
        {
            return $"resolves to {resolved}; sequences are converted only when static: {SequenceElimination.Requirement}";
        }

        var entries = Entries(opType);
        return entries.Count == 0
            ? $"resolves to {resolved}, which the converter does not implement"
            : $"resolves to {resolved}; the converter implements {string.Join(", ", entries.Select(e => e.Describe()))}";
    }

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
        IndexingEmitter.Register(table);
        DetectionEmitter.Register(table);
        MatrixEmitter.Register(table);
        UnpoolEmitter.Register(table);
        RoiAlignEmitter.Register(table);
        TriluEmitter.Register(table);
        ComposedActivationEmitter.Register(table);
        RmsLpNormEmitter.Register(table);
        GridSampleEmitter.Register(table);
        EinsumEmitter.Register(table);
        RecurrentEmitter.Register(table);
        ControlFlowEmitter.Register(table);
        LoopEmitter.Register(table);
        return table.Entries;
    }
}
