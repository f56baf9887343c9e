using System.Collections.Concurrent;
using Redundancy.Core.Configuration;
using Redundancy.Core.Replication;
using Redundancy.Core.State;
using Redundancy.Edges.Storage;

namespace Redundancy.Agent.State;

/// <summary>
/// The one thread that writes the control-state database (LiteDB binds a transaction to its thread). Writes that
/// arrive while a commit is running are committed together in the next transaction (group commit), so throughput
/// grows with load instead of paying one disk flush per write. Nothing on the heartbeat path ever waits for it.
/// </summary>
internal sealed partial class StorageWorker : IDisposable, Redundancy.Agent.Effects.ITermGate
{
    private const int MaxBatch = 2000;
    private readonly TimeProvider _time;
    private readonly BlockingCollection<Work> _queue = new();
    private readonly Thread _thread;
    private volatile ControlStateStore _store;
    private ulong _writableEpoch; // 0: writes refused (not active)
    private readonly Lock _sequenceGate = new(); // a pause and the numbering of a batch exclude each other
    private string? _paused; // why writes are refused while still active (a switchover), or null; under _sequenceGate
    private ulong _lastSequenced; // the last change numbered; under _sequenceGate
    private long _writeWaitingSince; // when the oldest write not yet taken by the storage thread was posted; 0: none
    private volatile string? _fault; // written under _flightGate
    private int _disposed;
    private long _commits;
    private long _entries;

    public StorageWorker(ControlStateStore store, TimeProvider time, StorageOptions? watch = null)
    {
        _store = store;
        _time = time;
        _watch = watch ?? StorageOptions.Default;
        _watchdog = new Core.State.CommitWatchdog(_watch.CommitAlarmAfter, _watch.CommitFaultAfter, time);
        _thread = new Thread(Run) { IsBackground = true, Name = "storage" };
    }

    /// <summary>
    /// Called on the storage thread with this node's own writes, numbered, just before they are committed: the
    /// standby receives and persists them while this node commits them too (as DRBD's protocol C does), so a
    /// sync write waits for the slower of the two commits instead of both in a row. Should the local commit fail,
    /// the database is failed and the node faults: the standby, which may hold the entries, takes over with them,
    /// and each of those writes fails with <see cref="WriteOutcomeUnknownException"/> (never "failed": the standby
    /// may have it). The faulted node reopens its database until it works, and rejoins as standby
    /// (<see cref="Recovered"/>), catching up from the new active.
    /// </summary>
    public event Action<IReadOnlyList<ChangeEntry>>? Sequenced;

    /// <summary>Called on the storage thread after every commit, with the entries it added, and whether they were
    /// written here (true) or applied from the active (false).</summary>
    public event Action<IReadOnlyList<ChangeEntry>, bool>? Committed;

    /// <summary>Called when a <see cref="Committed"/> subscriber threw; the commit itself stands.</summary>
    public event Action<Exception>? SubscriberFailed;

    /// <summary>Called once when the database fails: the node can no longer serve.</summary>
    public event Action<string>? Failed;

    /// <summary>The store, for reads from any thread. Replaced by a reopened one when the database recovers: read it
    /// each time, do not keep it.</summary>
    public ControlStateStore Store => _store;

    /// <summary>Transactions that added entries (own writes and applied ones) since start.</summary>
    public long Commits => Volatile.Read(ref _commits);

    /// <summary>Entries those transactions added: with <see cref="Commits"/>, how well writes are grouped.</summary>
    public long Entries => Volatile.Read(ref _entries);

    /// <summary>Why the database failed, or null.</summary>
    public string? Fault => _fault;

    public void Start()
    {
        _thread.Start();
        StartWatchdog();
    }

    /// <summary>
    /// This node became active in <paramref name="epoch"/>: persist the epoch, then accept writes in it.
    /// Ordered with the writes: a write queued after <see cref="StopWrites"/> is refused.
    /// </summary>
    public void StartWrites(ulong epoch) => Post(new Control(() =>
    {
        _store.SaveEpoch(epoch);
        lock (_sequenceGate)
        {
            _writableEpoch = epoch;
            _paused = null;
        }
    }));

    /// <summary>This node is no longer active: refuse writes from here on.</summary>
    public void StopWrites() => Post(new Control(() =>
    {
        lock (_sequenceGate)
        {
            _writableEpoch = 0;
            _paused = null;
        }
    }));

    /// <summary>
    /// Refuses writes from here on with <paramref name="reason"/> (a switchover: the node is still active and its
    /// writers must learn where to go), at once, from any thread; <see cref="ResumeWrites"/> undoes it. Returns the last
    /// change numbered before the pause: no later one will be, so once the standby has acknowledged it, it holds
    /// every change this node will have written. The writes in flight go on committing meanwhile; nothing here waits
    /// for the disk or for jobs queued on the storage thread.
    /// </summary>
    public ulong PauseWrites(string reason)
    {
        lock (_sequenceGate)
        {
            _paused = reason;
            return Math.Max(_lastSequenced, _store.LastSequence);
        }
    }

    /// <summary>Undoes <see cref="PauseWrites"/> when this node is still writable in <paramref name="epoch"/>.</summary>
    public void ResumeWrites(ulong epoch)
    {
        lock (_sequenceGate)
        {
            if (_writableEpoch == epoch)
            {
                _paused = null;
            }
        }
    }

    /// <summary>Appends one write; completes when it is committed locally, or fails when this node is not active.</summary>
    public Task<ChangeEntry> Write(string key, string? value)
    {
        var request = new WriteRequest(key, value);
        Interlocked.CompareExchange(ref _writeWaitingSince, _time.GetTimestamp(), 0); // the oldest write not yet started
        Post(request);
        return request.Done.Task;
    }

    /// <summary>Applies replicated entries (standby); completes when they are committed.</summary>
    public Task Apply(IReadOnlyList<ChangeEntry> entries) => Run(
        () =>
        {
            _store.Apply(entries);
            Notify(entries, local: false);
        },
        watched: true);

    /// <summary>Runs <paramref name="action"/> on the storage thread, in order with the writes.</summary>
    public Task Run(Action<ControlStateStore> action) => Run(() => action(_store));

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _queue.CompleteAdding();
        _watchTimer?.Dispose();
        if (_thread.IsAlive)
        {
            _thread.Join(TimeSpan.FromSeconds(5));
        }

        _queue.Dispose();
    }

    // Watched jobs are bounded in size (a batch of writes or applied entries), so the commit watchdog may judge them;
    // a snapshot install or a compaction after a long absence may legitimately take longer, and is not watched.
    private Task Run(Action action, bool watched = false)
    {
        var job = new Control(action) { Watched = watched };
        Post(job);
        return job.Done.Task;
    }

    private void Post(Work work)
    {
        if (_fault is { } fault)
        {
            work.Fail(new StorageException(fault));
            return;
        }

        try
        {
            _queue.Add(work);
        }
        catch (InvalidOperationException)
        {
            work.Fail(new ObjectDisposedException("storage worker stopped"));
        }
    }

    private void Run()
    {
        var batch = new List<WriteRequest>(MaxBatch);
        var writes = new List<(string, string?)>(MaxBatch);
        while (!_queue.IsCompleted)
        {
            // Wakes up now and then while the database is failed, to try it again.
            Work? first;
            try
            {
                if (!_queue.TryTake(out first, _fault is null ? Timeout.Infinite : (int)_watch.RetryInterval.TotalMilliseconds))
                {
                    TryRecover();
                    continue;
                }
            }
            catch (InvalidOperationException)
            {
                return; // completed while waiting
            }

            var next = first;
            while (next is not null)
            {
                var current = next;
                next = null;
                try
                {
                    if (current is Control control)
                    {
                        Execute(control);
                        continue;
                    }

                    batch.Add((WriteRequest)current);
                    Volatile.Write(ref _writeWaitingSince, 0); // taken: from here the batch itself is watched
                    while (batch.Count < MaxBatch && _queue.TryTake(out var more))
                    {
                        if (more is WriteRequest w)
                        {
                            batch.Add(w);
                        }
                        else
                        {
                            next = more; // executed after this batch, keeping the order
                            break;
                        }
                    }

                    Commit(batch, writes);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // No loop dies from one exception: whatever escaped fails its work and the database (which is
                    // then reopened), and the thread goes on serving.
                    Fail(ex);
                    current.Fail(Unknown(ex));
                    foreach (var w in batch)
                    {
                        w.Fail(Unknown(ex));
                    }

                    ReopenForReads();
                }
                finally
                {
                    EndInFlight();
                    batch.Clear();
                    writes.Clear();
                }
            }

            if (_fault is not null && _time.GetTimestamp() >= _nextRecovery)
            {
                TryRecover();
            }
        }
    }

    private void Commit(List<WriteRequest> batch, List<(string, string?)> writes)
    {
        if (_fault is not null || _writableEpoch == 0)
        {
            var error = _fault is not null ? new StorageException(_fault) : (Exception)new NotActiveException();
            foreach (var w in batch)
            {
                w.Fail(error);
            }

            return;
        }

        // The store's own rule (the core's, in bytes) before anything is numbered: a write it would refuse fails alone,
        // and never reaches the standby or the commit.
        for (var i = batch.Count - 1; i >= 0; i--)
        {
            if ((ControlStateRules.KeyProblem(batch[i].Key) ?? ControlStateRules.StoredValueProblem(batch[i].Key, batch[i].Value)) is { } problem)
            {
                batch[i].Fail(new WriteRefusedException(problem));
                batch.RemoveAt(i);
            }
        }

        if (batch.Count == 0)
        {
            return;
        }

        foreach (var w in batch)
        {
            writes.Add((w.Key, w.Value));
        }

        ChangeEntry[] entries;
        lock (_sequenceGate)
        {
            if (_paused is { } paused)
            {
                var refused = new WriteRefusedException(paused);
                foreach (var w in batch)
                {
                    w.Fail(refused);
                }

                return;
            }

            entries = _store.Sequence(_writableEpoch, writes, _time.GetUtcNow().ToUnixTimeMilliseconds());
            _lastSequenced = entries[^1].Sequence;
        }

        BeginInFlight(batch);
        Notify(Sequenced, entries);
        try
        {
            _store.Apply(entries);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Handed to the standby, not committed here: the standby may hold these entries. This node faults, so that
            // the standby takes over with them (or without, if they never reached it); either way the writer is told
            // the outcome is unknown, and reads the key on the active to learn it.
            Fail(ex);
            foreach (var w in batch)
            {
                w.Fail(Unknown(ex, entries));
            }

            ReopenForReads();
            return;
        }

        Notify(entries, local: true);
        for (var i = 0; i < batch.Count; i++)
        {
            batch[i].Done.TrySetResult(entries[i]);
        }
    }

    private void Notify(IReadOnlyList<ChangeEntry> entries, bool local)
    {
        Volatile.Write(ref _commits, _commits + 1); // only this thread writes them
        Volatile.Write(ref _entries, _entries + entries.Count);
        Notify(Committed is { } committed ? e => committed(e, local) : null, entries);
    }

    // A subscriber's failure must not take the storage thread (and with it every later write) down.
    private void Notify(Action<IReadOnlyList<ChangeEntry>>? subscribers, IReadOnlyList<ChangeEntry> entries)
    {
        try
        {
            subscribers?.Invoke(entries);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            SubscriberFailed?.Invoke(ex);
        }
    }

    private void Execute(Control control)
    {
        if (_fault is not null)
        {
            control.Fail(new StorageException(_fault)); // queued before the database failed
            return;
        }

        if (control.Watched)
        {
            BeginInFlight(null);
        }

        try
        {
            control.Action();
            control.Done.TrySetResult();
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException && ex is not ObjectDisposedException)
        {
            control.Fail(ex); // a refused request (e.g. entries with a gap), not a broken database
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // LiteDB, I/O, or anything unforeseen: the database may be half-way through a transaction. Fail it (it is
            // reopened later); the job gets the error, the thread goes on.
            Fail(ex);
            control.Fail(new StorageException(_fault ?? ex.Message, ex));
            ReopenForReads();
        }
    }
}
