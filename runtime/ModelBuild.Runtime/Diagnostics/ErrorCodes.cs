namespace ModelBuild;

/// <summary>
/// Every error code ModelBuild emits. Ranges: MB1xxx ONNX input, MB11xx MNN files, MB12xx tensor files
/// (.pb/.npy), MB2xxx parity gate, MB3xxx unsupported features, MB4xxx runtime execution, MB5xxx usage/CLI,
/// MB6xxx build integration. Codes are never reused for a different meaning.
/// </summary>
public static class ErrorCodes
{
    // --- ONNX input (tool/Onnx) ---
    public const string OnnxFileNotFound = "MB1000";
    public const string OnnxMalformed = "MB1001";
    public const string OnnxTooLarge = "MB1002";
    public const string OnnxNestingTooDeep = "MB1003";
    public const string OnnxUnsafeExternalPath = "MB1004";
    public const string OnnxExternalDataOutOfRange = "MB1005";
    public const string OnnxExternalDataMissing = "MB1006";
    public const string OnnxUnsupportedOpset = "MB1007";
    public const string OnnxInvalidGraph = "MB1008";
    public const string OnnxInvalidTensor = "MB1009";
    public const string OnnxInvalidAttribute = "MB1010";
    public const string OnnxShapeInference = "MB1011";
    public const string InvalidInputShapeOption = "MB1012";

    // --- MNN files (runtime/Format) ---
    public const string MnnFileNotFound = "MB1100";
    public const string MnnCorrupt = "MB1101";
    public const string MnnTooLarge = "MB1102";
    public const string MnnInvalidGraph = "MB1103";
    public const string MnnWriteFailed = "MB1104";

    // --- tensor files (.pb TensorProto, .npy, images) ---
    public const string TensorFileMalformed = "MB1200";
    public const string TensorFileNotFound = "MB1201";
    public const string TensorFileUnsupportedType = "MB1202";

    // --- parity gate ---
    public const string ParityFailed = "MB2001";
    public const string ParityShapeMismatch = "MB2002";
    public const string ParityNonFinite = "MB2003";
    public const string ParityDegenerateInput = "MB2004";
    public const string ParityIsaDivergence = "MB2005";
    public const string ParityReferenceFailed = "MB2006";

    // --- unsupported features ---
    public const string UnsupportedOperator = "MB3001";
    public const string UnsupportedAttribute = "MB3002";
    public const string UnsupportedMnnOperator = "MB3003";
    public const string UnsupportedDataType = "MB3004";
    public const string UnsupportedDynamicShape = "MB3005";

    // --- runtime execution ---
    public const string RuntimeShapeMismatch = "MB4001";
    public const string RuntimeMissingInput = "MB4002";
    public const string RuntimeUnknownInput = "MB4003";
    public const string RuntimeInvalidShape = "MB4004";
    public const string RuntimeTypeMismatch = "MB4005";
    /// <summary>No longer thrown: a disposed session throws <see cref="ObjectDisposedException"/>, as .NET types do. Kept so the code is never reused.</summary>
    [Obsolete("A disposed session throws ObjectDisposedException; MB4006 is no longer used.")]
    public const string RuntimeDisposed = "MB4006";
    public const string RuntimeExecutionFailed = "MB4007";

    // --- usage / CLI ---
    public const string UsageError = "MB5001";
    public const string OutputWriteFailed = "MB5002";

    /// <summary>CLI only: an exception that is not a ModelBuildException (a bug), printed with exit code 3.</summary>
    public const string InternalError = "MB9999";

    // --- build integration ---
    public const string BuildToolFailed = "MB6001";
    public const string BuildDuplicateOutput = "MB6002";
    public const string BuildConverterNotFound = "MB6003";
    public const string BuildInvalidMetadata = "MB6004";

    // --- warnings ---
    public const string OnnxDefaultAttributeUsed = "MB7001";
    public const string ParityDegenerateSampleWarning = "MB7002";
    public const string ParityConstantSampleWarning = "MB7003";
    public const string ParityColumnSkipped = "MB7004";

    // --- device-precision emulation in the parity gate (check --emulate) ---
    /// <summary>The emulated device run (e.g. fp16) exceeds its limits and the emulation is set to fail the gate.</summary>
    public const string ParityEmulationFailed = "MB2010";

    /// <summary>The emulated device run exceeds its limits (default: a warning), or where its error first grows.</summary>
    public const string ParityEmulationWarning = "MB7010";
}
