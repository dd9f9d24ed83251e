using System.Diagnostics;

namespace ModelBuild.Converter.Tests.Infrastructure;

/// <summary>FIFOs (<c>mkfifo</c>) and hard links (<c>ln</c>) for bad-input tests; Unix only, inconclusive elsewhere.</summary>
public static class SpecialFiles
{
    public static string MakeFifo(string path)
    {
        RequireUnix();
        Run("mkfifo", path);
        return path;
    }

    public static string MakeHardLink(string target, string link)
    {
        RequireUnix();
        Run("ln", target, link);
        return link;
    }

    private static void RequireUnix()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Inconclusive("FIFOs and hard-link counts need a Unix system");
        }
    }

    private static void Run(string command, params string[] args)
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
}
