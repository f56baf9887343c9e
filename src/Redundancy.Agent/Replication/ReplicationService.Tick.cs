using Redundancy.Agent.State;
using Redundancy.Core.Replication;
using Redundancy.Core.Roles;

namespace Redundancy.Agent.Replication;

/// <summary>The active's clock: terms, semi-sync fallback, judging waiting writers, compaction.</summary>
internal sealed partial class ReplicationService
{
    /// <summary>
    /// Completes true once the standby has acknowledged (persisted) every change up to <paramref name="sequence"/>,
    /// whatever the mode: a switchover needs that even in async mode. False when it did not within
    /// <paramref name="bound"/>, or this node is not active.
    /// </summary>
    public async Task<bool> WaitAcknowledged(ulong sequence, TimeSpan bound, CancellationToken cancellationToken)
    {
        var until = _time.GetTimestamp() + (long)(bound.TotalSeconds * _time.TimestampFrequency);
        while (true)
        {
            TaskCompletionSource signal;
            lock (_ledgerGate)
            {
                if (_ledger is not { } ledger)
                {
                    return false;
                }

                if (ledger.Acked >= sequence)
                {
                    return true;
                }

                signal = _ackSignal ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            var left = _time.GetElapsedTime(_time.GetTimestamp(), until);
            if (left <= TimeSpan.Zero)
            {
                return false;
            }

            try
            {
                await signal.Task.WaitAsync(left, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return false;
            }
        }
    }

    private void JudgeWaiters()
    {
        // Someone waits for acknowledgements (a switchover): wake it. Nothing is made when nobody waits.
        Interlocked.Exchange(ref _ackSignal, null)?.TrySetResult();
        lock (_ledgerGate)
        {
            var ledger = _ledger;
            if (ledger is null)
            {
                // Not active: no books to judge by, and none will come for this write. It is committed here; whether
                // the standby has it is unknown (async never waited for it).
                _waiters.Judge(s => s <= _endedAcked || _settings.Mode == ReplicationMode.Async ? WriteOutcome.Completed : WriteOutcome.Unknown, TimedOut);
                return;
            }

            _waiters.Judge(ledger.Judge, TimedOut);
        }
    }

    private ControlStateException TimedOut(ulong sequence) => new(
        $"change {sequence} was committed on this node but the standby did not acknowledge it within {_settings.SyncTimeout.TotalMilliseconds:F0} ms (mode sync); it will replicate when the standby is back");

    private async Task TickLoop()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(5), _time);
        var nextCompaction = _time.GetTimestamp();
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                var active = _view.Role == Role.Active;
                ulong bound = 0;
                lock (_ledgerGate)
                {
                    if (_ledger is { } ledger)
                    {
                        ledger.Evaluate();
                        while (ledger.TryDequeueAlarm(out var alarm))
                        {
                            if (alarm.Raised)
                            {
                                _events.Raise("Replication", "standby", alarm.Text); // journal: 403, as every alarm
                            }
                            else
                            {
                                _events.Clear("Replication", "standby", alarm.Text);
                            }
                        }

                        bound = ledger.CompactionBound();
                    }
                }

                JudgeWaiters();
                if (active && _time.GetTimestamp() >= nextCompaction)
                {
                    nextCompaction = _time.GetTimestamp() + _time.TimestampFrequency;
                    var retentionBytes = _options.Storage.RetentionBytes;
                    _ = _storage.Run(store =>
                    {
                        // Retention counts bytes too: entries may be 64 KiB each, and the disk is a Pi's.
                        var upTo = Math.Max(bound, store.ByteRetentionBound(retentionBytes));
                        if (upTo > 0)
                        {
                            store.Compact(upTo);
                        }
                    });
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // stopping
        }
    }

    /// <summary>
    /// Acts on the engine's role transitions as they come (no polling): a new term on this node starts new books
    /// from its log as it stands; leaving Active drops them and answers every waiting writer; becoming Active,
    /// Faulted or Stopping ends the following of an active at once.
    /// </summary>
    private async Task TermLoop()
    {
        var transitions = _transitions.Subscribe();
        ulong ledgerEpoch = 0;
        await foreach (var t in transitions.ReadAllAsync(_stop.Token).ConfigureAwait(false))
        {
            if (t.To is Role.Active or Role.Faulted or Role.Stopping && Volatile.Read(ref _following) is { } follow)
            {
                try
                {
                    await follow.CancelAsync().ConfigureAwait(false);
                }
                catch (ObjectDisposedException)
                {
                    // that session ended meanwhile
                }
            }

            if (t.To == Role.Active)
            {
                if (ledgerEpoch != t.Epoch)
                {
                    // A new term: the books start from this node's log as it stands, read on the storage thread
                    // so that no commit falls between; the standby connection carries over.
                    await _storage.Run(store =>
                    {
                        lock (_ledgerGate)
                        {
                            _ledger = NewLedger(store.LastSequence);
                        }
                    }).ConfigureAwait(false);
                    ledgerEpoch = t.Epoch;
                }
            }
            else if (ledgerEpoch != 0)
            {
                // Needs no storage: a node that stepped down because its database failed must still drop its books
                // and answer its waiting writers.
                ledgerEpoch = 0;
                lock (_ledgerGate)
                {
                    // What the standby acknowledged in the term that ends stays known: a writer whose change it
                    // acknowledged, and who asks only now (a switchover hands over the moment everything is
                    // acknowledged), is told it is complete, not "unknown".
                    if (_ledger is { } ended)
                    {
                        _endedAcked = ended.Acked;
                        _waiters.Judge(ended.Judge, TimedOut);
                    }

                    _ledger = null;
                }

                _waiters.FailAll(new WriteOutcomeUnknownException("outcome UNKNOWN: this node stopped being active before the change was replicated; it is committed here and may or may not have reached the standby: read the key on the active to learn it"));
            }
        }
    }
}
