using Google.Protobuf;
using ModelBuild.Converter.Onnx.Proto;

namespace ModelBuild.Converter.Onnx;

/// <summary>
/// Reads ONNX model bytes with explicit protobuf limits so a hostile or damaged file ends in a coded error,
/// never a crash, runaway recursion or unbounded allocation.
/// </summary>
public static class OnnxModelLoader
{
    /// <summary>Largest protobuf message we accept (2 GiB − 1, the protobuf format's own ceiling).</summary>
    public const int SizeLimit = int.MaxValue;

    /// <summary>Deepest message nesting accepted (graphs inside attributes inside graphs...).</summary>
    public const int RecursionLimit = 100;

    /// <summary>
    /// Lowest and highest default-domain opset accepted: those <see cref="OperatorVersions"/> describes. Within
    /// them each node is checked against the version of its op in force at the model's opset (MB3001 when the
    /// converter does not implement that version); beyond the newest, op versions are not known.
    /// </summary>
    public const int MinOpset = OperatorVersions.OldestOpset;
    public const int MaxOpset = OperatorVersions.NewestOpset;

    /// <summary>Loads and parses a model file; MB1000 when missing, MB1001/MB1002/MB1003 when unreadable.</summary>
    public static ModelProto Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new ModelBuildException(ErrorCodes.OnnxFileNotFound, $"ONNX model '{path}' does not exist");
        }

        // before any open: a FIFO or device would block or stream forever
        UserFiles.RequireRegularFile(path, ErrorCodes.OnnxFileNotFound, "ONNX model");
        long length;
        try
        {
            length = new FileInfo(path).Length;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelBuildException(ErrorCodes.OnnxFileNotFound, $"ONNX model '{path}' cannot be read: {e.Message}", e);
        }

        if (length > SizeLimit)
        {
            throw new ModelBuildException(ErrorCodes.OnnxTooLarge, $"ONNX model '{path}' is {length} bytes; protobuf models are limited to {SizeLimit} bytes (larger weights must use external data)");
        }

        byte[] bytes;
        try
        {
            // whole file, then parse from memory: several times faster than a stream for large raw_data fields
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelBuildException(ErrorCodes.OnnxFileNotFound, $"ONNX model '{path}' cannot be read: {e.Message}", e);
        }

        return Parse(bytes, path);
    }

    /// <summary>Parses model bytes; <paramref name="sourceName"/> names the file in errors.</summary>
    public static ModelProto Parse(byte[] bytes, string sourceName) =>
        ParseMessage(() => new CodedInputStream(bytes), sourceName, ModelProto.Parser, ErrorCodes.OnnxMalformed, "ONNX model");

    public static ModelProto Parse(Stream stream, string sourceName) =>
        ParseMessage(stream, sourceName, ModelProto.Parser, ErrorCodes.OnnxMalformed, "ONNX model");

    /// <summary>Shared limited parser, also used for TensorProto files.</summary>
    internal static T ParseMessage<T>(Stream stream, string sourceName, MessageParser<T> parser, string malformedCode, string what)
        where T : IMessage<T> =>
        ParseMessage(() => CodedInputStream.CreateWithLimits(stream, SizeLimit, RecursionLimit), sourceName, parser, malformedCode, what);

    /// <summary>
    /// Parses with the limits; an in-memory <see cref="CodedInputStream"/> has the same ones by default
    /// (size int.MaxValue, recursion 100 = <see cref="RecursionLimit"/>).
    /// </summary>
    private static T ParseMessage<T>(Func<CodedInputStream> open, string sourceName, MessageParser<T> parser, string malformedCode, string what)
        where T : IMessage<T>
    {
        try
        {
            using var input = open();
            var message = parser.ParseFrom(input);
            return message;
        }
        catch (InvalidProtocolBufferException e) when (e.Message.Contains("nesting", StringComparison.OrdinalIgnoreCase) || e.Message.Contains("recursion", StringComparison.OrdinalIgnoreCase))
        {
            throw new ModelBuildException(ErrorCodes.OnnxNestingTooDeep, $"{what} '{sourceName}' nests messages deeper than {RecursionLimit} levels", e);
        }
        catch (InvalidProtocolBufferException e) when (e.Message.Contains("size limit", StringComparison.OrdinalIgnoreCase))
        {
            throw new ModelBuildException(ErrorCodes.OnnxTooLarge, $"{what} '{sourceName}' exceeds the {SizeLimit}-byte protobuf limit", e);
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or ArgumentException or FormatException or InvalidOperationException or OverflowException or IndexOutOfRangeException or NullReferenceException)
        {
            // Garbage bytes can trip several protobuf code paths; all of them mean "not a valid message".
            throw new ModelBuildException(malformedCode, $"{what} '{sourceName}' is not a valid protobuf message: {e.Message}", e);
        }
    }

    /// <summary>
    /// The opset of the default ONNX domain ("" or "ai.onnx"); MB1007 when absent or outside
    /// <see cref="MinOpset"/>..<see cref="MaxOpset"/>. Other domains are accepted here; their nodes are
    /// rejected later as unsupported operators.
    /// </summary>
    public static int GetDefaultOpset(ModelProto model, string sourceName)
    {
        long? version = null;
        foreach (var o in model.OpsetImport)
        {
            if (o.Domain.Length == 0 || o.Domain == "ai.onnx")
            {
                version = version is null ? o.Version : Math.Max(version.Value, o.Version);
            }
        }

        if (version is null)
        {
            throw new ModelBuildException(ErrorCodes.OnnxUnsupportedOpset, $"ONNX model '{sourceName}' imports no opset of the default domain (ai.onnx); supported opsets are {MinOpset}..{MaxOpset}");
        }

        if (version < MinOpset || version > MaxOpset)
        {
            throw new ModelBuildException(ErrorCodes.OnnxUnsupportedOpset, $"ONNX model '{sourceName}' uses default-domain opset {version}; supported opsets are {MinOpset}..{MaxOpset}");
        }

        return (int)version.Value;
    }
}
