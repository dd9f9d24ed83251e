namespace ModelBuild;

/// <summary>What a path names, after following symbolic links.</summary>
internal enum UserFileKind
{
    /// <summary>Nothing (or a dangling link, or a link cycle).</summary>
    Missing,
    Regular,
    Directory,
    Fifo,
    CharacterDevice,
    BlockDevice,
    Socket,

    /// <summary>Something exists but its type could not be read (no native stat on this platform, or no permission).</summary>
    Unknown,
}

/// <summary>
/// Checks on paths a user gives (models, external data, tensor files) made before they are opened. Opening a FIFO
/// blocks until a writer appears and a device can stream forever, so every reader of a user path first requires a
/// regular file here: symbolic links are followed to their final target, and that target must be a regular file.
/// </summary>
internal static class UserFiles
{
    /// <summary>The kind of file <paramref name="path"/> names after following links; never opens it.</summary>
    public static UserFileKind Probe(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Length == 0)
        {
            return UserFileKind.Missing;
        }

        if (NativeFileStatus.TryStat(path, out var mode, out _, out var errno))
        {
            return (mode & NativeFileStatus.TypeMask) switch
            {
                NativeFileStatus.Regular => UserFileKind.Regular,
                NativeFileStatus.Directory => UserFileKind.Directory,
                NativeFileStatus.Fifo => UserFileKind.Fifo,
                NativeFileStatus.CharacterDevice => UserFileKind.CharacterDevice,
                NativeFileStatus.BlockDevice => UserFileKind.BlockDevice,
                NativeFileStatus.Socket => UserFileKind.Socket,
                _ => UserFileKind.Unknown,
            };
        }

        if (errno != 0)
        {
            return NativeFileStatus.IsMissing(errno) ? UserFileKind.Missing : UserFileKind.Unknown;
        }

        // no native stat (Windows): the managed view, where anything that is not a folder counts as a file
        if (Directory.Exists(path))
        {
            return UserFileKind.Directory;
        }

        return File.Exists(path) ? UserFileKind.Regular : UserFileKind.Missing;
    }

    /// <summary>True when <paramref name="path"/> names a regular file (after links).</summary>
    public static bool IsRegularFile(string path) => Probe(path) is UserFileKind.Regular;

    /// <summary>
    /// Throws <paramref name="code"/> unless <paramref name="path"/> is a regular file (or one whose type cannot be
    /// read, which is left to the open): "does not exist" when missing, "is a FIFO (named pipe), not a regular file"
    /// and the like otherwise. <paramref name="what"/> names the file's role, e.g. "ONNX model".
    /// </summary>
    public static void RequireRegularFile(string path, string code, string what)
    {
        var kind = Probe(path);
        switch (kind)
        {
            case UserFileKind.Regular or UserFileKind.Unknown:
                return;
            case UserFileKind.Missing:
                throw new ModelBuildException(code, $"{what} '{path}' does not exist");
            default:
                throw new ModelBuildException(code, $"{what} '{path}' is {Describe(kind)}, not a regular file");
        }
    }

    /// <summary><see cref="RequireRegularFile"/>, then opens it for reading; IO errors become <paramref name="code"/>.</summary>
    public static FileStream OpenRead(string path, string code, string what)
    {
        RequireRegularFile(path, code, what);
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelBuildException(code, $"{what} '{path}' cannot be read: {e.Message}", e);
        }
    }

    /// <summary><see cref="RequireRegularFile"/>, then reads the whole file; IO errors become <paramref name="code"/>.</summary>
    public static byte[] ReadAllBytes(string path, string code, string what)
    {
        RequireRegularFile(path, code, what);
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or OutOfMemoryException)
        {
            throw new ModelBuildException(code, $"{what} '{path}' cannot be read: {e.Message}", e);
        }
    }

    /// <summary>
    /// The number of hard links of the file <paramref name="path"/> names (after links), or null where it cannot be
    /// read (Windows, or the stat call failed).
    /// </summary>
    public static long? HardLinkCount(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return NativeFileStatus.TryStat(path, out _, out var links, out _) ? links : null;
    }

    /// <summary>"a folder", "a FIFO (named pipe)", ... for messages.</summary>
    public static string Describe(UserFileKind kind) => kind switch
    {
        UserFileKind.Missing => "missing",
        UserFileKind.Regular => "a regular file",
        UserFileKind.Directory => "a folder",
        UserFileKind.Fifo => "a FIFO (named pipe)",
        UserFileKind.CharacterDevice => "a character device",
        UserFileKind.BlockDevice => "a block device",
        UserFileKind.Socket => "a socket",
        _ => "a file of unknown type",
    };
}
