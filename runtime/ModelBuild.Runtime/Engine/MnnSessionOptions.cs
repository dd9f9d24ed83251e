using ModelBuild.Runtime.Kernels;

namespace ModelBuild.Runtime;

/// <summary>
/// Options for an <see cref="MnnSession"/>. The session reads them once in its constructor and keeps no
/// reference to this object, so the caller may reuse or change it afterwards.
/// </summary>
public sealed class MnnSessionOptions
{
    /// <summary>
    /// Forces a SIMD level (clamped to what the machine supports); null uses <see cref="KernelIsa.Default"/>
    /// (the best level, lowered by the <c>MODELBUILD_ISA</c> environment variable).
    /// </summary>
    public IsaLevel? Isa { get; set; }

    /// <summary>Threads an op may use: 1 (default) runs on the calling thread only; 0 uses all cores.</summary>
    public int Threads { get; set; } = 1;

    /// <summary>
    /// Debug hook called after each op, once per output tensor, with the tensor's name (MNN <c>Net.tensorName</c>)
    /// and the session's own tensor. The tensor is a read-only view owned by the session: do not modify it and
    /// do not keep it after the callback returns (clone it with <see cref="Tensor.Clone"/> to keep the values).
    /// Setting a hook disables buffer sharing between intermediate tensors so every observed value is intact.
    /// </summary>
    public Action<string, Tensor>? TensorObserver { get; set; }

    /// <summary>
    /// The numerics to compute with: <see cref="SessionPrecision.Float32"/> (default) or
    /// <see cref="SessionPrecision.EmulatedFp16"/>, which predicts upstream MNN's fp16 run on a phone. The emulating
    /// session rounds its own copy of the weights; the model stays unchanged and shareable.
    /// </summary>
    public SessionPrecision Precision { get; set; }
}
