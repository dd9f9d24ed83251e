using Microsoft.ML.OnnxRuntime;

namespace ModelBuild.Converter.Parity.Reference;

/// <summary>
/// An ONNX Runtime session being created on a worker thread, with explicit ownership: whoever <see cref="Take"/>s
/// it disposes it; if nobody did (the gate failed before building its reference), <see cref="Dispose"/> waits for
/// it and frees it.
/// </summary>
public sealed class PendingSession : IDisposable
{
    private Task<InferenceSession>? _task;

    public PendingSession(Task<InferenceSession> task) => _task = task;

    /// <summary>Transfers ownership of the session-to-be; null when already taken.</summary>
    public Task<InferenceSession>? Take() => Interlocked.Exchange(ref _task, null);

    public void Dispose()
    {
        if (Take() is { } t)
        {
            try
            {
                t.GetAwaiter().GetResult().Dispose();
            }
            catch (ModelBuildException)
            {
                // it failed to load; the gate's own error (or the reference's retry) says why
            }
        }
    }
}
