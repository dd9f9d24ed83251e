using System.Collections.Concurrent;

namespace ModelBuild.Conformance.Tests.Infrastructure;

/// <summary>
/// Runs cases with a per-case time limit on a fixed number of workers and classifies exceptions:
/// ModelBuildException → Rejected (code + first line), anything else or a timeout → Crashed.
/// </summary>
public static class CaseRunner
{
    /// <summary>Per-case limit: MODELBUILD_CASE_TIMEOUT (seconds) when set, else <paramref name="defaultSeconds"/>.</summary>
    public static TimeSpan Timeout(int defaultSeconds) =>
        int.TryParse(Environment.GetEnvironmentVariable("MODELBUILD_CASE_TIMEOUT"), out var s) && s > 0
            ? TimeSpan.FromSeconds(s)
            : TimeSpan.FromSeconds(defaultSeconds);

    /// <summary>Workers in parallel (2 by default: the CI machines have 2 cores); MODELBUILD_CONFORMANCE_WORKERS overrides.</summary>
    public static int Workers =>
        int.TryParse(Environment.GetEnvironmentVariable("MODELBUILD_CONFORMANCE_WORKERS"), out var w) && w > 0 ? w : 2;

    /// <summary>Runs every item (each limited to <paramref name="timeout"/>), returning results in input order.</summary>
    public static IReadOnlyList<CaseResult> RunAll<T>(IReadOnlyList<T> items, Func<T, string> name, Func<T, string> opType, Func<T, CaseResult> run, TimeSpan timeout)
    {
        var results = new CaseResult[items.Count];
        var queue = new ConcurrentQueue<int>(Enumerable.Range(0, items.Count));
        var workers = Enumerable.Range(0, Math.Min(Workers, Math.Max(1, items.Count))).Select(_ => new Thread(
            () =>
            {
                while (queue.TryDequeue(out var i))
                {
                    results[i] = RunOne(name(items[i]), opType(items[i]), () => run(items[i]), timeout);
                }
            },
            maxStackSize: 16 << 20)
        { IsBackground = true, Name = "conformance worker" }).ToList();
        workers.ForEach(t => t.Start());
        workers.ForEach(t => t.Join());
        return results;
    }

    /// <summary>One case on a pool thread, waited for at most <paramref name="timeout"/>.</summary>
    public static CaseResult RunOne(string name, string opType, Func<CaseResult> run, TimeSpan timeout)
    {
        var task = Task.Factory.StartNew(run, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            if (!task.Wait(timeout))
            {
                // The runaway task cannot be stopped; it is left running in the background and the case is a bug.
                return new CaseResult(name, opType, CaseOutcome.Crashed, $"no result within {timeout.TotalSeconds:0} s (hang or far too slow)");
            }

            return task.Result;
        }
        catch (AggregateException ae) when (ae.InnerException is not null)
        {
            return Classify(name, opType, ae.InnerException);
        }
    }

    public static CaseResult Classify(string name, string opType, Exception e)
    {
        if (e is ModelBuildException mb)
        {
            return new CaseResult(name, opType, CaseOutcome.Rejected, $"{mb.Code}: {FirstLine(mb.Message)}") { Code = mb.Code };
        }

        var frame = e.StackTrace?.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? "";
        return new CaseResult(name, opType, CaseOutcome.Crashed, $"{e.GetType().Name}: {FirstLine(e.Message)} {frame}".Trim());
    }

    public static string FirstLine(string text)
    {
        var line = text.Split('\n')[0].Trim();
        return line.Length > 300 ? line[..300] + "…" : line;
    }
}
