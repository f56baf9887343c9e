using System.Diagnostics;
using Redundancy.Edges.Scheduling;

namespace Redundancy.Edges.Tests.Scheduling;

[Collection(RealtimeCollection.Name)]
public class SpinGuardTests
{
    [Fact]
    public void RealtimeThreadsSpinningOnEveryCpu_AreLoweredSoTheNormalThreadTheyWaitForRuns()
    {
        // The runtime's locks spin with sched_yield; at SCHED_FIFO a yield never lets a normal thread run. With a
        // real-time spinner on every CPU, the normal thread holding the lock (here: the one that sets the flag)
        // ran only when the kernel's real-time throttling allowed, after ~950 ms, and the whole machine with it.
        using var guard = new SpinGuard(50);
        Assert.Null(guard.Start());
        var cpus = Environment.ProcessorCount;
        var problems = new string?[cpus];
        var release = 0;
        long spinningSince = 0;
        long releasedAt = 0;
        using var go = new ManualResetEventSlim();
        using var elevated = new CountdownEvent(cpus);
        var normal = new Thread(() =>
        {
            go.Wait();
            Volatile.Write(ref releasedAt, Stopwatch.GetTimestamp());
            Volatile.Write(ref release, 1);
        }) { Name = "holder" };
        normal.Start();
        var spinners = Enumerable.Range(0, cpus).Select(i => new Thread(() =>
        {
            problems[i] = RealtimeThread.TryElevate(50, guard, $"spinner-{i}");
            elevated.Signal();
            elevated.Wait();
            if (i == 0)
            {
                Volatile.Write(ref spinningSince, Stopwatch.GetTimestamp());
                go.Set(); // the holder is runnable from now on, at normal priority
            }

            while (Volatile.Read(ref release) == 0)
            {
                Thread.Yield();
            }
        }) { Name = $"spinner-{i}" }).ToArray();
        foreach (var s in spinners)
        {
            s.Start();
        }

        var allEnded = spinners.All(s => s.Join(TimeSpan.FromSeconds(10)));
        normal.Join(TimeSpan.FromSeconds(10));

        Assert.All(problems, p => Assert.Null(p));
        Assert.True(allEnded, "the spinners never saw the flag");
        var waited = Stopwatch.GetElapsedTime(Volatile.Read(ref spinningSince), Volatile.Read(ref releasedAt));
        Assert.True(waited < TimeSpan.FromMilliseconds(300), $"the normal thread waited {waited.TotalMilliseconds:F0} ms for a CPU");
        Assert.True(guard.Lowerings >= 1, "the guard lowered no spinner");
        Assert.StartsWith("spinner-", guard.LastLowered, StringComparison.Ordinal);
        Assert.True(guard.LongestSpin >= SpinGuard.Window, $"longest spin {guard.LongestSpin.TotalMilliseconds} ms");
    }

    [Fact]
    public void AThreadThatWorksInShortBursts_IsLeftAtRealtimePriority()
    {
        using var guard = new SpinGuard(50);
        Assert.Null(guard.Start());
        string? problem = null;
        var policies = new List<int>();
        var worker = new Thread(() =>
        {
            problem = RealtimeThread.TryElevate(50, guard, "worker");
            var until = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 2;
            while (Stopwatch.GetTimestamp() < until)
            {
                var burst = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 1000; // 1 ms of work per 5 ms, like a busy heartbeat thread
                while (Stopwatch.GetTimestamp() < burst)
                {
                }

                Thread.Sleep(4);
                policies.Add(RealtimeThread.CurrentPolicy());
            }
        }) { Name = "worker" };
        worker.Start();
        worker.Join();

        Assert.Null(problem);
        Assert.Equal(0, guard.Lowerings);
        Assert.All(policies, p => Assert.Equal(1, p)); // SCHED_FIFO throughout
    }
}
