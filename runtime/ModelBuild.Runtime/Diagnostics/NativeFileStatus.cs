using System.Runtime.InteropServices;
using System.Text;

namespace ModelBuild;

/// <summary>
/// The file type and hard-link count of a path, following symbolic links (POSIX <c>stat</c> semantics), read
/// without opening the file. .NET has no API for either (a FIFO looks like an ordinary file to
/// <see cref="File.Exists"/>), so this calls libc: <c>statx</c> on Linux, whose <c>struct statx</c> has the same
/// layout on every architecture (x64, arm64, ...), and <c>stat</c> on macOS. Elsewhere (Windows) or when libc
/// cannot be bound, <see cref="TryStat"/> returns false and callers fall back to managed checks.
/// </summary>
internal static unsafe class NativeFileStatus
{
    /// <summary>POSIX file type bits of <c>st_mode</c> (the same values on Linux and macOS).</summary>
    public const int TypeMask = 0xF000;
    public const int Fifo = 0x1000;
    public const int CharacterDevice = 0x2000;
    public const int Directory = 0x4000;
    public const int BlockDevice = 0x6000;
    public const int Regular = 0x8000;
    public const int SymbolicLink = 0xA000;
    public const int Socket = 0xC000;

    private const int AtFdCwd = -100;
    private const uint StatxType = 0x1, StatxMode = 0x2, StatxNlink = 0x4;

    // struct statx (linux/stat.h): stx_nlink is a __u32 at byte 16, stx_mode a __u16 at byte 28; 256 bytes in all.
    private const int StatxSize = 256, StatxNlinkOffset = 16, StatxModeOffset = 28;

    // macOS struct stat (64-bit inodes): st_dev int32 at 0, st_mode uint16 at 4, st_nlink uint16 at 6; 144 bytes.
    private const int MacModeOffset = 4, MacNlinkOffset = 6;

    private static readonly Lazy<Binding> s_binding = new(Bind, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// Stats <paramref name="path"/> (following links). True with the mode and link count on success; false when
    /// the call failed (<paramref name="errno"/> set) or is unavailable on this platform (<paramref name="errno"/> 0).
    /// </summary>
    public static bool TryStat(string path, out int mode, out long links, out int errno)
    {
        mode = 0;
        links = 0;
        errno = 0;
        var binding = s_binding.Value;
        if (binding.Kind == BindingKind.None || path.Contains('\0'))
        {
            return false;
        }

        var bytes = Encoding.UTF8.GetBytes(path + "\0");
        var buffer = stackalloc byte[StatxSize];
        new Span<byte>(buffer, StatxSize).Clear();
        int rc;
        fixed (byte* p = bytes)
        {
            rc = binding.Kind == BindingKind.LinuxStatx
                ? ((delegate* unmanaged<int, byte*, int, uint, byte*, int>)binding.Function)(AtFdCwd, p, 0, StatxType | StatxMode | StatxNlink, buffer)
                : ((delegate* unmanaged<byte*, byte*, int>)binding.Function)(p, buffer);
            if (rc != 0)
            {
                errno = Marshal.GetLastSystemError();
            }
        }

        if (rc != 0)
        {
            return false;
        }

        if (binding.Kind == BindingKind.LinuxStatx)
        {
            mode = *(ushort*)(buffer + StatxModeOffset);
            links = *(uint*)(buffer + StatxNlinkOffset);
        }
        else
        {
            mode = *(ushort*)(buffer + MacModeOffset);
            links = *(ushort*)(buffer + MacNlinkOffset);
        }

        return true;
    }

    /// <summary>errno values meaning "nothing there" (ENOENT, ENOTDIR; ELOOP for a link cycle) on Linux and macOS.</summary>
    public static bool IsMissing(int errno) =>
        errno is 2 or 20 || (OperatingSystem.IsMacOS() ? errno == 62 : errno == 40);

    private enum BindingKind
    {
        None,
        LinuxStatx,
        MacStat,
    }

    private readonly record struct Binding(BindingKind Kind, nint Function);

    private static Binding Bind()
    {
        if (OperatingSystem.IsLinux())
        {
            foreach (var name in new[] { "libc.so.6", "libc" })
            {
                if (NativeLibrary.TryLoad(name, out var lib) && NativeLibrary.TryGetExport(lib, "statx", out var f))
                {
                    return new Binding(BindingKind.LinuxStatx, f);
                }
            }
        }
        else if (OperatingSystem.IsMacOS())
        {
            // x64 keeps the 32-bit-inode layout under the plain name; arm64 has only the 64-bit one.
            var symbol = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? "stat$INODE64" : "stat";
            if (NativeLibrary.TryLoad("/usr/lib/libSystem.B.dylib", out var lib) && NativeLibrary.TryGetExport(lib, symbol, out var f))
            {
                return new Binding(BindingKind.MacStat, f);
            }
        }

        return new Binding(BindingKind.None, 0);
    }
}
