using Redundancy.Agent.State;
using Redundancy.Core.Configuration;
using Redundancy.Edges.Storage;

namespace Redundancy.Agent.Tests;

/// <summary>The storage watchdog against a real database and a storage thread stuck in a job it does not watch.</summary>
public sealed class StorageWatchdogTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("redundancy-watchdog-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task ThreadStuckInAnUnwatchedJob_AWriteWaitingBehindIt_FaultsTheNode_AndTheWriteIsAnswered()
    {
        // Before: a compaction (not watched: it may legitimately be long) stuck in a hung disk left every write behind it
        // without an answer and raised nothing (seen once in HungDiskTests: "the write got no answer within 10 s").
        var store = ControlStateStore.Open(Path.Combine(_dir, "state.db"));
        using var worker = new StorageWorker(store, TimeProvider.System,
            new StorageOptions(TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(1000), TimeSpan.FromSeconds(30), 1 << 20));
        var alarms = new List<string>();
        var failed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        worker.SlowCommit += (raised, text) =>
        {
            lock (alarms)
            {
                alarms.Add(text);
            }
        };
        worker.Failed += error => failed.TrySetResult(error);
        worker.Start();
        worker.StartWrites(257);
        Assert.Equal(1UL, (await worker.Write("before", "1")).Sequence);

        using var release = new ManualResetEventSlim(false);
        var stuck = worker.Run(_ => release.Wait(TimeSpan.FromSeconds(30))); // the hung compaction
        var write = worker.Write("during", "2");

        var error = await failed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var refused = await Assert.ThrowsAsync<StorageException>(() => write.WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Contains("a write has waited to start", error, StringComparison.Ordinal);
        Assert.Contains("the disk is hung", refused.Message, StringComparison.Ordinal);
        lock (alarms)
        {
            Assert.Contains(alarms, a => a.Contains("a write has waited to start", StringComparison.Ordinal));
        }

        release.Set();
        await stuck.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task IdleWorker_WithWritesAnsweredAtOnce_RaisesNothing()
    {
        var store = ControlStateStore.Open(Path.Combine(_dir, "state.db"));
        using var worker = new StorageWorker(store, TimeProvider.System,
            new StorageOptions(TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(1000), TimeSpan.FromSeconds(30), 1 << 20));
        var events = 0;
        worker.SlowCommit += (_, _) => Interlocked.Increment(ref events);
        worker.Failed += _ => Interlocked.Increment(ref events);
        worker.Start();

        // Refused writes (not active) must not leave a "waiting" stamp behind them.
        await Assert.ThrowsAnyAsync<Exception>(() => worker.Write("k", "1"));
        worker.StartWrites(257);
        await worker.Write("k", "1");
        await Task.Delay(TimeSpan.FromMilliseconds(1500));

        Assert.Equal(0, Volatile.Read(ref events));
    }
}
