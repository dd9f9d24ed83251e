namespace ModelBuild.Converter.Onnx;

/// <summary>
/// The version of one ONNX operator in force at a model's opset: <see cref="Since"/> is the op's schema version
/// (the highest since_version ≤ the opset, as ONNX Runtime resolves it); <see cref="Semantics"/> is the earliest
/// version with the same behaviour, i.e. <see cref="Since"/> with type-only widenings walked back.
/// </summary>
public readonly record struct OperatorVersion(string OpType, int Since, int Semantics)
{
    public override string ToString() => $"{OpType}-{Since}";
}

/// <summary>
/// Version history of the default-domain (ai.onnx) operators: for each op, the opsets at which a new version of
/// it appeared, with the versions that only widened element types (bfloat16, float8, int4, float4, ...) marked.
/// Facts from the ONNX operator set definitions and changelog, written down here as data.
/// </summary>
public static class OperatorVersions
{
    /// <summary>Oldest and newest default-domain opsets this table describes.</summary>
    public const int OldestOpset = 1;
    public const int NewestOpset = 28;

    /// <summary>
    /// Op type → since-versions in ascending order; a trailing 't' marks a version whose only change from the
    /// previous one is a wider set of element types (changelog text otherwise identical, or changed in wording only).
    /// </summary>
    private static readonly Dictionary<string, string> s_history = new(StringComparer.Ordinal)
    {
        ["Abs"] = "1 6 13",
        ["Acos"] = "7 22t",
        ["Acosh"] = "9 22t",
        ["Add"] = "1 6 7 13 14",
        ["AffineGrid"] = "20",
        ["And"] = "1 7",
        ["ArgMax"] = "1 11 12 13",
        ["ArgMin"] = "1 11 12 13",
        ["Asin"] = "7 22t",
        ["Asinh"] = "9 22t",
        ["Atan"] = "7 22t",
        ["Atanh"] = "9 22t",
        ["Attention"] = "23 24 25",
        ["AveragePool"] = "1 7 10 11 19 22",
        ["BatchNormalization"] = "1 6 7 9 14 15",
        ["Bernoulli"] = "15 22t",
        ["BitCast"] = "26",
        ["BitShift"] = "11",
        ["BitwiseAnd"] = "18",
        ["BitwiseNot"] = "18",
        ["BitwiseOr"] = "18",
        ["BitwiseXor"] = "18",
        ["BlackmanWindow"] = "17",
        ["Cast"] = "1 6 9 13 19 21t 23t 24 25t",
        ["CastLike"] = "15 19 21t 23t 24 25t",
        ["CausalConvWithState"] = "27",
        ["Ceil"] = "1 6 13",
        ["Celu"] = "12 28t",
        ["CenterCropPad"] = "18",
        ["Clip"] = "1 6 11 12t 13",
        ["Col2Im"] = "18",
        ["Compress"] = "9 11",
        ["Concat"] = "1 4 11 13",
        ["ConcatFromSequence"] = "11",
        ["Constant"] = "1 9t 11 12 13t 19t 21t 23t 24t 25t",
        ["ConstantOfShape"] = "9 20t 21t 23t 24t 25t",
        ["Conv"] = "1 11 22t",
        ["ConvInteger"] = "10",
        ["ConvTranspose"] = "1 11 22t",
        ["Cos"] = "7 22t",
        ["Cosh"] = "9 22t",
        ["CumProd"] = "26",
        ["CumSum"] = "11 14t",
        ["DFT"] = "17 20",
        ["DeformConv"] = "19 22t",
        ["DepthToSpace"] = "1 11 13",
        ["DequantizeLinear"] = "10 13 19 21 23 24t 25t",
        ["Det"] = "11 22t",
        ["Div"] = "1 6 7 13 14",
        ["Dropout"] = "1 6 7 10 12 13 22",
        ["DynamicQuantizeLinear"] = "11",
        ["Einsum"] = "12",
        ["Elu"] = "1 6 22t",
        ["Equal"] = "1 7 11t 13 19t",
        ["Erf"] = "9 13",
        ["Exp"] = "1 6 13",
        ["Expand"] = "8 13",
        ["EyeLike"] = "9 22",
        ["Flatten"] = "1 9t 11 13 21t 23t 24t 25t",
        ["Floor"] = "1 6 13",
        ["GRU"] = "1 3 7 14 22t",
        ["Gather"] = "1 11 13",
        ["GatherElements"] = "11 13",
        ["GatherND"] = "11 12 13",
        ["Gelu"] = "20",
        ["Gemm"] = "1 6 7 9t 11 13",
        ["GlobalAveragePool"] = "1 22t",
        ["GlobalLpPool"] = "1 2 22t",
        ["GlobalMaxPool"] = "1 22t",
        ["Greater"] = "1 7 9t 13",
        ["GreaterOrEqual"] = "12 16t",
        ["GridSample"] = "16 20 22t",
        ["GroupNormalization"] = "18 21",
        ["HammingWindow"] = "17",
        ["HannWindow"] = "17",
        ["HardSigmoid"] = "1 6 22t",
        ["HardSwish"] = "14 22t",
        ["Hardmax"] = "1 11 13",
        ["Identity"] = "1 13 14 16t 19t 21t 23t 24t 25t",
        ["If"] = "1 11 13t 16t 19t 21t 23t 24t 25t",
        ["ImageDecoder"] = "20",
        ["InstanceNormalization"] = "1 6 22t",
        ["IsInf"] = "10 20t",
        ["IsNaN"] = "9 13 20t",
        ["LRN"] = "1 13",
        ["LSTM"] = "1 7 14 22",
        ["LayerNormalization"] = "17",
        ["LeakyRelu"] = "1 6 16t",
        ["Less"] = "1 7 9t 13",
        ["LessOrEqual"] = "12 16t",
        ["LinearAttention"] = "27",
        ["Log"] = "1 6 13",
        ["LogSoftmax"] = "1 11 13",
        ["Loop"] = "1 11 13 16 19t 21t 23t 24t 25t",
        ["LpNormalization"] = "1 22t",
        ["LpPool"] = "1 2 11 18 22t",
        ["MatMul"] = "1 9t 13",
        ["MatMulInteger"] = "10",
        ["Max"] = "1 6 8 12t 13",
        ["MaxPool"] = "1 8 10 11 12 22",
        ["MaxRoiPool"] = "1 22t",
        ["MaxUnpool"] = "9 11 22t",
        ["Mean"] = "1 6 8 13",
        ["MeanVarianceNormalization"] = "9 13",
        ["MelWeightMatrix"] = "17",
        ["Min"] = "1 6 8 12t 13",
        ["Mish"] = "18 22t",
        ["Mod"] = "10 13",
        ["Mul"] = "1 6 7 13 14",
        ["Multinomial"] = "7 22t",
        ["Neg"] = "1 6 13",
        ["NegativeLogLikelihoodLoss"] = "12 13 22t",
        ["NonMaxSuppression"] = "10 11",
        ["NonZero"] = "9 13",
        ["Not"] = "1",
        ["OneHot"] = "9 11",
        ["Optional"] = "15",
        ["OptionalGetElement"] = "15 18",
        ["OptionalHasElement"] = "15 18",
        ["Or"] = "1 7",
        ["PRelu"] = "1 6 7 9 16",
        ["Pad"] = "1 2 11 13 18 19 21t 23t 24t 25t",
        ["Pow"] = "1 7 12t 13 15t",
        ["QLinearConv"] = "10",
        ["QLinearMatMul"] = "10 21",
        ["QuantizeLinear"] = "10 13 19 21 23 24 25",
        ["RMSNormalization"] = "23",
        ["RNN"] = "1 7 14 22t",
        ["RandomNormal"] = "1 22t",
        ["RandomNormalLike"] = "1 22t",
        ["RandomUniform"] = "1 22t",
        ["RandomUniformLike"] = "1 22t",
        ["Range"] = "11 27",
        ["Reciprocal"] = "1 6 13",
        ["ReduceL1"] = "1 11 13 18",
        ["ReduceL2"] = "1 11 13 18",
        ["ReduceLogSum"] = "1 11 13 18",
        ["ReduceLogSumExp"] = "1 11 13 18",
        ["ReduceMax"] = "1 11 12 13 18 20",
        ["ReduceMean"] = "1 11 13 18",
        ["ReduceMin"] = "1 11 12 13 18 20",
        ["ReduceProd"] = "1 11 13 18",
        ["ReduceSum"] = "1 11 13",
        ["ReduceSumSquare"] = "1 11 13 18",
        ["RegexFullMatch"] = "20",
        ["Relu"] = "1 6 13 14t",
        ["Reshape"] = "1 5 13 14 19t 21t 23t 24t 25t",
        ["Resize"] = "10 11 13 18 19",
        ["ReverseSequence"] = "10",
        ["RoiAlign"] = "10 16 22t",
        ["RotaryEmbedding"] = "23",
        ["Round"] = "11 22t",
        ["STFT"] = "17",
        ["Scan"] = "8 9 11 16t 19t 21t 23t 24t 25t",
        ["Scatter"] = "9 11",
        ["ScatterElements"] = "11 13 16 18",
        ["ScatterND"] = "11 13 16 18",
        ["Selu"] = "1 6 22t",
        ["SequenceAt"] = "11",
        ["SequenceConstruct"] = "11",
        ["SequenceEmpty"] = "11",
        ["SequenceErase"] = "11",
        ["SequenceInsert"] = "11",
        ["SequenceLength"] = "11",
        ["SequenceMap"] = "17",
        ["Shape"] = "1 13 15 19t 21t 23t 24t 25t",
        ["Shrink"] = "9",
        ["Sigmoid"] = "1 6 13",
        ["Sign"] = "9 13",
        ["Sin"] = "7 22t",
        ["Sinh"] = "9 22t",
        ["Size"] = "1 13 19t 21t 23t 24t 25t",
        ["Slice"] = "1 10 11 13",
        ["Softmax"] = "1 11 13",
        ["SoftmaxCrossEntropyLoss"] = "12 13",
        ["Softplus"] = "1 22t",
        ["Softsign"] = "1 22t",
        ["SpaceToDepth"] = "1 13",
        ["Split"] = "1 2 11 13 18",
        ["SplitToSequence"] = "11 24t",
        ["Sqrt"] = "1 6 13",
        ["Squeeze"] = "1 11 13 21t 23t 24t 25t",
        ["StringConcat"] = "20",
        ["StringNormalizer"] = "10",
        ["StringSplit"] = "20",
        ["Sub"] = "1 6 7 13 14",
        ["Sum"] = "1 6 8 13",
        ["SwiGLU"] = "28",
        ["Swish"] = "24",
        ["Tan"] = "7 22t",
        ["Tanh"] = "1 6 13",
        ["TensorScatter"] = "24",
        ["TfIdfVectorizer"] = "9",
        ["ThresholdedRelu"] = "10 22t",
        ["Tile"] = "1 6 13",
        ["TopK"] = "1 10 11 24t",
        ["Transpose"] = "1 13 21 23t 24t 25t",
        ["Trilu"] = "14",
        ["Unique"] = "11",
        ["Unsqueeze"] = "1 11 13 21t 23t 24t 25t",
        ["Upsample"] = "1 7 9 10",
        ["Where"] = "9 16t",
        ["Xor"] = "1 7",
    };

    private static readonly Lazy<Dictionary<string, (int Version, bool TypesOnly)[]>> s_parsed = new(Parse);

    /// <summary>Every op type in the table, sorted.</summary>
    public static IEnumerable<string> OpTypes => s_history.Keys.Order(StringComparer.Ordinal);

    /// <summary>The since-versions of <paramref name="opType"/> (empty when the op is unknown).</summary>
    public static IReadOnlyList<int> Versions(string opType) =>
        s_parsed.Value.TryGetValue(opType, out var h) ? [.. h.Select(v => v.Version)] : [];

    /// <summary>Whether version <paramref name="since"/> of <paramref name="opType"/> only widened element types.</summary>
    public static bool IsTypeOnly(string opType, int since) =>
        s_parsed.Value.TryGetValue(opType, out var h) && h.Any(v => v.Version == since && v.TypesOnly);

    /// <summary>
    /// The version of <paramref name="opType"/> in force at <paramref name="opset"/>, or null when the op is not
    /// part of the default domain at that opset (unknown, or introduced later).
    /// </summary>
    public static OperatorVersion? Resolve(string opType, int opset)
    {
        if (!s_parsed.Value.TryGetValue(opType, out var history))
        {
            return null;
        }

        var i = Array.FindLastIndex(history, v => v.Version <= opset);
        if (i < 0)
        {
            return null;
        }

        var semantics = i;
        while (semantics > 0 && history[semantics].TypesOnly)
        {
            semantics--;
        }

        return new OperatorVersion(opType, history[i].Version, history[semantics].Version);
    }

    private static Dictionary<string, (int Version, bool TypesOnly)[]> Parse() =>
        s_history.ToDictionary(
            kv => kv.Key,
            kv => kv.Value.Split(' ').Select(s => s.EndsWith('t') ? (int.Parse(s[..^1], System.Globalization.CultureInfo.InvariantCulture), true) : (int.Parse(s, System.Globalization.CultureInfo.InvariantCulture), false)).ToArray(),
            StringComparer.Ordinal);
}
