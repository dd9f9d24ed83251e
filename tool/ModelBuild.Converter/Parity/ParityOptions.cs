using ModelBuild.Converter.Parity.Inputs;
using ModelBuild.Converter.Parity.Metrics;

namespace ModelBuild.Converter.Parity;

/// <summary>
/// Everything the parity gate needs: the ONNX model (the reference, run in ONNX Runtime), the candidate
/// (<see cref="MnnPath"/>, or converted on the fly), how to make or find representative inputs, the thresholds,
/// and where to write the report. Shared by the CLI (<c>check</c>) and build integration.
/// </summary>
public sealed class ParityOptions
{
    public const int DefaultSamples = 4;
    public const int DefaultSeed = 1234;

    /// <summary>The ONNX model: the reference.</summary>
    public required string OnnxPath { get; init; }

    /// <summary>Told each phase as it starts (parse, convert, ISA matrix, localization...); null = silent.</summary>
    public Action<string>? Progress { get; init; }

    /// <summary>The converted model to check; null converts <see cref="OnnxPath"/> in memory.</summary>
    public string? MnnPath { get; init; }

    /// <summary>User samples: test_data_set folders (input_K.pb), .pb / .npy files, PNG/JPEG images.</summary>
    public List<string> InputPaths { get; init; } = [];

    /// <summary>Generated samples when no user samples are given (and extra ones when all user samples are degenerate).</summary>
    public int Samples { get; init; } = DefaultSamples;

    public int Seed { get; init; } = DefaultSeed;

    /// <summary>Distribution of generated values per input name (default: <see cref="InputDistribution.Default"/>).</summary>
    public Dictionary<string, InputDistribution> Distributions { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Shapes for inputs with symbolic dims (and to override declared shapes).</summary>
    public Dictionary<string, long[]> InputShapes { get; init; } = new(StringComparer.Ordinal);

    /// <summary>How images given as samples become tensors.</summary>
    public ImagePreprocessing Image { get; init; } = new();

    public ParityThresholds Thresholds { get; init; } = new();

    /// <summary>
    /// True when <see cref="Thresholds"/>' relative-error limit is a default, not the caller's: a candidate file with
    /// fp16 or int8 weight storage is then judged by that storage's default instead (<see cref="StorageLimits"/>).
    /// The CLI sets it when <c>--max-relative-error</c> is not given.
    /// </summary>
    public bool MaxRelErrorIsDefault { get; init; }

    /// <summary>As <see cref="MaxRelErrorIsDefault"/>, for the cosine-similarity limit (<c>--min-cosine-similarity</c>).</summary>
    public bool MinCosineIsDefault { get; init; }

    /// <summary>Per-output overrides of <see cref="Thresholds"/> (by ONNX output name).</summary>
    public Dictionary<string, ThresholdOverride> OutputThresholds { get; init; } = new(StringComparer.Ordinal);

    /// <summary>A degenerate (ill-conditioned) sample fails the gate instead of being excluded.</summary>
    public bool Strict { get; init; }

    /// <summary>
    /// ISA columns to run the candidate at: "scalar", "128", "256", "512", "arm64". Empty = every level this
    /// machine supports. "arm64" runs the published linux-arm64 CLI under qemu.
    /// </summary>
    public List<string> Isas { get; init; } = [];

    /// <summary>Report path without extension: writes PATH.json and PATH.html. Null = no report files.</summary>
    public string? ReportPath { get; init; }

    /// <summary>Folder where every judged sample is saved as test_data_set_K/input_J.pb. Null = not saved.</summary>
    public string? SaveInputsDirectory { get; init; }

    /// <summary>Localize the first diverging node when an output fails (costs extra reference runs).</summary>
    public bool Localize { get; init; } = true;

    /// <summary>The command line that produced this run, recorded in the report.</summary>
    public string? CommandLine { get; init; }

    /// <summary>
    /// Device precision to emulate in a second run of the candidate ("predicted on device" column): "fp16"
    /// (<see cref="Emulation.DeviceEmulation.Fp16"/>) or null for none.
    /// </summary>
    public string? Emulate { get; init; }

    /// <summary>Limits of the emulated run against the reference (default <see cref="Emulation.DeviceEmulation.DefaultThresholds"/>).</summary>
    public ParityThresholds EmulationThresholds { get; init; } = Emulation.DeviceEmulation.DefaultThresholds;

    /// <summary>Exceeding <see cref="EmulationThresholds"/> fails the gate (MB2010) instead of warning (MB7010).</summary>
    public bool EmulationFails { get; init; }

    /// <summary>Repository root used to look for a published linux-arm64 CLI (artifacts/); null = current directory upwards.</summary>
    public string? RepositoryRoot { get; init; }
}
