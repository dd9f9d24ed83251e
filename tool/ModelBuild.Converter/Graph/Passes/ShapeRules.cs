namespace ModelBuild.Converter.Graph.Passes;

/// <summary>Per-operator type/shape rules (ONNX semantics). Returns null when the op is unknown.</summary>
internal static partial class ShapeRules
{
    public static IReadOnlyList<OutputInfo>? Infer(ModelGraph g, Node n)
    {
        var c = new Ctx(g, n);
        return n.OpType switch
        {
            "Relu" or "LeakyRelu" or "Elu" or "Selu" or "Clip" or "Sigmoid" or "HardSigmoid" or "HardSwish" or "Tanh"
                or "Softplus" or "Softsign" or "Erf" or "Gelu" or "Sqrt" or "Exp" or "Log" or "Neg" or "Abs" or "Reciprocal"
                or "Floor" or "Ceil" or "Softmax" or "LogSoftmax" or "LRN" or "Identity" or "InstanceNormalization"
                or "Round" or "Sign" or "Sin" or "Cos" or "Mish" or "Celu" or "ThresholdedRelu" or "Shrink"
                or "Swish" or "RMSNormalization" or "LpNormalization" or "CumSum" or "Trilu" or "ScatterND"
                or "ScatterElements" or "Scatter" or "ReverseSequence"
                => [c.Same(0)],
            "Dropout" => [c.Same(0), new(DataType.Bool, c.Shape(0))],
            "BatchNormalization" => [c.Same(0), c.Same(3), c.Same(4), c.Same(3), c.Same(4)],
            "LayerNormalization" => LayerNorm(c),
            "Not" => [new(DataType.Bool, c.Shape(0))],
            "Cast" => [new((DataType)n.GetInt("to", (long)c.Type(0)), c.Shape(0))],
            "Add" or "Sub" or "Mul" or "Div" or "Pow" or "Min" or "Max" or "Sum" or "Mean" or "PRelu" or "Mod" or "BitShift"
                => [new(c.Type(0), c.BroadcastAll(Enumerable.Range(0, n.Inputs.Count)))],
            "Equal" or "Less" or "Greater" or "LessOrEqual" or "GreaterOrEqual" or "And" or "Or" or "Xor"
                => [new(DataType.Bool, c.BroadcastAll([0, 1]))],
            "Where" => [new(c.Type(1), c.BroadcastAll([0, 1, 2]))],
            "Conv" => [new(c.Type(0), Conv(c, transpose: false))],
            "ConvTranspose" => [new(c.Type(0), Conv(c, transpose: true))],
            "MaxPool" or "AveragePool" or "LpPool" => Pool(c),
            "GlobalAveragePool" or "GlobalMaxPool" or "GlobalLpPool" => [new(c.Type(0), c.Shape(0) is { Length: >= 2 } s ? [s[0], s[1], .. Enumerable.Repeat(Dim.Known(1), s.Length - 2)] : null)],
            "Gemm" => [new(c.Type(0), Gemm(c))],
            "MatMul" => [new(c.Type(0), MatMul(c))],
            "Concat" => [new(c.Type(0), Concat(c))],
            "Split" => Split(c),
            "Slice" => [new(c.Type(0), Slice(c))],
            "Gather" => [new(c.Type(0), Gather(c))],
            "GatherElements" => [new(c.Type(0), c.Shape(1))],
            "GatherND" => [new(c.Type(0), GatherNd(c))],
            "NonZero" => [new(DataType.Int64, c.Shape(0) is { } nz ? [Dim.Known(nz.Length), Dim.Unknown()] : null)],
            "Compress" => [new(c.Type(0), Compress(c))],
            "NonMaxSuppression" => [new(DataType.Int64, [Dim.Unknown(), Dim.Known(3)])],
            "Reshape" => [new(c.Type(0), Reshape(c))],
            "Flatten" => [new(c.Type(0), Flatten(c))],
            "Transpose" => [new(c.Type(0), Transpose(c))],
            "Squeeze" => [new(c.Type(0), Squeeze(c))],
            "Unsqueeze" => [new(c.Type(0), Unsqueeze(c))],
            "Expand" => [new(c.Type(0), Expand(c))],
            "Tile" => [new(c.Type(0), Tile(c))],
            "Pad" => [new(c.Type(0), Pad(c))],
            "Resize" or "Upsample" => [new(c.Type(0), Resize(c))],
            "ReduceMean" or "ReduceSum" or "ReduceMax" or "ReduceMin" or "ReduceProd" or "ReduceL1" or "ReduceL2"
                or "ReduceLogSumExp" or "ReduceSumSquare" or "ReduceLogSum" => [new(c.Type(0), Reduce(c))],
            "ArgMax" or "ArgMin" => [new(DataType.Int64, ArgReduce(c))],
            "Shape" => [new(DataType.Int64, ShapeOp(c))],
            "Size" => [new(DataType.Int64, [])],
            "ConstantOfShape" => [new(n.GetTensor("value")?.Type ?? DataType.Float, c.ShapeFromInput(0))],
            "Range" => [new(c.Type(0), Range(c))],
            "DepthToSpace" => [new(c.Type(0), SpaceDepth(c, toSpace: true))],
            "SpaceToDepth" => [new(c.Type(0), SpaceDepth(c, toSpace: false))],
            "TopK" => TopK(c),
            "OneHot" => [new(c.Type(2), OneHot(c))],
            "GridSample" => [new(c.Type(0), GridSample(c))],
            "Einsum" => [new(c.Type(0), Einsum(c))],
            "Unique" => [new(c.Type(0), [Dim.Unknown()]), .. Enumerable.Repeat(new OutputInfo(DataType.Int64, [Dim.Unknown()]), n.Outputs.Count - 1)],
            "MaxUnpool" => [new(c.Type(0), null)],
            "RoiAlign" => [new(c.Type(0), c.Shape(0) is { Length: 4 } rx && c.Shape(1) is { Length: 2 } rr
                ? [rr[0], rx[1], Dim.Known(n.GetInt("output_height", 1)), Dim.Known(n.GetInt("output_width", 1))] : null)],
            "Det" => [new(c.Type(0), c.Shape(0) is { Length: >= 2 } ds ? ds[..^2] : null)],
            "LSTM" or "GRU" or "RNN" => Recurrent(c),
            "Loop" => Loop(c),
            "If" => If(c),
            _ => null,
        };
    }

    /// <summary>Input accessors for one node.</summary>
    internal sealed class Ctx(ModelGraph g, Node n)
    {
        public ModelGraph G => g;

        public Node N => n;

        public int Opset => g.Opset;

        public Value? In(int i) => n.HasInput(i) && g.Values.TryGetValue(n.Inputs[i], out var v) ? v : null;

        public Dim[]? Shape(int i) => In(i)?.Shape;

        public DataType Type(int i) => In(i)?.Type ?? DataType.Undefined;

        public TensorData? Const(int i) => In(i)?.Constant;

        public OutputInfo Same(int i) => new(Type(i), Shape(i));

        public long[]? ConstInts(int i) => Const(i)?.ToLongArray();

        public Exception Error(string message) => new ModelBuildException(ErrorCodes.OnnxShapeInference, $"{g.Describe(n)}: {message}");

        /// <summary>Axis in [0, rank); MB1011 when out of range.</summary>
        public int Axis(long axis, int rank)
        {
            var a = axis < 0 ? axis + rank : axis;
            if (a < 0 || a >= rank)
            {
                throw Error($"axis {axis} is out of range for rank {rank}");
            }

            return (int)a;
        }

        public Dim[]? BroadcastAll(IEnumerable<int> inputs)
        {
            Dim[]? result = null;
            foreach (var i in inputs)
            {
                if (!n.HasInput(i))
                {
                    continue;
                }

                var s = Shape(i);
                if (s is null)
                {
                    return null;
                }

                result = result is null ? s : Broadcast(result, s);
            }

            return result;
        }

        public Dim[] Broadcast(Dim[] a, Dim[] b)
        {
            var rank = Math.Max(a.Length, b.Length);
            var r = new Dim[rank];
            for (var k = 0; k < rank; k++)
            {
                var da = k - (rank - a.Length) >= 0 ? a[k - (rank - a.Length)] : Dim.Known(1);
                var db = k - (rank - b.Length) >= 0 ? b[k - (rank - b.Length)] : Dim.Known(1);
                r[k] = DimMath.Broadcast(da, db) ?? throw Error($"shapes [{string.Join(",", a)}] and [{string.Join(",", b)}] cannot be broadcast");
            }

            return r;
        }

        /// <summary>A shape given by a 1-D int64 input: its values when constant, else unknown dims of the right rank.</summary>
        public Dim[]? ShapeFromInput(int i) =>
            ConstInts(i) is { } dims ? dims.Select(d => d < 0 ? throw Error($"negative dimension {d}") : Dim.Known(d)).ToArray()
            : Shape(i) is [{ IsKnown: true } len] ? Enumerable.Range(0, (int)len.Value!.Value).Select(_ => Dim.Unknown()).ToArray()
            : null;
    }
}
