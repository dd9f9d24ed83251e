using System.Diagnostics;

namespace ModelBuild.Converter.Parity;

/// <summary>
/// Wall-clock time per phase of one gate run (load, convert, sessions, runs, compare...), in first-seen order.
/// Reported so the cost of the gate can be compared with the inference it performs (<c>check --timings</c>,
/// the JSON report's <c>timings</c>); never used to decide anything.
/// </summary>
public sealed class ParityTimings
{
    private readonly List<PhaseTiming> _phases = [];

    public IReadOnlyList<PhaseTiming> Phases => _phases;

    /// <summary>Milliseconds from the start of <see cref="ParityGate.Run(ParityOptions)"/> to its end.</summary>
    public double TotalMilliseconds { get; internal set; }

    /// <summary>Told the name of each phase as it starts (the CLI's progress lines on stderr); null = silent.</summary>
    public Action<string>? Progress { get; init; }

    /// <summary>Times <paramref name="action"/> under <paramref name="phase"/>; repeated phases accumulate.</summary>
    public T Measure<T>(string phase, Func<T> action)
    {
        Progress?.Invoke(phase);
        var start = Stopwatch.GetTimestamp();
        try
        {
            return action();
        }
        finally
        {
            Add(phase, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
    }

    public void Measure(string phase, Action action) => Measure(phase, () =>
    {
        action();
        return 0;
    });

    /// <summary>Adds time to a phase; thread-safe (the two engines run on two threads).</summary>
    public void Add(string phase, double milliseconds)
    {
        lock (_phases)
        {
            AddLocked(phase, milliseconds);
        }
    }

    private void AddLocked(string phase, double milliseconds)
    {
        var p = _phases.Find(x => x.Phase == phase);
        if (p is null)
        {
            p = new PhaseTiming(phase);
            _phases.Add(p);
        }

        p.Milliseconds += milliseconds;
        p.Count++;
    }
}

/// <summary>Total time spent in one phase and how many times it ran.</summary>
public sealed class PhaseTiming(string phase)
{
    public string Phase { get; } = phase;

    public double Milliseconds { get; internal set; }

    public int Count { get; internal set; }
}
