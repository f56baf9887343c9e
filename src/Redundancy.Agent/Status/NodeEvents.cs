using Redundancy.Protocol.Events;
using Redundancy.Protocol.Status;

namespace Redundancy.Agent.Status;

/// <summary>
/// What every producer of the node's events calls (the engine, storage, the control socket): typed methods that
/// publish to the <see cref="EventStream"/> and keep the board of alarms raised and not cleared, under one lock, so
/// status never shows an alarm whose clearing event is already out. Thread-safe.
/// </summary>
internal sealed class NodeEvents
{
    private readonly List<AlarmStatus> _alarms = [];
    private readonly Lock _gate = new();
    private TakeoverStatus? _lastTakeover;
    private int _roleChanges;

    public NodeEvents(EventStream stream) => Stream = stream;

    /// <summary>The stream every reader reads.</summary>
    public EventStream Stream { get; }

    /// <summary>Alarms raised and not cleared, oldest first (a copy).</summary>
    public IReadOnlyList<AlarmStatus> ActiveAlarms
    {
        get
        {
            lock (_gate)
            {
                return _alarms.ToArray();
            }
        }
    }

    /// <summary>The newest takeover since start, or null.</summary>
    public TakeoverStatus? LastTakeover => Volatile.Read(ref _lastTakeover);

    /// <summary>Role changes since start.</summary>
    public int RoleChanges => Volatile.Read(ref _roleChanges);

    public NodeEvent Started(string text) => Stream.Publish(NodeEventKind.Started, text);

    public NodeEvent Stopped(string text) => Stream.Publish(NodeEventKind.Stopped, text);

    /// <summary>A role change; a takeover also carries its detection and takeover times.</summary>
    public NodeEvent RoleChanged(string from, string to, ulong epoch, string reason, double? detectionMs = null, double? takeoverMs = null)
    {
        Interlocked.Increment(ref _roleChanges);
        var e = Stream.Publish(NodeEventKind.RoleChanged, reason, from: from, to: to, epoch: epoch, detectionMs: detectionMs, takeoverMs: takeoverMs);
        if (takeoverMs is not null)
        {
            Volatile.Write(ref _lastTakeover, new TakeoverStatus(epoch, reason, e.Time, detectionMs ?? 0, takeoverMs.Value));
        }

        return e;
    }

    /// <summary>Raises an alarm; raising one already raised (same kind and subject) updates its text only, no event.</summary>
    public void Raise(string kind, string subject, string text)
    {
        lock (_gate)
        {
            var i = _alarms.FindIndex(a => a.Kind == kind && a.Subject == subject);
            if (i >= 0)
            {
                _alarms[i] = _alarms[i] with { Text = text };
                return;
            }

            var e = Stream.Publish(NodeEventKind.AlarmRaised, text, subject: subject, alarm: kind);
            _alarms.Add(new AlarmStatus(kind, subject, text, e.Time, e.Sequence));
        }
    }

    /// <summary>Clears an alarm; clearing one that is not raised publishes nothing.</summary>
    public void Clear(string kind, string subject, string text)
    {
        lock (_gate)
        {
            var i = _alarms.FindIndex(a => a.Kind == kind && a.Subject == subject);
            if (i < 0)
            {
                return;
            }

            _alarms.RemoveAt(i);
            Stream.Publish(NodeEventKind.AlarmCleared, text, subject: subject, alarm: kind);
        }
    }

    public NodeEvent LinkUp(string link) => Stream.Publish(NodeEventKind.LinkUp, "peer heard on it again", subject: link);

    public NodeEvent LinkDown(string link) => Stream.Publish(NodeEventKind.LinkDown, "no authentic frame for the peer timeout", subject: link);

    public NodeEvent OutputsReleased(string reason) => Stream.Publish(NodeEventKind.OutputsReleased, reason, subject: "outputs");

    public NodeEvent OutputsFailed(string error) => Stream.Publish(NodeEventKind.OutputsFailed, error, subject: "outputs");

    /// <summary>A changing command taken from a caller (named by uid).</summary>
    public NodeEvent Command(string op, string what, int uid) => Stream.Publish(NodeEventKind.Command, what, subject: op, uid: uid);

    /// <summary>A stall of the runtime or a heartbeat thread.</summary>
    public NodeEvent Stall(string subject, string text) => Stream.Publish(NodeEventKind.Stall, text, subject: subject);

    public NodeEvent Storage(string text) => Stream.Publish(NodeEventKind.Storage, text, subject: "storage");
}
