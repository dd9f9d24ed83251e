using ModelBuild.Runtime.Kernels;

namespace ModelBuild.Runtime.Tests.Kernels;

/// <summary>The persistent worker team behind KernelParallel.For: coverage, chunk bounds, errors, nesting, contention.</summary>
[TestClass]
public sealed class WorkerTeamTests
{
    [TestMethod]
    [Timeout(60_000)]
    public void EveryIndexRunsOnceInFormulaChunks()
    {
        foreach (var (count, threads) in new[] { (1, 2), (2, 2), (7, 3), (1000, 2), (1000, 7), (5, 16), (100_003, 4) })
        {
            var hits = new int[count];
            var ranges = new List<(int, int)>();
            KernelParallel.For(count, threads, (s, e) =>
            {
                lock (ranges)
                {
                    ranges.Add((s, e));
                }

                for (int i = s; i < e; i++)
                {
                    Interlocked.Increment(ref hits[i]);
                }
            });

            Assert.IsTrue(hits.All(h => h == 1), $"count {count} threads {threads}: every index once");
            int t = Math.Min(threads, count);
            var expected = Enumerable.Range(0, t)
                .Select(i => ((int)((long)count * i / t), (int)((long)count * (i + 1) / t)))
                .Where(r => r.Item2 > r.Item1).OrderBy(r => r.Item1).ToList();
            CollectionAssert.AreEqual(expected, ranges.OrderBy(r => r.Item1).ToList(), $"count {count} threads {threads}: chunk bounds");
        }
    }

    [TestMethod]
    [Timeout(60_000)]
    public void ForEachGivesEveryIndexItsOwnChunkOnAtMostThreadsThreads()
    {
        foreach (var (count, threads) in new[] { (1, 4), (3, 2), (50, 2), (50, 3), (9, 1) })
        {
            var hits = new int[count];
            var threadIds = new HashSet<int>();
            KernelParallel.ForEach(count, threads, (s, e) =>
            {
                lock (threadIds)
                {
                    threadIds.Add(Environment.CurrentManagedThreadId);
                }

                if (threads > 1)
                {
                    Assert.AreEqual(s + 1, e, "one index per chunk");
                }

                for (int i = s; i < e; i++)
                {
                    Interlocked.Increment(ref hits[i]);
                }
            });

            Assert.IsTrue(hits.All(h => h == 1), $"count {count} threads {threads}: every index once");
            Assert.IsTrue(threadIds.Count <= threads, $"count {count} threads {threads}: {threadIds.Count} threads took part");
        }
    }

    [TestMethod]
    [Timeout(60_000)]
    public void ForBalancedSplitsIntoFormulaChunksPerThread()
    {
        foreach (var (count, threads, perThread) in new[] { (100, 2, 4), (7, 2, 4), (1000, 3, 1), (5, 1, 4) })
        {
            var ranges = new List<(int, int)>();
            KernelParallel.ForBalanced(count, threads, perThread, (s, e) =>
            {
                lock (ranges)
                {
                    ranges.Add((s, e));
                }
            });

            int chunks = threads == 1 ? 1 : Math.Min(count, threads * perThread);
            var expected = Enumerable.Range(0, chunks)
                .Select(i => ((int)((long)count * i / chunks), (int)((long)count * (i + 1) / chunks)))
                .Where(r => r.Item2 > r.Item1).ToList();
            CollectionAssert.AreEqual(expected, ranges.OrderBy(r => r.Item1).ToList(), $"count {count} threads {threads} x{perThread}");
        }
    }

    [TestMethod]
    [Timeout(60_000)]
    public void ChunkExceptionReachesCallerAndTeamKeepsWorking()
    {
        var e = Assert.ThrowsExactly<InvalidOperationException>(() =>
            KernelParallel.For(8, 8, (s, _) =>
            {
                if (s == 5)
                {
                    throw new InvalidOperationException("chunk 5");
                }
            }));
        Assert.AreEqual("chunk 5", e.Message);

        long sum = 0;
        KernelParallel.For(1000, 4, (s, end) =>
        {
            long local = 0;
            for (int i = s; i < end; i++)
            {
                local += i;
            }

            Interlocked.Add(ref sum, local);
        });
        Assert.AreEqual(999L * 1000 / 2, sum);
    }

    [TestMethod]
    [Timeout(60_000)]
    public void NestedLoopsRunInsideTheirChunk()
    {
        var hits = new int[64 * 32];
        KernelParallel.For(64, 4, (s, e) =>
        {
            for (int row = s; row < e; row++)
            {
                int r = row;
                KernelParallel.For(32, 4, (c0, c1) =>
                {
                    for (int c = c0; c < c1; c++)
                    {
                        Interlocked.Increment(ref hits[(r * 32) + c]);
                    }
                });
            }
        });

        Assert.IsTrue(hits.All(h => h == 1));
    }

    [TestMethod]
    [Timeout(120_000)]
    public void ConcurrentCallersAndIdleGapsAllComplete()
    {
        // Several callers at once (one gets the team, the others Parallel.For), with pauses long enough for the
        // workers to go to sleep between jobs, so both the spin and the blocking hand-offs are exercised.
        var failures = 0;
        var callers = Enumerable.Range(0, 3).Select(c => new Thread(() =>
        {
            for (int round = 0; round < 40; round++)
            {
                int n = 100 + (round * 37) + c;
                var y = new int[n];
                KernelParallel.For(n, 2 + (round % 3), (s, e) =>
                {
                    for (int i = s; i < e; i++)
                    {
                        y[i] = i * 3;
                    }
                });

                for (int i = 0; i < n; i++)
                {
                    if (y[i] != i * 3)
                    {
                        Interlocked.Increment(ref failures);
                        break;
                    }
                }

                if (round % 10 == 9)
                {
                    Thread.Sleep(5);
                }
            }
        })).ToList();
        callers.ForEach(t => t.Start());
        callers.ForEach(t => t.Join());
        Assert.AreEqual(0, failures);
    }
}
