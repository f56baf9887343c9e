using Redundancy.Core.Configuration;
using Redundancy.Core.Replication;
using Redundancy.Core.State;
using Redundancy.Edges.Storage;

namespace Redundancy.Agent.State;

/// <summary>
/// When the database fails (a commit throws, or hangs past <see cref="StorageOptions.CommitFaultAfter"/>), and how it
/// comes back: the storage thread tries it again every <see cref="StorageOptions.RetryInterval"/> (first a scratch
/// file beside it, so a disk that is still full costs nothing; then the database reopened and a probe transaction),
/// and raises <see cref="Recovered"/> when it works. A watchdog timer, on its own thread because the storage thread is
/// what blocks, compares the running job's start with now.
/// </summary>
internal sealed partial class StorageWorker
{
    private readonly StorageOptions _watch;
    private readonly CommitWatchdog _watchdog;
    private readonly Lock _flightGate = new();
    private ITimer? _watchTimer;
    private List<WriteRequest>? _inFlight;
    private long _busySince;
    private long _nextRecovery;

    /// <summary>Called on the storage thread when a failed database works again (reopened, probed): the node may serve
    /// again, as a standby that catches up. <see cref="Store"/> is then the reopened store.</summary>
    public event Action? Recovered;

    /// <summary>Something an operator should read about the database's failure and recovery (any thread).</summary>
    public event Action<string>? Note;

    /// <summary>Called on the watchdog thread when a database job runs longer than the alarm bound (true, with the
    /// text) and when that ends (false).</summary>
    public event Action<bool, string>? SlowCommit;

    private void StartWatchdog()
    {
        var period = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond * 10, _watch.CommitAlarmAfter.Ticks / 4));
        _watchTimer = _time.CreateTimer(_ => CheckWatchdog(), null, period, period);
    }

    private void CheckWatchdog()
    {
        try
        {
            // Watched: a commit in flight, and a write waiting to start. The second catches the thread stuck in the disk
            // inside a job that is not itself watched (a compaction, an epoch save): its writers would wait forever.
            var inFlight = Volatile.Read(ref _busySince);
            var waiting = Volatile.Read(ref _writeWaitingSince);
            var since = inFlight == 0 ? waiting : waiting == 0 ? inFlight : Math.Min(inFlight, waiting);
            var what = since == waiting && waiting != 0 ? "a write has waited to start" : "a commit has been running";
            var verdict = _watchdog.Check(since);
            var busy = _watchdog.Busy.TotalMilliseconds;
            switch (verdict)
            {
                case CommitVerdict.AlarmRaised:
                    SlowCommit?.Invoke(true, $"storage slow: {what} on {_store.Path} for {busy:F0} ms (alarm at {_watch.CommitAlarmAfter.TotalMilliseconds:F0} ms, fault at {_watch.CommitFaultAfter.TotalMilliseconds:F0} ms)");
                    break;
                case CommitVerdict.AlarmCleared:
                    SlowCommit?.Invoke(false, "storage commits are fast again");
                    break;
                case CommitVerdict.Fault:
                    FailHung($"{what} for {busy:F0} ms, past storage.commitFaultMs ({_watch.CommitFaultAfter.TotalMilliseconds:F0} ms): the disk is hung");
                    break;
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            SubscriberFailed?.Invoke(ex); // the watchdog keeps ticking
        }
    }

    /// <summary>The storage thread is stuck in the disk: fault now, and give every write waiting on it an outcome.</summary>
    private void FailHung(string reason)
    {
        Fail(new IOException(reason));
        var unknown = new WriteOutcomeUnknownException($"outcome UNKNOWN: {reason}. This node faults and its standby takes over; the change may have reached the standby, or may still commit here: read the key on the active to learn it");
        lock (_flightGate)
        {
            foreach (var w in _inFlight ?? [])
            {
                w.Fail(unknown);
            }
        }

        var refused = new StorageException(_fault ?? reason);
        while (_queue.TryTake(out var queued))
        {
            queued.Fail(refused); // never started: not written
        }
    }

    private void BeginInFlight(List<WriteRequest>? batch)
    {
        lock (_flightGate)
        {
            _inFlight = batch;
        }

        Volatile.Write(ref _busySince, _time.GetTimestamp());
    }

    private void EndInFlight()
    {
        Volatile.Write(ref _busySince, 0);
        lock (_flightGate)
        {
            _inFlight = null;
        }
    }

    private void Fail(Exception ex)
    {
        var fault = $"database {_store.Path}: {ex.Message}";
        lock (_flightGate)
        {
            if (_fault is not null)
            {
                return;
            }

            _fault = fault;
            _nextRecovery = _time.GetTimestamp() + (long)(_watch.RetryInterval.TotalSeconds * _time.TimestampFrequency);
        }

        Failed?.Invoke(fault);
    }

    /// <summary>
    /// On the storage thread, once the database failed: LiteDB closes an engine that hit an I/O error, so the store is
    /// swapped for a read-only one over the same file, and reads keep answering from what was committed.
    /// </summary>
    private void ReopenForReads()
    {
        // Opened beside the failed instance first (LiteDB's files are shared), so reads are served again at once;
        // closing the failed one may take a while, or never end.
        var old = _store;
        var swapped = TryOpenReadOnly(old.Path, out var error);
        if (!old.DisposeAfterFailure(TimeSpan.FromSeconds(2)))
        {
            Note?.Invoke($"{old.Path}: LiteDB did not close the failed database within 2 s; it is abandoned");
        }

        if (!swapped && !TryOpenReadOnly(old.Path, out error))
        {
            Note?.Invoke($"{error}; reads answer with an error until it can be reopened");
        }
    }

    private bool TryOpenReadOnly(string path, out string? error)
    {
        try
        {
            _store = ControlStateStore.OpenReadOnly(path);
            Note?.Invoke($"{path} reopened read-only: reads answer from what was committed until it can be written again");
            error = null;
            return true;
        }
        catch (StorageException ex)
        {
            error = ex.Message;
            return false;
        }
    }

    private static WriteOutcomeUnknownException Unknown(Exception ex, IReadOnlyList<ChangeEntry>? entries = null)
    {
        var which = entries is { Count: > 0 } ? $"change {entries[0].Sequence}{(entries.Count > 1 ? $"-{entries[^1].Sequence}" : string.Empty)}" : "the change";
        return new WriteOutcomeUnknownException(
            $"outcome UNKNOWN: {which} was handed to the standby but the local commit failed ({ex.GetType().Name}: {ex.Message}); this node faults and the standby, which may hold it, takes over: read the key on the active to learn the outcome", ex);
    }

    /// <summary>On the storage thread: tries the failed database again, when it is time.</summary>
    private void TryRecover()
    {
        if (_fault is null || _time.GetTimestamp() < _nextRecovery)
        {
            return;
        }

        _nextRecovery = _time.GetTimestamp() + (long)(_watch.RetryInterval.TotalSeconds * _time.TimestampFrequency);
        var old = _store;
        try
        {
            // A disk that is still full (or read-only) fails here, and the open store keeps answering reads.
            ScratchProbe(Path.GetDirectoryName(old.Path)!);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return;
        }

        ControlStateStore? fresh = null;
        try
        {
            old.DisposeAfterFailure(TimeSpan.FromSeconds(2));
            fresh = ControlStateStore.Open(old.Path);
            fresh.Probe(_time.GetUtcNow().ToUnixTimeMilliseconds());
            _store = fresh;
            _writableEpoch = 0; // it comes back as a standby; a takeover starts writes again
            lock (_flightGate)
            {
                _fault = null;
            }

            Note?.Invoke($"{old.Path} reopened and written: the database works again");
            Recovered?.Invoke();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            if (fresh is not null)
            {
                _store = fresh; // opened but not writable: readers use it, the next try reopens it
            }

            lock (_flightGate)
            {
                _fault = $"database {old.Path}: {ex.Message}";
            }
        }
    }

    private static void ScratchProbe(string directory)
    {
        var path = Path.Combine(directory, ".write-probe");
        try
        {
            using var f = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.WriteThrough);
            f.Write(new byte[64 * 1024]);
            f.Flush(flushToDisk: true);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
