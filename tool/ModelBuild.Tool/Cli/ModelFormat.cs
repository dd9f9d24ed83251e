namespace ModelBuild.Tool.Cli;

/// <summary>The two model formats the CLI reads, chosen by file extension (anything but .onnx is read as MNN).</summary>
internal enum ModelFormat
{
    Onnx,
    Mnn,
}

internal static class ModelFormats
{
    public static ModelFormat FromPath(string path) =>
        string.Equals(Path.GetExtension(path), ".onnx", StringComparison.OrdinalIgnoreCase) ? ModelFormat.Onnx : ModelFormat.Mnn;
}
