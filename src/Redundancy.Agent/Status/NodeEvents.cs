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
    /// <summary>State writes of one caller within this window after its first are told in one event.</summary>
    public static readonly TimeSpan WriteWindow = TimeSpan.FromSeconds(1);

    private readonly List<AlarmStatus> _alarms = [];
    private readonly Lock _gate = new();
    private readonly Dictionary<int, WriteWindowState> _writes = [];
    private ITimer? _writeTimer;
    private TakeoverStatus? _lastTakeover;
    private int _roleChanges;

    public NodeEvents(EventStream stream, TimeProvider time)
    {
        Stream = stream;
        _time = time;
    }

    private readonly TimeProvider _time;

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

    /// <summary>
    /// A state write (set or delete) taken from a caller, named by uid. A control application writes thousands a
    /// second: each caller's first write is an event of its own, the writes that follow within
    /// <see cref="WriteWindow"/> are told together in one event at the window's end (how many, which sequence
    /// numbers, the last key), so writes never push the role changes and alarms out of the ring.
    /// </summary>
    public void StateWritten(string op, int uid, string key, ulong epoch, ulong sequence)
    {
        lock (_gate)
        {
            if (!_writes.TryGetValue(uid, out var w))
            {
                Stream.Publish(NodeEventKind.Command, $"{op} {key}: change {sequence} in epoch {epoch}", subject: op, uid: uid);
                _writes[uid] = new WriteWindowState();
                _writeTimer ??= _time.CreateTimer(_ => FlushWrites(), null, WriteWindow, Timeout.InfiniteTimeSpan);
                return;
            }

            w.Count++;
            w.First = w.Count == 1 ? sequence : w.First;
            w.Last = sequence;
            w.LastKey = key;
            w.LastOp = op;
        }
    }

    /// <summary>Ends every open write window: one event per caller that wrote more than its first write.</summary>
    public void FlushWrites()
    {
        lock (_gate)
        {
            foreach (var (uid, w) in _writes)
            {
                if (w.Count > 0)
                {
                    Stream.Publish(NodeEventKind.Command, $"{w.Count} more change(s) in {WriteWindow.TotalSeconds:F0} s, sequences {w.First}..{w.Last}, the last {w.LastOp} {w.LastKey}",
                        subject: "writes", uid: uid);
                }
            }

            _writes.Clear();
            _writeTimer?.Dispose();
            _writeTimer = null;
        }
    }

    /// <summary>A changing command taken from a caller (named by uid).</summary>
    public NodeEvent Command(string op, string what, int uid) => Stream.Publish(NodeEventKind.Command, what, subject: op, uid: uid);

    /// <summary>A stall of the runtime or a heartbeat thread.</summary>
    public NodeEvent Stall(string subject, string text) => Stream.Publish(NodeEventKind.Stall, text, subject: subject);

    public NodeEvent Storage(string text) => Stream.Publish(NodeEventKind.Storage, text, subject: "storage");

    private sealed class WriteWindowState
    {
        public long Count;
        public ulong First;
        public ulong Last;
        public string LastKey = string.Empty;
        public string LastOp = string.Empty;
    }
}
