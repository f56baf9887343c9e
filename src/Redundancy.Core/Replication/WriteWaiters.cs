namespace Redundancy.Core.Replication;

/// <summary>
/// Writers waiting for their change to be replicated as the mode requires. Judged by the ledger after every
/// acknowledgement and tick. Thread-safe.
/// </summary>
public sealed class WriteWaiters
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _bound;
    private readonly List<(ulong Sequence, long AddedAt, TaskCompletionSource Done)> _waiting = [];

    /// <summary>Creates the list. A waiter with no verdict <paramref name="bound"/> after it was added is failed with
    /// an unknown outcome.</summary>
    public WriteWaiters(TimeProvider time, TimeSpan bound)
    {
        _time = time;
        _bound = bound;
    }


    /// <summary>Adds a writer waiting for <paramref name="sequence"/>.</summary>
    public Task Add(ulong sequence)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _waiting.Add((sequence, _time.GetTimestamp(), done));
        }

        return done.Task;
    }

    /// <summary>
    /// Completes or fails every waiter the ledger has a verdict for. A waiter the judge throws for (its sequence is no
    /// longer in the books, after a rollback and a new term), one judged <see cref="WriteOutcome.Unknown"/>, and one
    /// still waiting past the bound are failed with <see cref="WriteOutcomeUnknownException"/>: every write ends, and
    /// this never throws.
    /// </summary>
    /// <param name="judge">The verdict for a sequence.</param>
    /// <param name="timedOut">The error for a sequence judged <see cref="WriteOutcome.TimedOut"/>.</param>
    public void Judge(Func<ulong, WriteOutcome> judge, Func<ulong, Exception> timedOut)
    {
        ArgumentNullException.ThrowIfNull(judge);
        ArgumentNullException.ThrowIfNull(timedOut);
        lock (_gate)
        {
            for (var i = _waiting.Count - 1; i >= 0; i--)
            {
                var (sequence, addedAt, done) = _waiting[i];
                WriteOutcome outcome;
                string? why = null;
                try
                {
                    outcome = judge(sequence);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    outcome = WriteOutcome.Unknown;
                    why = $"its replication cannot be judged ({ex.Message})";
                }

                if (outcome == WriteOutcome.Waiting && _time.GetElapsedTime(addedAt) > _bound)
                {
                    outcome = WriteOutcome.Unknown;
                    why = $"no verdict within {_bound.TotalMilliseconds:F0} ms";
                }

                switch (outcome)
                {
                    case WriteOutcome.Completed:
                        done.TrySetResult();
                        break;
                    case WriteOutcome.TimedOut:
                        done.TrySetException(timedOut(sequence));
                        break;
                    case WriteOutcome.Unknown:
                        done.TrySetException(new WriteOutcomeUnknownException(
                            $"outcome UNKNOWN: change {sequence} is committed on this node, but {why ?? "this node stopped being active before it was replicated"}; whether the standby has it is unknown: read the key on the active to learn it"));
                        break;
                    default:
                        continue;
                }

                _waiting.RemoveAt(i);
            }
        }
    }

    /// <summary>Fails every waiter with <paramref name="error"/> (this node stopped being active).</summary>
    public void FailAll(Exception error)
    {
        lock (_gate)
        {
            foreach (var (_, _, done) in _waiting)
            {
                done.TrySetException(error);
            }

            _waiting.Clear();
        }
    }
}
