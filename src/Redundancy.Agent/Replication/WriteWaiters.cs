using Redundancy.Core.Replication;

namespace Redundancy.Agent.Replication;

/// <summary>
/// Writers waiting for their change to be replicated as the mode requires. Judged by the ledger after every
/// acknowledgement and tick. Thread-safe.
/// </summary>
internal sealed class WriteWaiters
{
    private readonly Lock _gate = new();
    private readonly List<(ulong Sequence, TaskCompletionSource Done)> _waiting = [];

    public Task Add(ulong sequence)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _waiting.Add((sequence, done));
        }

        return done.Task;
    }

    /// <summary>Completes or fails every waiter the ledger has a verdict for.</summary>
    public void Judge(Func<ulong, WriteOutcome> judge, Func<ulong, Exception> timedOut)
    {
        lock (_gate)
        {
            for (var i = _waiting.Count - 1; i >= 0; i--)
            {
                var (sequence, done) = _waiting[i];
                switch (judge(sequence))
                {
                    case WriteOutcome.Completed:
                        done.TrySetResult();
                        break;
                    case WriteOutcome.TimedOut:
                        done.TrySetException(timedOut(sequence));
                        break;
                    default:
                        continue;
                }

                _waiting.RemoveAt(i);
            }
        }
    }

    /// <summary>Fails every waiter (this node stopped being active).</summary>
    public void FailAll(Exception error)
    {
        lock (_gate)
        {
            foreach (var (_, done) in _waiting)
            {
                done.TrySetException(error);
            }

            _waiting.Clear();
        }
    }
}
