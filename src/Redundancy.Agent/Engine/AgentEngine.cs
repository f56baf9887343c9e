using Microsoft.Extensions.Logging;
using Redundancy.Agent.State;
using Redundancy.Core.Configuration;
using Redundancy.Core.Heartbeat;
using Redundancy.Core.Roles;
using Redundancy.Edges.Links;
using Redundancy.Edges.Outputs;
using Redundancy.Edges.Scheduling;
using Redundancy.Edges.Storage;

namespace Redundancy.Agent.Engine;

/// <summary>
/// The engine loop: one dedicated thread that takes every received frame, asks the role state machine, and
/// carries out its decisions on the outputs in the safe order. Each link has its own receiving and sending
/// thread; none of them waits on disk, logging or anything else slow.
/// </summary>
internal sealed partial class AgentEngine : IDisposable
{
    private static readonly DropReason[] Reasons = Enum.GetValues<DropReason>();

    // What each kind of a misconfigured peer's frames is counted as by the receivers.
    private static readonly (ForeignFrameKind Kind, DropReason CountedAs)[] ForeignKinds =
        [(ForeignFrameKind.BadTag, DropReason.BadTag), (ForeignFrameKind.OtherPair, DropReason.OtherPair), (ForeignFrameKind.OtherVersion, DropReason.UnknownVersion)];
    private readonly AgentOptions _options;
    private readonly IReadOnlyList<IHeartbeatLink> _links;
    private readonly IOutputBank? _bank;
    private readonly StorageWorker? _storage;
    private readonly OutputValues _values;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly RoleStateMachine _machine;
    private readonly EngineInbox _inbox = new();
    private readonly List<LinkReceiver> _receivers = [];
    private readonly List<HeartbeatSender> _senders = [];
    private readonly List<Thread> _threads = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly ManualResetEventSlim _stopped = new(false);
    private readonly bool[] _linkWasUp;
    private readonly long[] _dropsSeen;
    private readonly long[] _foreignSeen;
    private readonly SentFrames _sent;
    private readonly TimeSpan[] _lateReported;
    private readonly RuntimePauses _pauses = new();
    private readonly SpinGuard? _guard;
    private int _collectorThreadsRaised;
    private TimeSpan _pauseReported;
    private long _loweringsReported;
    private int _drivenVersion;
    private volatile string? _storageFault;
    private volatile byte _activePeer;
    private long _peerLastApplied;
    private volatile PeerSeen? _peerSeen;
    private int _roleChanges;
    private int _realtimeWarned;
    private readonly string _node;
    private string? _startupFault;
    private Announcement _announcement;
    private readonly AnnouncementCache _announcements = new();
    private long _lastProgress;
    private long _nextLife;
    private long _nextHousekeeping;
    private long _nextStatus;
    private volatile bool _stopRequested;
    private int _disposed;

    public AgentEngine(
        AgentOptions options,
        byte[] key,
        IReadOnlyList<IHeartbeatLink> links,
        IOutputBank? bank,
        StorageWorker? storage,
        OutputValues values,
        uint boot,
        string? startupFault,
        ILogger logger,
        TimeProvider time)
    {
        _options = options;
        _links = links;
        _bank = bank;
        _storage = storage;
        _values = values;
        _startupFault = startupFault;
        _log = logger;
        _time = time;
        _node = options.NodeName;
        _machine = new RoleStateMachine(
            new RoleOptions(options.NodeId, options.Priority, options.PeerTimeout, options.StartupWindow,
                options.SoloStart, options.InterlockInputWired, links.Select(l => l.Name).ToArray())
            {
                LeaseMargin = options.HeartbeatInterval / 2,
                DrainBound = options.HeartbeatInterval / 2,
                PairId = options.PairId,
            },
            time,
            storage?.Store.Epoch ?? 0);
        _linkWasUp = new bool[links.Count];
        _dropsSeen = new long[links.Count * Reasons.Length];
        _foreignSeen = new long[links.Count * ForeignKinds.Length];
        _lateReported = new TimeSpan[links.Count];
        WatchStorage(storage);
        _announcement = new Announcement(Role.Starting, _machine.Epoch, Readiness.NotReady, StaticHealth());
        _lastProgress = time.GetTimestamp();
        _nextStatus = _lastProgress + (60 * time.TimestampFrequency);

        _guard = options.RealtimePriority > 0 && OperatingSystem.IsLinux() ? new SpinGuard(options.RealtimePriority) : null;
        // Each run sends as a new random instance; freshness comes from the peer echoing our recent frames, so no
        // ordering between runs is needed (a boot record that went backwards or was lost changes nothing).
        _sent = new SentFrames(SentFrames.NewInstance());
        var timeoutTicks = (long)(options.PeerTimeout.TotalSeconds * time.TimestampFrequency);
        var echo = new PeerEvidence(timeoutTicks * RoleOptions.IntervalsPerTimeout, timeoutTicks);
        for (var i = 0; i < links.Count; i++)
        {
            _receivers.Add(new LinkReceiver(i, links[i], key, options.PairId, options.NodeId, _inbox, _sent, echo, options.PeerTimeout, time));
            _senders.Add(new HeartbeatSender(links[i], key, options, _sent, echo, () => Volatile.Read(ref _announcement),
                () => Interlocked.Read(ref _lastProgress), () => storage?.Store.LastSequence ?? 0, time, _stopping.Token));
        }

        Log.Starting(_log, _node, options.PairId, options.NodeId, options.Priority, _machine.Epoch, boot, _sent.Instance.ToString("x16", System.Globalization.CultureInfo.InvariantCulture),
            string.Join(", ", links.Select(l => l.Name)));
    }

    /// <summary>The current role (for status and tests).</summary>
    public Role Role => Volatile.Read(ref _announcement).Role;

    /// <summary>Where this node's readiness comes from (replication); Hot when nothing replicates.</summary>
    public Func<Readiness>? ReadinessSource { get; set; }

    /// <summary>The last change the peer announced it applied (0 when not heard).</summary>
    public ulong PeerLastApplied => (ulong)Interlocked.Read(ref _peerLastApplied);

    /// <summary>The peer's node id while it is heard active, else 0.</summary>
    public byte ActivePeer => _activePeer;

    private void Run()
    {
        var halfInterval = _options.HeartbeatInterval / 2;
        _nextLife = _time.GetTimestamp();
        if (_startupFault is not null)
        {
            Execute(_machine.OnLocalFault(_startupFault));
        }

        while (!_stopping.IsCancellationRequested)
        {
            if (_stopRequested)
            {
                Execute(_machine.OnStopRequested("agent stopping (SIGTERM or Ctrl-C)"));
                Interlocked.Exchange(ref _lastProgress, _time.GetTimestamp());
                _stopped.Set();
                return;
            }

            try
            {
                Iterate();
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException or StorageException)
            {
                Fault($"engine: {ex.Message}");
            }

            var wait = _machine.UntilNextDeadline();
            if (wait > halfInterval)
            {
                wait = halfInterval;
            }

            // Never spin, even with input pending: a real-time thread that does not block starves the receivers
            // that would deliver that input (on a single core, forever).
            AllocationProbe.Sample();
            _inbox.Wake.WaitOne(Math.Max(1, (int)Math.Ceiling(wait.TotalMilliseconds)));
        }
    }

    private void Iterate()
    {
        CheckStorage();

        while (_inbox.TryTake(out var f))
        {
            switch (f.Evidence)
            {
                case FrameEvidence.Fresh:
                    _machine.OnFrame(f.Link, f.Frame, f.ReceivedAt);
                    break;
                case FrameEvidence.Known:
                    _machine.OnFrame(f.Link, f.Frame, f.ReceivedAt, echoed: false);
                    break;
                case FrameEvidence.Unverified:
                    _machine.OnUnverifiedFrame(f.Link, f.Frame, f.ReceivedAt);
                    break;
                default:
                    _machine.OnDuplicateNode(f.Frame);
                    break;
            }
        }

        ReportForeignFrames();

        var pending = !_inbox.IsEmpty;
        for (var i = 0; i < _links.Count; i++)
        {
            pending |= _links[i].HasPendingInput; // indexed: foreach over the interface would box an enumerator
        }

        foreach (var sender in _senders)
        {
            _machine.OnHeartbeatSent(sender.LastSentAt);
        }

        var interlock = _bank?.ReadInterlock() ?? InterlockInput.NotWired;
        var decision = _machine.Evaluate(pending, interlock);
        _activePeer = _machine.PeerFresh && _machine.Peer.Role == Role.Active ? _machine.Peer.NodeId : (byte)0;
        Interlocked.Exchange(ref _peerLastApplied, (long)_machine.Peer.LastAppliedSequence);
        var seen = _peerSeen;
        var fresh = _machine.PeerFresh;
        if (!fresh && seen is not null)
        {
            _peerSeen = null;
        }
        else if (fresh && (seen is null || seen.Role != _machine.Peer.Role || seen.Readiness != _machine.Peer.Readiness))
        {
            _peerSeen = PeerSeen.Of(_machine.Peer.Role, _machine.Peer.Readiness); // made once each: no garbage here
        }
        if (decision.IsChange)
        {
            Execute(decision);
        }

        while (_machine.TryDequeueAlarm(out var alarm))
        {
            if (alarm.Raised)
            {
                Log.AlarmRaised(_log, _node, alarm.Kind.ToString(), alarm.Subject, alarm.Text);
            }
            else
            {
                Log.AlarmCleared(_log, _node, alarm.Kind.ToString(), alarm.Subject, alarm.Text);
            }
        }

        if (_machine.Role == Role.Active && _bank is not null && _values.Version != _drivenVersion)
        {
            // The control application changed an output: drive it (the value is already committed).
            _drivenVersion = _values.Version;
            for (var i = 0; i < _options.Outputs.Count; i++)
            {
                _bank.Drive(i, _values[i]);
            }
        }

        var now = _time.GetTimestamp();
        if (_machine.Role == Role.Active && now >= _nextLife)
        {
            // The life signal is the engine loop's own pulse: it retriggers the watchdog relay only while
            // this loop runs, and only after the stall check above has had its say.
            _bank?.ToggleLife();
            _nextLife = now + (long)(_options.HeartbeatInterval.TotalSeconds / 2 * _time.TimestampFrequency);
        }

        Interlocked.Exchange(ref _lastProgress, now);
        PublishIfChanged();
        if (now >= _nextHousekeeping)
        {
            _nextHousekeeping = now + _time.TimestampFrequency;
            ReportLinks();
        }
        else
        {
            ReportLinkChanges();
        }
    }

    /// <summary>Hands the machine the frames of a misconfigured peer (bad tag, another pair id) counted since last time.</summary>
    private void ReportForeignFrames()
    {
        var now = _time.GetTimestamp();
        for (var i = 0; i < _links.Count; i++)
        {
            var counters = _links[i].Counters;
            for (var k = 0; k < ForeignKinds.Length; k++)
            {
                var (kind, countedAs) = ForeignKinds[k];
                var slot = (i * ForeignKinds.Length) + k;
                var total = counters.Dropped(countedAs);
                var detail = kind == ForeignFrameKind.OtherPair ? _receivers[i].LastOtherPairId : _receivers[i].LastOtherVersion;
                _machine.OnForeignFrames(i, kind, total - _foreignSeen[slot], now, detail);
                _foreignSeen[slot] = total;
            }
        }
    }

    private void PublishIfChanged()
    {
        var a = _announcement;
        var health = _machine.LinkHealth | StaticHealth();
        if (a.Role != _machine.Role || a.Epoch != _machine.Epoch || a.Health != health || a.Readiness != CurrentReadiness())
        {
            Publish();
        }
    }

    private void Publish()
    {
        var old = _announcement;
        var next = _announcements.For(_machine.Role, _machine.Epoch, CurrentReadiness(), _machine.LinkHealth | StaticHealth());
        Volatile.Write(ref _announcement, next);
        if (old.Role != next.Role)
        {
            foreach (var s in _senders)
            {
                s.Kick.Set();
            }
        }
    }

    private Readiness CurrentReadiness() =>
        _storage is null || _storageFault is not null ? Readiness.NotReady : ReadinessSource?.Invoke() ?? Readiness.Hot;

    private HealthFlags StaticHealth()
    {
        var h = HealthFlags.None;
        if (_options.InterlockInputWired)
        {
            h |= HealthFlags.InterlockWired;
        }

        if (_options.Watchdog is not null)
        {
            h |= HealthFlags.WatchdogWired;
        }

        if (_bank is null)
        {
            h |= HealthFlags.OutputsFault;
        }

        if (_storage is null || _storageFault is not null)
        {
            h |= HealthFlags.StorageFault;
        }

        return h;
    }
}
