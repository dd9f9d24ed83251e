using System.Diagnostics;

namespace ModelBuild.Runtime.Tests;

/// <summary>Non-regular files for bad-input tests: FIFOs made with <c>mkfifo</c> (Unix only; inconclusive elsewhere).</summary>
public static class SpecialFiles
{
    public static string MakeFifo(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Inconclusive("FIFOs need a Unix system");
        }

        Run("mkfifo", path);
        return path;
    }

    /// <summary>Runs a command (e.g. <c>ln</c>, <c>mkfifo</c>) and asserts it succeeded.</summary>
    public static void Run(string command, params string[] args)
    {
        var psi = new ProcessStartInfo(command) { UseShellExecute = false, RedirectStandardError = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.AreEqual(0, p.ExitCode, $"{command} {string.Join(" ", args)}: {error}");
    }

    /// <summary>A fresh temp folder path (created); the caller deletes it.</summary>
    public static string TempFolder()
    {
        var dir = Path.Combine(Path.GetTempPath(), "mb-rt-special-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        return dir;
    }
}
