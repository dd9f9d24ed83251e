using System.Diagnostics;

namespace ModelBuild.Tool.Tests.Infrastructure;

/// <summary>FIFOs made with <c>mkfifo</c> for bad-input tests (Unix only; inconclusive elsewhere).</summary>
public static class SpecialFiles
{
    public static string MakeFifo(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Inconclusive("FIFOs need a Unix system");
        }

        var psi = new ProcessStartInfo("mkfifo") { UseShellExecute = false, RedirectStandardError = true };
        psi.ArgumentList.Add(path);
        using var p = Process.Start(psi)!;
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.AreEqual(0, p.ExitCode, $"mkfifo {path}: {error}");
        return path;
    }
}
