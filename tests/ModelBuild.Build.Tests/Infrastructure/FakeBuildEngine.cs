using System.Collections;
using Microsoft.Build.Framework;

namespace ModelBuild.Build.Tests.Infrastructure;

/// <summary>The least of an MSBuild engine a task needs to run in-process: it records what the task logs.</summary>
public sealed class FakeBuildEngine : IBuildEngine
{
    private readonly List<string> _lines = [];

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public string Log => string.Join(Environment.NewLine, Lines);

    public bool ContinueOnError => false;

    public int LineNumberOfTaskNode => 0;

    public int ColumnNumberOfTaskNode => 0;

    public string ProjectFileOfTaskNode => "fake.proj";

    public bool BuildProjectFile(string projectFileName, string[] targetNames, IDictionary globalProperties, IDictionary targetOutputs) =>
        throw new NotSupportedException("the ModelBuild tasks build no projects");

    public void LogCustomEvent(CustomBuildEventArgs e) => Add("custom: " + e.Message);

    public void LogErrorEvent(BuildErrorEventArgs e) => Add($"error {e.Code}: {e.Message}");

    public void LogMessageEvent(BuildMessageEventArgs e) => Add(e.Message ?? "");

    public void LogWarningEvent(BuildWarningEventArgs e) => Add($"warning {e.Code}: {e.Message}");

    private void Add(string line)
    {
        lock (_lines)
        {
            _lines.Add(line);
        }
    }
}
