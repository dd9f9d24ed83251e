namespace ModelBuild.Tasks;

/// <summary>
/// Metadata names of OnnxModel items (user-facing; their defaults come from the ModelBuild* properties in
/// build/ModelBuild.targets) and of the resolved items the targets pass between tasks (set by ModelBuildResolveModels).
/// </summary>
internal static class ModelMetadata
{
    // --- user-facing OnnxModel metadata ---
    public const string InputShapes = "InputShapes";
    public const string WeightPrecision = "WeightPrecision";
    public const string ParityGate = "ParityGate";
    public const string MaxRelativeError = "MaxRelativeError";
    public const string MinCosineSimilarity = "MinCosineSimilarity";
    public const string Atol = "Atol";
    public const string Rtol = "Rtol";
    public const string ParityThresholds = "ParityThresholds";
    public const string ParityInputs = "ParityInputs";
    public const string ParitySamples = "ParitySamples";
    public const string ParitySeed = "ParitySeed";
    public const string ParityIsa = "ParityIsa";
    public const string ParityReport = "ParityReport";
    public const string ParityStrict = "ParityStrict";
    public const string ParityEmulate = "ParityEmulate";
    public const string ParityEmulateMaxRelativeError = "ParityEmulateMaxRelativeError";
    public const string ParityEmulateMinCosineSimilarity = "ParityEmulateMinCosineSimilarity";
    public const string ParityEmulateGate = "ParityEmulateGate";
    public const string SuppressDegenerateInputWarning = "SuppressDegenerateInputWarning";
    public const string OutputName = "OutputName";
    public const string Link = "Link";
    public const string EmbedAsResource = "EmbedAsResource";
    public const string LogicalName = "LogicalName";
    public const string CopyToOutputDirectory = "CopyToOutputDirectory";
    public const string CopyToPublishDirectory = "CopyToPublishDirectory";
    public const string ExternalData = "ExternalData";

    // --- resolved (private to the targets) ---
    public const string OnnxFile = "OnnxFile";
    public const string OutputFile = "OutputFile";
    public const string TargetPath = "TargetPath";
    public const string ConvertStamp = "ConvertStamp";
    public const string ConvertStampContent = "ConvertStampContent";
    public const string CheckStamp = "CheckStamp";
    public const string CheckStampContent = "CheckStampContent";
    public const string CheckMarker = "CheckMarker";
    public const string ExternalDataFiles = "ExternalDataFiles";
    public const string ParityInputPaths = "ParityInputPaths";
}

/// <summary>Values of the ParityGate metadata.</summary>
internal static class GateModes
{
    public const string Error = "Error";
    public const string Warning = "Warning";
    public const string Off = "Off";

    /// <summary>Case-insensitive parse; empty means Error; null for anything else.</summary>
    public static string? Normalize(string? value)
    {
        var v = (value ?? "").Trim();
        if (v.Length == 0 || v.Equals(Error, StringComparison.OrdinalIgnoreCase))
        {
            return Error;
        }

        if (v.Equals(Warning, StringComparison.OrdinalIgnoreCase))
        {
            return Warning;
        }

        return v.Equals(Off, StringComparison.OrdinalIgnoreCase) || v.Equals("None", StringComparison.OrdinalIgnoreCase) || v.Equals("false", StringComparison.OrdinalIgnoreCase)
            ? Off
            : null;
    }
}
