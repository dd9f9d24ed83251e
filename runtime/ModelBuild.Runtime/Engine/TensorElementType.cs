namespace ModelBuild.Runtime;

/// <summary>Element types the runtime computes with. MNN stores ONNX int64 and bool as int32.</summary>
public enum TensorElementType
{
    Float32 = 1,
    Int32 = 6,
}
