namespace ModelBuild.Build.Tests.Infrastructure;

/// <summary>Running processes by command line, read from /proc (Linux): how tests see the converter processes a build starts.</summary>
public static class ProcessTable
{
    public static bool Supported => OperatingSystem.IsLinux() && Directory.Exists("/proc/self");

    /// <summary>Processes whose command line contains every one of <paramref name="parts"/>, as (pid, command line).</summary>
    public static List<(int Pid, string CommandLine)> Find(params string[] parts)
    {
        var found = new List<(int, string)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            string commandLine;
            try
            {
                // NUL-separated arguments
                commandLine = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ').Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue; // ended while we looked
            }

            if (commandLine.Length > 0 && parts.All(p => commandLine.Contains(p, StringComparison.Ordinal)))
            {
                found.Add((pid, commandLine));
            }
        }

        return found;
    }

    /// <summary>The converter processes working on files of <paramref name="projectDirectory"/> (any verb when null).</summary>
    public static List<(int Pid, string CommandLine)> Converters(string projectDirectory, string? verb = null) =>
        verb is null
            ? Find("dotnet-model-convert.dll", projectDirectory)
            : Find("dotnet-model-convert.dll", " " + verb + " ", projectDirectory);
}
