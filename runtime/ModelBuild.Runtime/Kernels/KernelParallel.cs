namespace ModelBuild.Runtime.Kernels;

/// <summary>
/// Threading convention of every kernel: a trailing <c>int threads</c> parameter (≤ 1 = run on the calling
/// thread only). Work is split into at most <c>threads</c> contiguous chunks of independent outputs by a
/// deterministic formula; every output element is computed by exactly one chunk with the same operation
/// sequence as in the single-threaded code, so the thread count never changes results.
/// </summary>
internal static class KernelParallel
{
    /// <summary>Runs <paramref name="body"/>(start, end) over [0, count) split into min(threads, count) equal chunks.</summary>
    public static void For(int count, int threads, Action<int, int> body) => ForBalanced(count, threads, 1, body);

    /// <summary>
    /// Like <see cref="For"/> but every index is its own chunk, claimed by whichever of at most
    /// <paramref name="threads"/> threads is free: for a few coarse, equal-cost items (convolution tiles), so a
    /// thread that is slowed down (a busy core) takes fewer items instead of holding up the others.
    /// </summary>
    public static void ForEach(int count, int threads, Action<int, int> body) => ForBalanced(count, threads, count, body);

    /// <summary>
    /// Like <see cref="For"/> with up to <paramref name="chunksPerThread"/> × threads formula chunks, claimed by
    /// whichever of at most <paramref name="threads"/> threads is free (for bodies whose per-chunk set-up is small).
    /// </summary>
    public static void ForBalanced(int count, int threads, int chunksPerThread, Action<int, int> body)
    {
        if (count <= 0)
        {
            return;
        }

        int t = Math.Min(Math.Max(threads, 1), count);
        if (t == 1)
        {
            body(0, count);
            return;
        }

        WorkerTeam.Run(count, (int)Math.Min(count, (long)t * Math.Max(1, chunksPerThread)), t, body);
    }

    /// <summary>
    /// <see cref="For"/> for a body held in a struct: a call that stays on one thread (small work, or
    /// <paramref name="threads"/> ≤ 1) allocates nothing, where a lambda capturing locals allocates its closure on
    /// every call. Only a parallel call boxes the body into a delegate. Same chunks, so the same results.
    /// </summary>
    public static void For<TBody>(int count, int threads, TBody body)
        where TBody : struct, IRangeBody
    {
        if (count <= 0)
        {
            return;
        }

        int t = Math.Min(Math.Max(threads, 1), count);
        if (t == 1)
        {
            body.Run(0, count);
            return;
        }

        ForParallel(count, t, body);
    }

    private static void ForParallel<TBody>(int count, int t, TBody body)
        where TBody : struct, IRangeBody =>
        WorkerTeam.Run(count, t, t, (s, e) => body.Run(s, e));

    /// <summary>Threads worth using for <paramref name="work"/> units when one thread should get at least <paramref name="minPerThread"/>.</summary>
    public static int Effective(int threads, long work, long minPerThread)
    {
        if (threads <= 1)
        {
            return 1;
        }

        long t = work / Math.Max(1, minPerThread);
        return (int)Math.Clamp(t, 1, threads);
    }
}

/// <summary>A loop body over [start, end) for <see cref="KernelParallel.For{TBody}"/>; its fields are what a lambda would capture.</summary>
internal interface IRangeBody
{
    void Run(int start, int end);
}
