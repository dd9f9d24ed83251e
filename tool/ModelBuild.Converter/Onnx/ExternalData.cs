using System.Globalization;
using ModelBuild.Converter.Onnx.Proto;

namespace ModelBuild.Converter.Onnx;

/// <summary>
/// Resolves TensorProto external data (data_location = EXTERNAL) strictly inside the model's folder.
/// Every check (path shape, symlink targets, offset/length against the file size) happens before the data
/// file is opened.
/// </summary>
public static class ExternalData
{
    private const int MaxLinkHops = 40;

    public static bool IsExternal(TensorProto t) => t.DataLocation == TensorProto.Types.DataLocation.External;

    /// <summary>The bytes of an external tensor; MB1004 unsafe path, MB1005 bad offset/length, MB1006 missing file.</summary>
    public static byte[] Read(TensorProto tensor, string baseDirectory, string modelPath)
    {
        var (file, offset, length) = Resolve(tensor, baseDirectory, modelPath);
        try
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read);
            stream.Seek(offset, SeekOrigin.Begin);
            var data = new byte[length];
            stream.ReadExactly(data);
            return data;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelBuildException(ErrorCodes.OnnxExternalDataMissing, $"{modelPath}: tensor '{tensor.Name}': cannot read external data '{file}': {e.Message}", e);
        }
    }

    /// <summary>Validates the external_data entries and returns the full path, offset and length to read.</summary>
    public static (string File, long Offset, int Length) Resolve(TensorProto tensor, string baseDirectory, string modelPath)
    {
        string? location = null;
        long offset = 0;
        long? length = null;
        var where = $"{modelPath}: tensor '{tensor.Name}'";
        foreach (var e in tensor.ExternalData)
        {
            switch (e.Key)
            {
                case "location":
                    location = e.Value;
                    break;
                case "offset":
                    offset = ParseNonNegative(e.Value, "offset", where);
                    break;
                case "length":
                    length = ParseNonNegative(e.Value, "length", where);
                    break;
            }
        }

        if (string.IsNullOrEmpty(location))
        {
            throw new ModelBuildException(ErrorCodes.OnnxExternalDataMissing, $"{where} is stored externally but names no 'location'");
        }

        var file = ResolveLocation(location, baseDirectory, where);
        if (!File.Exists(file))
        {
            throw new ModelBuildException(ErrorCodes.OnnxExternalDataMissing, $"{where}: external data file '{location}' does not exist next to the model");
        }

        CheckPlainFile(file, where, location);
        var size = new FileInfo(file).Length;
        if (offset > size)
        {
            throw new ModelBuildException(ErrorCodes.OnnxExternalDataOutOfRange, $"{where}: external data offset {offset} is past the end of '{location}' ({size} bytes)");
        }

        var count = length ?? size - offset;
        if (count > size - offset)
        {
            throw new ModelBuildException(ErrorCodes.OnnxExternalDataOutOfRange, $"{where}: external data range {offset}+{count} is past the end of '{location}' ({size} bytes)");
        }

        if (count > Array.MaxLength)
        {
            throw new ModelBuildException(ErrorCodes.OnnxExternalDataOutOfRange, $"{where}: external data length {count} exceeds what one tensor can hold");
        }

        return (file, offset, (int)count);
    }

    /// <summary>
    /// Turns a location into a full path inside <paramref name="baseDirectory"/>; MB1004 for absolute paths,
    /// drive letters, UNC paths, '..' segments, or links whose target leaves the folder.
    /// </summary>
    public static string ResolveLocation(string location, string baseDirectory, string where)
    {
        if (location.Contains('\0') || location.Contains(':') || location.StartsWith('/') || location.StartsWith('\\') || Path.IsPathRooted(location))
        {
            throw Unsafe(where, location, "it is absolute or names a drive/stream");
        }

        var segments = location.Split(['/', '\\'], StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length == 0 || segments.Any(s => s == ".."))
        {
            throw Unsafe(where, location, "it contains a '..' segment or no file name");
        }

        var baseFull = Path.TrimEndingDirectorySeparator(Path.GetFullPath(baseDirectory));
        var baseReal = RealDirectory(baseFull);
        var full = Path.GetFullPath(Path.Combine([baseFull, .. segments.Where(s => s != ".")]));
        if (!IsInside(full, baseFull))
        {
            throw Unsafe(where, location, "it resolves outside the model folder");
        }

        CheckLinks(full, baseFull, baseReal, where, location, 0);

        // Size and reads must see the link's final target, not the link itself.
        var file = new FileInfo(full);
        return file.LinkTarget is not null && file.ResolveLinkTarget(returnFinalTarget: true) is { } final ? Path.GetFullPath(final.FullName) : full;
    }

    /// <summary>Walks every component below the base folder; each link's final target must stay inside.</summary>
    private static void CheckLinks(string full, string baseFull, string baseReal, string where, string location, int hops)
    {
        if (hops > MaxLinkHops)
        {
            throw Unsafe(where, location, "it goes through too many symbolic links");
        }

        var root = IsInside(full, baseFull) ? baseFull : baseReal;
        var relative = Path.GetRelativePath(root, full);
        var current = root;
        foreach (var part in relative.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Combine(current, part);
            FileSystemInfo info = Directory.Exists(current) ? new DirectoryInfo(current) : new FileInfo(current);
            if (info.LinkTarget is null)
            {
                continue;
            }

            FileSystemInfo? target;
            try
            {
                target = info.ResolveLinkTarget(returnFinalTarget: true);
            }
            catch (IOException)
            {
                throw Unsafe(where, location, "it goes through a symbolic link that cannot be resolved");
            }

            if (target is null)
            {
                throw Unsafe(where, location, "it goes through a dangling symbolic link");
            }

            var targetFull = Path.GetFullPath(target.FullName);
            if (!IsInside(targetFull, baseFull) && !IsInside(targetFull, baseReal))
            {
                throw Unsafe(where, location, $"the link '{part}' points outside the model folder");
            }

            // The target's own parent folders may be links too: check the target path, then the rest.
            CheckLinks(targetFull, baseFull, baseReal, where, location, hops + 1);
        }
    }

    private static string RealDirectory(string dir)
    {
        // The model folder itself may sit behind a link (e.g. /tmp on some systems); compare against both.
        var parts = new List<string>();
        var current = dir;
        try
        {
            while (!string.IsNullOrEmpty(current))
            {
                var info = new DirectoryInfo(current);
                if (info.LinkTarget is not null && info.ResolveLinkTarget(true) is { } t)
                {
                    parts.Reverse();
                    return Path.GetFullPath(Path.Combine([t.FullName, .. parts]));
                }

                parts.Add(info.Name);
                current = info.Parent?.FullName;
            }
        }
        catch (IOException)
        {
        }

        return dir;
    }

    /// <summary>
    /// MB1004 unless the (link-resolved) file is a regular file with one hard link: a FIFO or device would block
    /// or stream forever once opened (its size of 0 passes the range checks), and a second hard link can be a
    /// name inside the model folder for a file outside it (ONNX's own checker rejects such files too).
    /// </summary>
    private static void CheckPlainFile(string file, string where, string location)
    {
        var kind = UserFiles.Probe(file);
        if (kind is not (UserFileKind.Regular or UserFileKind.Unknown))
        {
            throw Unsafe(where, location, $"it is {UserFiles.Describe(kind)}, not a regular file");
        }

        if (UserFiles.HardLinkCount(file) is { } links && links > 1)
        {
            throw Unsafe(where, location, $"the file has {links} hard links, so it may be shared with a file outside the model folder");
        }
    }

    private static bool IsInside(string path, string folder)
    {
        var comparison = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        folder = Path.TrimEndingDirectorySeparator(folder);
        return path.Length > folder.Length + 1
            && path.StartsWith(folder, comparison)
            && (path[folder.Length] == Path.DirectorySeparatorChar || path[folder.Length] == Path.AltDirectorySeparatorChar);
    }

    private static long ParseNonNegative(string text, string key, string where)
    {
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v))
        {
            throw new ModelBuildException(ErrorCodes.OnnxExternalDataOutOfRange, $"{where}: external data {key} '{text}' is not a non-negative integer");
        }

        return v;
    }

    private static ModelBuildException Unsafe(string where, string location, string why) =>
        new(ErrorCodes.OnnxUnsafeExternalPath, $"{where}: external data location '{location}' is rejected because {why}; external files must live inside the model's folder");
}
