namespace ModelBuild.ModelBench;

/// <summary>
/// Groups MNN op types (ours) and ONNX / ORT-fused op types (ORT) into common categories so per-category time
/// can be compared across the two engines, whose graphs differ after conversion and fusion.
/// </summary>
internal static class OpCategory
{
    public const string Conv = "Conv (incl. depthwise, fused act.)";
    public const string MatMul = "MatMul / Gemm / InnerProduct";
    public const string Pool = "Pooling";
    public const string Norm = "Normalization / Scale";
    public const string Softmax = "Softmax";
    public const string Elementwise = "Elementwise / activation";
    public const string Reduce = "Reduction";
    public const string Movement = "Data movement / shape";

    private static readonly Dictionary<string, string> s_map = Build();

    /// <summary>The category of an op type name from either engine; unknown types form their own category.</summary>
    public static string Of(string opType) => s_map.TryGetValue(opType, out var c) ? c : $"other: {opType}";

    private static Dictionary<string, string> Build()
    {
        var m = new Dictionary<string, string>(StringComparer.Ordinal);
        void Add(string category, params string[] types)
        {
            foreach (var t in types)
            {
                m[t] = category;
            }
        }

        Add(Conv, "Convolution", "ConvolutionDepthwise", "Deconvolution", "DeconvolutionDepthwise", "Convolution3D", "Deconvolution3D",
            "Conv", "FusedConv", "NhwcFusedConv", "ConvTranspose");
        Add(MatMul, "MatMul", "BatchMatMul", "InnerProduct", "Gemm", "FusedMatMul", "FusedGemm", "Attention", "MultiHeadAttention");
        Add(Pool, "Pooling", "Pooling3D", "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "LpPool");
        Add(Norm, "BatchNorm", "InstanceNorm", "LayerNorm", "GroupNorm", "Scale", "Normalize", "LRN",
            "BatchNormalization", "InstanceNormalization", "LayerNormalization", "SimplifiedLayerNormalization",
            "SkipLayerNormalization", "SkipSimplifiedLayerNormalization", "GroupNormalization", "LpNormalization");
        Add(Softmax, "Softmax", "LogSoftmax");
        Add(Elementwise, "ReLU", "ReLU6", "PReLU", "Sigmoid", "TanH", "ELU", "Selu", "UnaryOp", "BinaryOp", "Eltwise", "Select",
            "Relu", "Clip", "LeakyRelu", "Elu", "Tanh", "HardSigmoid", "HardSwish", "Add", "Sub", "Mul", "Div", "Pow", "Sqrt",
            "Erf", "Exp", "Log", "Abs", "Neg", "Reciprocal", "Gelu", "BiasGelu", "FastGelu", "QuickGelu", "Where", "Equal",
            "Less", "Greater", "Not", "And", "Or", "Min", "Max", "Sum", "Floor", "Ceil", "Round", "Sin", "Cos");
        Add(Reduce, "Reduction", "ArgMax", "ArgMin", "ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd",
            "ReduceL2", "ReduceSumSquare");
        Add(Movement, "Reshape", "Transpose", "Permute", "Concat", "Slice", "StridedSlice", "SliceTf", "Gather", "GatherV2",
            "GatherND", "GatherElements", "Padding", "Pad", "Squeeze", "Unsqueeze", "Flatten", "ConvertTensor", "Interp",
            "Resize", "Upsample", "Expand", "BroadcastTo", "Tile", "Shape", "Size", "Cast", "Range", "ConstantOfShape", "Fill",
            "Identity", "ReorderInput", "ReorderOutput", "Split", "Unpack", "Pack", "Raster", "DepthToSpace", "SpaceToDepth", "ScatterND", "OneHot", "Dropout");
        return m;
    }
}
