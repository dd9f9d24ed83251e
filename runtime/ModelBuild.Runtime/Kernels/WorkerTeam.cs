using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace ModelBuild.Runtime.Kernels;

/// <summary>
/// The process-wide team of persistent worker threads behind <see cref="KernelParallel.For"/>. A model runs
/// hundreds of short parallel ops per inference; <c>Parallel.For</c> paid a thread-pool hand-off and wake-up for
/// each of them. Here the calling thread publishes a job, works on it itself, and the workers (which spin for a
/// short while after each job before they block) claim chunks with one atomic increment each.
/// <para>
/// Which thread runs a chunk is decided at run time, but a chunk's bounds depend only on (count, chunks), and
/// every output belongs to one chunk, so results never depend on the team. One job runs at a time: a second
/// caller (another session on another thread) gets <c>Parallel.For</c>, and a chunk that itself asks for
/// parallelism runs its inner loop on its own thread.
/// </para>
/// </summary>
internal static class WorkerTeam
{
    /// <summary>How long an idle worker spins before it blocks (a graph's ops follow each other within µs).</summary>
    private static readonly long SpinTicks = Stopwatch.Frequency / 20_000; // 50 µs

    private static readonly object Sleep = new();
    private static int _busy;
    private static int _sleepers;
    private static Job? _current;
    private static int _started;

    [ThreadStatic]
    private static bool _inside;

    /// <summary>Worker threads (cores − 1; the caller is the other participant).</summary>
    public static int Workers { get; } = Math.Max(0, Environment.ProcessorCount - 1);

    /// <summary>
    /// Runs body(s, e) for each of <paramref name="chunks"/> chunks of [0, count) (chunk i = [count·i/chunks,
    /// count·(i+1)/chunks)), on the caller and at most <paramref name="participants"/> − 1 workers; returns when all
    /// are done. Exceptions from a chunk are rethrown on the caller after every chunk has finished (the first wins).
    /// </summary>
    public static void Run(int count, int chunks, int participants, Action<int, int> body)
    {
        if (_inside || Workers == 0)
        {
            RunInline(count, chunks, body);
            return;
        }

        if (Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = participants }, i => RunChunk(count, chunks, i, body));
            return;
        }

        try
        {
            EnsureStarted();
            var job = new Job(count, chunks, participants - 1, body);
            Volatile.Write(ref _current, job);
            if (Volatile.Read(ref _sleepers) > 0)
            {
                lock (Sleep)
                {
                    Monitor.PulseAll(Sleep);
                }
            }

            _inside = true;
            try
            {
                job.Work();
            }
            finally
            {
                _inside = false;
            }

            job.WaitDone();

            // Drop the finished job so its closure (and the arrays it captured) is not kept alive.
            Volatile.Write(ref _current, null);
            job.Error?.Throw();
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    private static void RunInline(int count, int chunks, Action<int, int> body)
    {
        for (int i = 0; i < chunks; i++)
        {
            RunChunk(count, chunks, i, body);
        }
    }

    private static void RunChunk(int count, int chunks, int i, Action<int, int> body)
    {
        int s = (int)((long)count * i / chunks);
        int e = (int)((long)count * (i + 1) / chunks);
        if (e > s)
        {
            body(s, e);
        }
    }

    private static void EnsureStarted()
    {
        if (Volatile.Read(ref _started) != 0 || Interlocked.Exchange(ref _started, 1) != 0)
        {
            return;
        }

        for (int w = 0; w < Workers; w++)
        {
            new Thread(WorkerLoop) { IsBackground = true, Name = $"ModelBuild worker {w + 1}" }.Start();
        }
    }

    private static void WorkerLoop()
    {
        _inside = true;
        Job? seen = null;
        while (true)
        {
            var job = WaitForJob(seen);
            seen = job;
            if (job.TakeSeat())
            {
                job.Work();
            }
        }
    }

    /// <summary>Spins for <see cref="SpinTicks"/>, then blocks until a job other than <paramref name="seen"/> is published.</summary>
    private static Job WaitForJob(Job? seen)
    {
        long until = Stopwatch.GetTimestamp() + SpinTicks;
        var spinner = default(SpinWait);
        while (true)
        {
            var job = Volatile.Read(ref _current);
            if (job is not null && !ReferenceEquals(job, seen))
            {
                return job;
            }

            // SpinWait yields the core now and then, so on an oversubscribed machine an idle worker does not
            // keep the thread that has work (often the caller) off the CPU.
            if (spinner.Count < 64 || Stopwatch.GetTimestamp() < until)
            {
                spinner.SpinOnce(sleep1Threshold: -1);
                continue;
            }

            lock (Sleep)
            {
                // The increment is a full fence: either the publisher sees a sleeper and pulses (it needs the
                // lock, so it waits until this thread is inside Wait), or this thread sees the new job here.
                Interlocked.Increment(ref _sleepers);
                while (Volatile.Read(ref _current) is not { } next || ReferenceEquals(next, seen))
                {
                    Monitor.Wait(Sleep);
                }

                Interlocked.Decrement(ref _sleepers);
            }

            until = Stopwatch.GetTimestamp() + SpinTicks;
            spinner.Reset();
        }
    }

    /// <summary>One published parallel loop: chunks are claimed by an atomic counter, completion is counted down.</summary>
    private sealed class Job
    {
        private readonly object _gate = new();
        private readonly int _count;
        private readonly int _chunks;
        private readonly Action<int, int> _body;
        private int _next = -1;
        private int _remaining;
        private int _callerWaiting;
        private int _seats;

        public Job(int count, int chunks, int workerSeats, Action<int, int> body)
        {
            _count = count;
            _chunks = chunks;
            _body = body;
            _remaining = chunks;
            _seats = workerSeats;
        }

        /// <summary>A worker may join only while seats are left (the caller asked for at most that many threads).</summary>
        public bool TakeSeat() => Interlocked.Decrement(ref _seats) >= 0;

        public ExceptionDispatchInfo? Error { get; private set; }

        public void Work()
        {
            int i;
            while ((i = Interlocked.Increment(ref _next)) < _chunks)
            {
                try
                {
                    RunChunk(_count, _chunks, i, _body);
                }
                catch (Exception e)
                {
                    lock (_gate)
                    {
                        Error ??= ExceptionDispatchInfo.Capture(e);
                    }
                }

                if (Interlocked.Decrement(ref _remaining) == 0 && Volatile.Read(ref _callerWaiting) != 0)
                {
                    lock (_gate)
                    {
                        Monitor.PulseAll(_gate);
                    }
                }
            }
        }

        public void WaitDone()
        {
            long until = Stopwatch.GetTimestamp() + SpinTicks;
            var spinner = default(SpinWait);
            while (Volatile.Read(ref _remaining) > 0)
            {
                if (spinner.Count < 64 || Stopwatch.GetTimestamp() < until)
                {
                    spinner.SpinOnce(sleep1Threshold: -1);
                    continue;
                }

                lock (_gate)
                {
                    Interlocked.Exchange(ref _callerWaiting, 1);
                    while (Volatile.Read(ref _remaining) > 0)
                    {
                        Monitor.Wait(_gate);
                    }
                }
            }
        }
    }
}
