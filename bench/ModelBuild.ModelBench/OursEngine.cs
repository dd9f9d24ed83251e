using ModelBuild.Runtime;
using ModelBuild.Runtime.Kernels;

namespace ModelBuild.ModelBench;

/// <summary>Our runtime: one <see cref="MnnSession"/> on the converted model, fixed threads and ISA.</summary>
internal sealed class OursEngine : IEngine
{
    private readonly MnnSession _session;
    private readonly IReadOnlyDictionary<string, Tensor> _inputs;

    /// <param name="threads">1 = calling thread only, 0 = all cores (MnnSessionOptions.Threads semantics).</param>
    /// <param name="observer">optional per-output hook (used by the op profiler; disables buffer sharing).</param>
    public OursEngine(ModelCase model, int threads, IsaLevel isa, Action<string, Tensor>? observer = null)
    {
        _session = new MnnSession(model.Model, new MnnSessionOptions { Threads = threads, Isa = isa, TensorObserver = observer });
        _inputs = model.RuntimeInputs;
        Isa = KernelIsa.Clamp(isa);
        Label = $"ours t{threads} {Isa}";
    }

    public IsaLevel Isa { get; }

    public string Label { get; }

    public void RunOnce() => _session.Run(_inputs);

    public void Dispose() => _session.Dispose();
}
