namespace ModelBuild.Tasks;

/// <summary>
/// The MB6xxx codes the build integration reports itself (mirrors of runtime/ModelBuild.Runtime/Diagnostics/ErrorCodes.cs;
/// the task assembly targets netstandard2.0 and does not reference the runtime).
/// </summary>
internal static class BuildErrorCodes
{
    /// <summary>The converter process failed without printing a coded error (crash, missing runtime, killed).</summary>
    public const string ToolFailed = "MB6001";

    /// <summary>Two OnnxModel items would write the same .mnn file.</summary>
    public const string DuplicateOutput = "MB6002";

    /// <summary>The converter (ModelBuildConverterPath) or the dotnet host cannot be found.</summary>
    public const string ConverterNotFound = "MB6003";

    /// <summary>An OnnxModel metadata value or ModelBuild* property is invalid (e.g. ParityGate=Maybe).</summary>
    public const string InvalidMetadata = "MB6004";
}
