using Microsoft.Extensions.Logging;
using Redundancy.Core.Supervision;
using Redundancy.Protocol.Events;

namespace Redundancy.Agent.Status;

/// <summary>
/// Writes the node's events to the journal (the logger), as one reader of the <see cref="EventStream"/> among the
/// others, on the pool: the engine never formats a log line for a role change or an alarm. The ids and fields are
/// the journal's contract (401 role change, 402 takeover, 403/404 alarms, 101/102 links, 301/302 outputs, 611
/// storage). Started, Stopped and Stall events are logged by their producers with their own figures.
/// </summary>
internal sealed class JournalWriter : IDisposable
{
    private readonly EventStream _stream;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly string _node;
    private readonly CancellationTokenSource _stop = new();
    private int _disposed;
    private readonly Lock _gate = new();
    private long _position;

    public JournalWriter(EventStream stream, string node, ILogger log, TimeProvider time)
    {
        _node = node;
        _stream = stream;
        _log = log;
        _time = time;
    }

    public void Start() => _ = GuardedLoop.RunAsync(
        async ct =>
        {
            while (!ct.IsCancellationRequested)
            {
                await _stream.WaitAsync(Volatile.Read(ref _position), TimeSpan.FromSeconds(1), ct).ConfigureAwait(false);
                Flush();
            }
        },
        (ex, delay) => Log.LoopFailed(_log, _node, "journal writer", ex.ToString(), delay.TotalMilliseconds),
        TimeSpan.FromSeconds(1),
        _time,
        _stop.Token);

    /// <summary>Writes every event not written yet (also called at stop, so the last ones are not lost).</summary>
    public void Flush()
    {
        lock (_gate)
        {
            var page = _stream.Read(_position);
            if (page.Missed > 0)
            {
                Log.ConfigWarning(_log, _node, $"{page.Missed} event(s) were dropped before the journal could write them");
            }

            foreach (var e in page.Events)
            {
                Write(e);
            }

            Volatile.Write(ref _position, page.Next);
        }
    }

    public void Dispose()
    {
        // Twice: by the host service at stop, then by the container.
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _stop.Cancel();
            Flush();
        }
    }

    private void Write(NodeEvent e)
    {
        switch (e.Kind)
        {
            case NodeEventKind.RoleChanged:
                if (e.TakeoverMs is { } takeover)
                {
                    Log.TookOver(_log, e.Node, e.Epoch ?? 0, e.Reason, e.DetectionMs ?? 0, takeover);
                }

                Log.RoleChanged(_log, e.Node, e.From ?? string.Empty, e.To ?? string.Empty, e.Epoch ?? 0, e.Reason);
                break;
            case NodeEventKind.AlarmRaised:
                Log.AlarmRaised(_log, e.Node, e.Alarm ?? string.Empty, e.Subject ?? string.Empty, e.Reason);
                break;
            case NodeEventKind.AlarmCleared:
                Log.AlarmCleared(_log, e.Node, e.Alarm ?? string.Empty, e.Subject ?? string.Empty, e.Reason);
                break;
            case NodeEventKind.LinkUp:
                Log.LinkUp(_log, e.Node, e.Subject ?? string.Empty);
                break;
            case NodeEventKind.LinkDown:
                Log.LinkDown(_log, e.Node, e.Subject ?? string.Empty);
                break;
            case NodeEventKind.OutputsReleased:
                Log.OutputsReleased(_log, e.Node, e.Reason);
                break;
            case NodeEventKind.OutputsFailed:
                Log.OutputsFailed(_log, e.Node, e.Reason);
                break;
            case NodeEventKind.Storage:
                Log.StorageNote(_log, e.Node, e.Reason);
                break;
            case NodeEventKind.Command when e.Subject is "set" or "delete" or "writes":
                // A control application writes thousands a second: at Warning they would spend journald's rate limit
                // (10000 per 30 s) in seconds and it would then drop the role changes and alarms too. The events op
                // has each of them, with its uid.
                Log.StateWritten(_log, e.Node, e.Subject, e.Uid ?? -1, e.Reason);
                break;
            case NodeEventKind.Command:
                Log.CommandTaken(_log, e.Node, e.Subject ?? string.Empty, e.Uid ?? -1, e.Reason);
                break;
        }
    }
}
