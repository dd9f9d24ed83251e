namespace ModelBuild.Runtime;

/// <summary>The numerics an <see cref="MnnSession"/> computes with (<see cref="MnnSessionOptions.Precision"/>).</summary>
public enum SessionPrecision
{
    /// <summary>float32 everywhere (the default; bit-identical at every ISA level and on arm64).</summary>
    Float32 = 0,

    /// <summary>
    /// Predicts what upstream MNN computes on a phone with <c>precision = low</c> (ARMv8.2 fp16, the ARM82 backend):
    /// weights and constants rounded to fp16, the model inputs and every op's float outputs rounded to fp16 (the
    /// activation storage between ops), and convolutions (depthwise included) and MatMul accumulated in fp16 the
    /// way MNN's fp16 kernels do (a fused multiply-add rounded to fp16 per step, bias added in fp16). Ops MNN runs in
    /// float32 inside (LayerNorm, Softmax, reductions) see fp16 inputs and give fp16 outputs, as on the device.
    /// Deterministic and the same bits at every ISA level; slower than <see cref="Float32"/> (the gate's
    /// "predicted on device" column). Not a bit-exact model of the device: MNN's Winograd and Strassen paths, its
    /// fp16 exp/tanh approximations and its reduction orders are not reproduced (see docs/fp16-emulation.md).
    /// </summary>
    EmulatedFp16 = 1,
}
