namespace ModelBuild.ModelBench;

/// <summary>A ready-to-run inference session of one engine on one model with fixed inputs.</summary>
internal interface IEngine : IDisposable
{
    /// <summary>Short label for tables, e.g. "ORT" or "ours V256".</summary>
    string Label { get; }

    /// <summary>One full inference (inputs in, outputs out and released).</summary>
    void RunOnce();
}
