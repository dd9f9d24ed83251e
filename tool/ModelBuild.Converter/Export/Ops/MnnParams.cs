using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Converter.Export.Ops;

/// <summary>Factories for the MNN op parameters emitters use, filled the way upstream MNNConvert fills them.</summary>
internal static class MnnParams
{
    public static OpParameterUnion Binary(BinaryOpOperation op) =>
        OpParameterUnion.FromBinaryOp(new BinaryOpT { OpType = op, T = DataType.DT_FLOAT, ActivationType = 0 });

    public static OpParameterUnion Unary(UnaryOpOperation op) =>
        OpParameterUnion.FromUnaryOp(new UnaryOpT { OpType = op, T = DataType.DT_FLOAT });

    public static OpParameterUnion Reduction(ReductionType op, IEnumerable<int> dims, bool keepDims) =>
        OpParameterUnion.FromReductionParam(new ReductionParamT { Operation = op, Dim = [.. dims], KeepDims = keepDims, DType = DataType.DT_FLOAT, Coeff = 0f });

    public static OpParameterUnion Axis(int axis) => OpParameterUnion.FromAxis(new AxisT { Axis_ = axis });

    public static OpParameterUnion Squeeze(IEnumerable<int> dims) => OpParameterUnion.FromSqueezeParam(new SqueezeParamT { SqueezeDims = [.. dims] });

    /// <summary>Squeeze/Unsqueeze whose axes are input 1: squeezeDims absent (not empty), as upstream writes it.</summary>
    public static OpParameterUnion SqueezeFromInput() => OpParameterUnion.FromSqueezeParam(new SqueezeParamT { SqueezeDims = null });

    /// <summary>Reshape whose target comes from input 1 (dims empty) or from the parameter.</summary>
    public static OpParameterUnion Reshape(IEnumerable<int>? dims = null) =>
        OpParameterUnion.FromReshape(new ReshapeT { DimType = MNN_DATA_FORMAT.NCHW, Dims = dims is null ? [] : [.. dims] });

    public static OpParameterUnion Permute(IEnumerable<int> dims) => OpParameterUnion.FromPermute(new PermuteT { Dims = [.. dims] });

    public static OpParameterUnion Relu(float slope) => OpParameterUnion.FromRelu(new ReluT { Slope = slope });

    public static OpParameterUnion Relu6(float min, float max) => OpParameterUnion.FromRelu6(new Relu6T { MinValue = min, MaxValue = max });

    /// <summary>ONNX-style StridedSlice (fromType 1): inputs are data, starts, ends[, axes[, steps]].</summary>
    public static OpParameterUnion OnnxStridedSlice() => OpParameterUnion.FromStridedSliceParam(new StridedSliceParamT
    {
        T = DataType.DT_FLOAT,
        Index = DataType.DT_INT32,
        FromType = 1,
    });

    public static OpParameterUnion GatherV2() => OpParameterUnion.FromGatherV2(new GatherV2T());
}
