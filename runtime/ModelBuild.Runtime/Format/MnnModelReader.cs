using Google.FlatBuffers;
using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Runtime.Format;

/// <summary>
/// Reads <c>.mnn</c> files (upstream MNN's FlatBuffers format, root table <c>Net</c>, no file identifier)
/// into the flatc object API (<see cref="NetT"/>). The buffer is bounds-checked by <see cref="MnnBufferChecker"/>
/// before it is unpacked, and anything that still goes wrong is reported as <see cref="ErrorCodes.MnnCorrupt"/>.
/// </summary>
internal static class MnnModelReader
{
    /// <summary>Largest file accepted (the FlatBuffers C# reader addresses buffers with <c>int</c>).</summary>
    public static readonly long MaxFileBytes = Array.MaxLength;

    public static NetT ReadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] data;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
                throw new ModelBuildException(ErrorCodes.MnnFileNotFound, $"{path}: MNN model file not found");
            // a FIFO or device would block or stream forever once opened: only regular files (after links)
            UserFiles.RequireRegularFile(path, ErrorCodes.MnnFileNotFound, "MNN model file");
            if (info.Length > MaxFileBytes)
                throw new ModelBuildException(ErrorCodes.MnnTooLarge,
                    $"{path}: MNN model file is {info.Length} bytes; files of 2 GiB or more are not supported");
            data = File.ReadAllBytes(path);
        }
        catch (ModelBuildException)
        {
            throw;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ModelBuildException(ErrorCodes.MnnFileNotFound, $"{path}: MNN model file not found", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException
                                      or ArgumentException or System.Security.SecurityException)
        {
            throw new ModelBuildException(ErrorCodes.MnnFileNotFound, $"{path}: cannot read MNN model file: {e.Message}", e);
        }
        catch (OutOfMemoryException e)
        {
            throw new ModelBuildException(ErrorCodes.MnnTooLarge, $"{path}: MNN model file is too large to load", e);
        }
        return Read(data, path);
    }

    public static NetT Read(ReadOnlySpan<byte> data, string sourceName) => Read(data.ToArray(), sourceName);

    public static NetT Read(byte[] data, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(data);
        sourceName ??= "<memory>";
        try
        {
            MnnBufferChecker.Check(data);
        }
        catch (MnnBufferChecker.ViolationException e)
        {
            throw new ModelBuildException(ErrorCodes.MnnCorrupt, $"{sourceName}: not a valid MNN model: {e.Message}", e);
        }

        try
        {
            return Net.GetRootAsNet(new ByteBuffer(data)).UnPack();
        }
        catch (Exception e) when (e is ArgumentException or IndexOutOfRangeException or OverflowException
                                      or InvalidCastException or NullReferenceException or InvalidOperationException
                                      or InsufficientExecutionStackException or OutOfMemoryException)
        {
            throw new ModelBuildException(ErrorCodes.MnnCorrupt,
                $"{sourceName}: not a valid MNN model: {e.GetType().Name}: {e.Message}", e);
        }
    }
}
