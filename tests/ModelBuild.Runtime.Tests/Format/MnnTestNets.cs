using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Runtime.Tests.Format;

/// <summary>Small MNN nets built in code through the object API.</summary>
internal static class MnnTestNets
{
    /// <summary>Input → ConvertTensor → Convolution → BinaryOp(ADD with a Const) → ReLU → Pooling → Softmax.</summary>
    public static NetT Small()
    {
        var ops = new List<OpT>
        {
            new()
            {
                Name = "input", Type = OpType.Input, OutputIndexes = [0],
                Main = OpParameterUnion.FromInput(new InputT { Dims = [1, 3, 8, 8], Dtype = DataType.DT_FLOAT, Dformat = MNN_DATA_FORMAT.NCHW }),
            },
            new()
            {
                Name = "to_c4", Type = OpType.ConvertTensor, InputIndexes = [0], OutputIndexes = [1],
                Main = new OpParameterUnion { Type = OpParameter.TensorConvertInfo, Value = new TensorConvertInfoT { Source = MNN_DATA_FORMAT.NCHW, Dest = MNN_DATA_FORMAT.NC4HW4 } },
            },
            new()
            {
                Name = "conv", Type = OpType.Convolution, InputIndexes = [1], OutputIndexes = [2],
                Main = OpParameterUnion.FromConvolution2D(new Convolution2DT
                {
                    Common = new Convolution2DCommonT { KernelX = 3, KernelY = 3, PadX = 1, PadY = 1, InputCount = 3, OutputCount = 4, Pads = [1, 1, 1, 1] },
                    Weight = Enumerable.Range(0, 4 * 3 * 3 * 3).Select(i => (i % 7) * 0.125f - 0.25f).ToList(),
                    Bias = [0.5f, -0.5f, 0.25f, 0f],
                }),
            },
            new()
            {
                Name = "bias_const", Type = OpType.Const, OutputIndexes = [3],
                Main = OpParameterUnion.FromBlob(new BlobT { Dims = [1], DataFormat = MNN_DATA_FORMAT.NCHW, DataType = DataType.DT_FLOAT, Float32s = [1.5f] }),
            },
            new()
            {
                Name = "add", Type = OpType.BinaryOp, InputIndexes = [2, 3], OutputIndexes = [4],
                Main = OpParameterUnion.FromBinaryOp(new BinaryOpT { OpType = BinaryOpOperation.ADD, T = DataType.DT_FLOAT }),
            },
            new() { Name = "relu", Type = OpType.ReLU, InputIndexes = [4], OutputIndexes = [5], Main = OpParameterUnion.FromRelu(new ReluT { Slope = 0f }) },
            new()
            {
                Name = "pool", Type = OpType.Pooling, InputIndexes = [5], OutputIndexes = [6],
                Main = OpParameterUnion.FromPool(new PoolT { KernelX = 2, KernelY = 2, StrideX = 2, StrideY = 2, Type = PoolType.MAXPOOL, PadType = PoolPadType.CAFFE }),
            },
            new()
            {
                Name = "softmax", Type = OpType.Softmax, InputIndexes = [6], OutputIndexes = [7],
                Main = OpParameterUnion.FromAxis(new AxisT { Axis_ = 1 }),
            },
        };
        return new NetT
        {
            BizCode = "ModelBuild",
            Oplists = ops,
            OutputName = ["out"],
            TensorName = ["in", "in_c4", "conv", "bias", "add", "relu", "pool", "out"],
            TensorNumber = 0,
            SourceType = NetSource.ONNX,
            Usage = Usage.INFERENCE,
            ExtraTensorDescribe =
            [
                new TensorDescribeT { Index = 2, Name = "conv", Blob = new BlobT { Dims = [1, 4, 8, 8], DataFormat = MNN_DATA_FORMAT.NC4HW4 } },
            ],
        };
    }
}
