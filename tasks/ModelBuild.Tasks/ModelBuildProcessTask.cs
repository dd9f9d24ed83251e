using System.Collections.Concurrent;
using Microsoft.Build.Framework;

namespace ModelBuild.Tasks;

/// <summary>
/// Base of the tasks that run dotnet-model-convert: one process per model, up to <see cref="MaxParallelism"/> at once,
/// each skipped when its outputs are newer than its inputs. Diagnostics on stderr (<c>MB####: message</c>,
/// <c>warning MB####: message</c>) become MSBuild errors and warnings with the code, at the model's file. Logging
/// happens on the task's own thread as processes finish. <see cref="Cancel"/> kills every running process.
/// </summary>
public abstract class ModelBuildProcessTask : Microsoft.Build.Utilities.Task, ICancelableTask
{
    /// <summary>Printed (high importance) before each process starts; tests and users can tell a no-op build by its absence.</summary>
    public const string StartMarker = "ModelBuild: running converter";

    private readonly ConcurrentBag<ConverterProcess> _running = [];
    private volatile bool _canceled;
    private int _errors;

    /// <summary>The resolved models (see ModelBuildResolveModels).</summary>
    [Required]
    public ITaskItem[] Models { get; set; } = [];

    /// <summary>dotnet-model-convert.dll.</summary>
    [Required]
    public string ConverterPath { get; set; } = "";

    /// <summary>The dotnet host; default DOTNET_HOST_PATH (set by the dotnet CLI for MSBuild), else dotnet on PATH.</summary>
    public string DotnetHostPath { get; set; } = "";

    /// <summary>Processes at once; 0 or less means Environment.ProcessorCount.</summary>
    public int MaxParallelism { get; set; }

    /// <summary>Skip models whose outputs are newer than all their inputs (the targets' Inputs/Outputs are all-or-nothing).</summary>
    public bool SkipUnchanged { get; set; } = true;

    /// <summary>Folder the processes run in (the project folder).</summary>
    public string WorkingDirectory { get; set; } = "";

    /// <summary>The models that ran and succeeded (or, for the gate in Warning mode, completed).</summary>
    [Output]
    public ITaskItem[] Processed { get; private set; } = [];

    /// <summary>Verb of the marker and messages, e.g. "convert".</summary>
    protected abstract string Verb { get; }

    /// <summary>Arguments after the converter path.</summary>
    protected abstract IReadOnlyList<string> Arguments(ITaskItem model);

    protected abstract IEnumerable<string> InputsOf(ITaskItem model);

    protected abstract IEnumerable<string> OutputsOf(ITaskItem model);

    /// <summary>
    /// Temp files (folder, search pattern) the converter writes before renaming them over <see cref="OutputsOf"/> or
    /// the reports: a killed converter cannot remove its own, so a canceled run deletes them.
    /// </summary>
    protected abstract IEnumerable<(string Directory, string Pattern)> TempFilesOf(ITaskItem model);

    /// <summary>Importance of the converter's stdout lines.</summary>
    protected virtual MessageImportance StdOutImportance => MessageImportance.Low;

    /// <summary>Logs one line of the converter's stdout (at <see cref="StdOutImportance"/> unless overridden).</summary>
    protected virtual void LogStdOut(ITaskItem model, string line) => Log.LogMessage(StdOutImportance, "  {0}", line);

    /// <summary>Logs one diagnostic of <paramref name="model"/>; the default keeps the converter's severity.</summary>
    private protected virtual void Report(ITaskItem model, ConverterDiagnostic d, ConverterRun run) => LogDiagnostic(model, d.Code, d.Message, d.IsWarning);

    /// <summary>Whether a run counts as done (its marker written, the model listed in Processed).</summary>
    private protected virtual bool Succeeded(ITaskItem model, ConverterRun run) => run.ExitCode == 0;

    /// <summary>Called on the task thread for a run that <see cref="Succeeded"/>.</summary>
    protected virtual void OnSucceeded(ITaskItem model)
    {
    }

    public void Cancel()
    {
        _canceled = true;
        foreach (var p in _running)
        {
            p.Kill();
        }
    }

    public override bool Execute()
    {
        var converter = Path.GetFullPath(ConverterPath);
        if (!File.Exists(converter))
        {
            Log.LogError(null, BuildErrorCodes.ConverterNotFound, null, null, 0, 0, 0, 0,
                "the ModelBuild converter '{0}' does not exist (ModelBuildConverterPath); is the ModelBuild package restored and complete?", converter);
            return false;
        }

        var host = ResolveDotnetHost();
        var workDir = WorkingDirectory.Length > 0 ? Path.GetFullPath(WorkingDirectory) : Directory.GetCurrentDirectory();
        var work = Models.Where(m => !SkipUnchanged || !ModelDependencies.IsUpToDate(InputsOf(m), OutputsOf(m))).ToList();
        foreach (var m in Models.Except(work))
        {
            Log.LogMessage(MessageImportance.Low, "ModelBuild: {0} is up to date for '{1}'", Verb, m.ItemSpec);
        }

        var done = new List<ITaskItem>();
        if (work.Count > 0)
        {
            RunAll(work, host, converter, workDir, done);
        }

        Processed = [.. Models.Where(m => done.Contains(m) || !work.Contains(m))];
        return !Log.HasLoggedErrors && !_canceled;
    }

    private void RunAll(List<ITaskItem> work, string host, string converter, string workDir, List<ITaskItem> done)
    {
        var parallelism = MaxParallelism > 0 ? MaxParallelism : Environment.ProcessorCount;
        var finished = new BlockingCollection<(ITaskItem Model, ConverterProcess Process, ConverterRun Run)>();
        var processes = work.Select(m => (Model: m, Process: new ConverterProcess(host, converter, Arguments(m), workDir))).ToList();
        foreach (var (model, process) in processes)
        {
            _running.Add(process);
            Log.LogMessage(MessageImportance.High, "{0} {1} '{2}'", StartMarker, Verb, model.ItemSpec);
            Log.LogMessage(MessageImportance.Low, "  {0}", process.CommandLineText);
        }

        if (_canceled)
        {
            return;
        }

        using var slots = new SemaphoreSlim(parallelism);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var runningNow = 0;
        var peak = 0;
        foreach (var (model, process) in processes)
        {
            System.Threading.Tasks.Task.Run(() =>
            {
                slots.Wait();
                var started = clock.Elapsed;
                var now = Interlocked.Increment(ref runningNow);
                InterlockedMax(ref peak, now);
                ConverterRun run;
                try
                {
                    run = _canceled ? new ConverterRun { Canceled = true } : process.Run();
                }
                catch (Exception e)
                {
                    run = new ConverterRun { StartError = e.Message };
                }
                finally
                {
                    Interlocked.Decrement(ref runningNow);
                    slots.Release();
                }

                run.Started = started;
                run.Ended = clock.Elapsed;
                finished.Add((model, process, run));
            });
        }

        for (var i = 0; i < processes.Count; i++)
        {
            var (model, _, run) = finished.Take();
            Log.LogMessage(MessageImportance.Normal, "ModelBuild: {0} '{1}' ran from {2} s to {3} s", Verb, model.ItemSpec, Seconds(run.Started), Seconds(run.Ended));
            if (LogRun(model, run))
            {
                OnSucceeded(model);
                done.Add(model);
            }
        }

        Log.LogMessage(MessageImportance.Normal, "ModelBuild: {0} ran {1} process(es) in {2} s, at most {3} at once (limit {4})",
            Verb, processes.Count, Seconds(clock.Elapsed), peak, parallelism);
    }

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("F3", System.Globalization.CultureInfo.InvariantCulture);

    private static void InterlockedMax(ref int target, int value)
    {
        for (var seen = Volatile.Read(ref target); value > seen; seen = Volatile.Read(ref target))
        {
            if (Interlocked.CompareExchange(ref target, value, seen) == seen)
            {
                return;
            }
        }
    }

    private void DeleteTempFiles(ITaskItem model)
    {
        foreach (var (dir, pattern) in TempFilesOf(model))
        {
            if (!Directory.Exists(dir))
            {
                continue;
            }

            foreach (var file in Directory.EnumerateFiles(dir, pattern))
            {
                try
                {
                    File.Delete(file);
                    Log.LogMessage(MessageImportance.Low, "ModelBuild: deleted '{0}' left by the canceled converter", file);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    Log.LogMessage(MessageImportance.Normal, "ModelBuild: could not delete '{0}': {1}", file, e.Message);
                }
            }
        }
    }

    /// <summary>Turns one run's output into messages and diagnostics; true when it succeeded.</summary>
    private bool LogRun(ITaskItem model, ConverterRun run)
    {
        if (run.Canceled)
        {
            Log.LogMessage(MessageImportance.High, "ModelBuild: {0} of '{1}' canceled", Verb, model.ItemSpec);
            DeleteTempFiles(model);
            return false;
        }

        if (run.StartError is not null)
        {
            LogDiagnostic(model, BuildErrorCodes.ConverterNotFound, $"could not start the converter ({run.StartError}); set DotnetHostPath or put dotnet on PATH", false);
            return false;
        }

        foreach (var line in run.StdOut)
        {
            LogStdOut(model, line);
        }

        var errorsBefore = _errors;
        foreach (var line in run.StdErr)
        {
            if (ConverterDiagnostic.TryParse(line) is { } d)
            {
                Report(model, d, run);
            }
            else if (line.Trim().Length > 0)
            {
                Log.LogMessage(MessageImportance.Normal, "  {0}", line);
            }
        }

        var ok = Succeeded(model, run) && _errors == errorsBefore;
        if (!ok && _errors == errorsBefore)
        {
            // a crash, a kill or an unexpected exit: say so even when the converter printed nothing we recognize
            var tail = string.Join(Environment.NewLine, run.StdErr.Skip(Math.Max(0, run.StdErr.Count - 10)));
            LogDiagnostic(model, BuildErrorCodes.ToolFailed, $"dotnet-model-convert {Verb} exited with code {run.ExitCode}{(tail.Length > 0 ? ": " + tail : "")}", false);
        }

        return ok;
    }

    protected void LogDiagnostic(ITaskItem model, string code, string message, bool warning)
    {
        if (warning)
        {
            Log.LogWarning(null, code, null, model.ItemSpec, 0, 0, 0, 0, "{0}", message);
        }
        else
        {
            _errors++;
            Log.LogError(null, code, null, model.ItemSpec, 0, 0, 0, 0, "{0}", message);
        }
    }

    private string ResolveDotnetHost()
    {
        if (DotnetHostPath.Length > 0)
        {
            return DotnetHostPath;
        }

        var fromCli = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromCli) && File.Exists(fromCli))
        {
            return fromCli!;
        }

        return Path.DirectorySeparatorChar == '\\' ? "dotnet.exe" : "dotnet";
    }
}
