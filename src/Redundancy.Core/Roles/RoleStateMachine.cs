using Redundancy.Core.Heartbeat;

namespace Redundancy.Core.Roles;

/// <summary>
/// Decides this node's role from what it hears. Pure: no I/O; time comes from the injected
/// <see cref="TimeProvider"/>, so every rule is tested by moving a fake clock.
/// </summary>
/// <remarks>
/// Owned by the engine thread: <see cref="OnFrame"/> only records, and only <see cref="Evaluate"/>,
/// <see cref="OnLocalFault"/> and <see cref="OnStopRequested"/> change the role. The engine must hand over
/// every frame already received before calling <see cref="Evaluate"/>, and say whether the links still hold
/// unread input, so that its own stall is never taken for the peer's silence.
/// </remarks>
public sealed partial class RoleStateMachine
{
    private readonly RoleOptions _options;
    private readonly TimeProvider _time;
    private readonly LinkMonitor[] _links;
    private readonly bool[] _linkAlarm;
    private readonly string[] _linkUpText;
    private readonly string[] _linkDownText;
    private readonly long[] _linkDownSince;
    private readonly Queue<AlarmChange> _alarms = new();
    private long _startedAt;
    private long _lastEvaluateAt;
    private long _listenUntil;
    private long _noActiveSince = -1;
    private long _lastSentAt;
    private bool _peerHeard;
    private long _echoedAt;
    private long _peerHeardAt;
    private HeartbeatFrame _peer;
    private bool _peerLostAlarm;
    private bool _interlockAlarm;
    private bool _unfencedAlarm;
    private bool _waitingAlarm;
    private bool _dualActiveAlarm;
    private long _yieldedUntil;
    private bool _rateAlarm;
    private readonly long[] _changes;
    private int _changeCount;

    /// <summary>Creates the machine in <see cref="Role.Starting"/> with the persisted epoch.</summary>
    public RoleStateMachine(RoleOptions options, TimeProvider time, ulong persistedEpoch)
    {
        _options = options;
        _time = time;
        Epoch = persistedEpoch;
        _startedAt = time.GetTimestamp();
        _lastEvaluateAt = _startedAt;
        _listenUntil = _startedAt;
        _links = options.LinkNames.Select(n => new LinkMonitor(n, time, options.PeerTimeout)).ToArray();
        _linkAlarm = new bool[_links.Length];
        // Made once: the engine evaluates on a real-time thread that must not allocate in steady state.
        _linkUpText = _links.Select(l => $"{l.Name} link carries heartbeats again").ToArray();
        _linkDownText = _links.Select(l => $"redundancy degraded: {l.Name} link down").ToArray();
        _linkDownSince = Enumerable.Repeat(_startedAt, _links.Length).ToArray();
        _changes = new long[Math.Max(1, options.RoleChangeLimit)];
    }

    /// <summary>
    /// The node starts hearing and sending now: the start-up window, the evaluation gap and each link's silence count
    /// from here. Called once by the engine as it starts its threads, before the first frame or evaluation. The host
    /// builds the machine well before that (storage, sockets, the rest of the agent); counted from construction, a
    /// slow start (450 ms under a loaded CI box) used up the whole window before a frame was sent, and a restarted
    /// standby with solo start went active beside a live active.
    /// </summary>
    public void Begin()
    {
        if (Role != Role.Starting)
        {
            throw new InvalidOperationException($"the machine has already begun: it is {Role}");
        }

        _startedAt = _time.GetTimestamp();
        _lastEvaluateAt = _startedAt;
        _listenUntil = _startedAt;
        Array.Fill(_linkDownSince, _startedAt);
        foreach (var link in _links)
        {
            link.Begin();
        }
    }

    /// <summary>The current role.</summary>
    public Role Role { get; private set; } = Role.Starting;

    /// <summary>The current epoch: the generation of the newest takeover this node knows it made.</summary>
    public ulong Epoch { get; private set; }

    /// <summary>The heartbeat links as this node judges them.</summary>
    public IReadOnlyList<LinkMonitor> Links => _links;

    /// <summary>Whether a fresh frame of the peer (one that echoed ours) was heard within the peer timeout.</summary>
    public bool PeerFresh => IsFresh(_time.GetTimestamp());

    /// <summary>The newest frame heard from the peer (default when none).</summary>
    public HeartbeatFrame Peer => _peer;

    /// <summary>Link health bits for this node's own heartbeats.</summary>
    public HealthFlags LinkHealth
    {
        get
        {
            var flags = HealthFlags.None;
            for (var i = 0; i < _links.Length; i++)
            {
                if (!_links[i].IsUp)
                {
                    flags |= _links[i].Name == "serial" ? HealthFlags.SerialLinkDown : HealthFlags.UdpLinkDown;
                }
            }

            if (_yieldedUntil > 0 && _time.GetTimestamp() < _yieldedUntil)
            {
                flags |= HealthFlags.YieldedToPeer;
            }

            if (PairInMaintenance)
            {
                flags |= HealthFlags.Maintenance;
            }

            if (HandingOver)
            {
                flags |= _handoverForced ? HealthFlags.HandingOver | HealthFlags.HandoverForced : HealthFlags.HandingOver;
            }
            else if (RequestingHandover)
            {
                flags |= _requestForced ? HealthFlags.RequestsHandover | HealthFlags.HandoverForced : HealthFlags.RequestsHandover;
            }

            return flags;
        }
    }

    /// <summary>
    /// Records a fresh frame of the peer on link <paramref name="link"/>: authentic, not replayed, and echoing a recent
    /// frame of ours, so it proves the peer alive at <paramref name="receivedAt"/> (see <see cref="SentFrames.IsFresh(in HeartbeatFrame, long, long)"/>).
    /// Only such frames count as the peer being heard, and,
    /// with <paramref name="echoed"/> false, frames of <see cref="Evidence.Known"/>: new frames of an instance that proved
    /// fresh moments ago (a live peer that no longer hears us; it raises an alarm).
    /// </summary>
    public void OnFrame(int link, in HeartbeatFrame frame, long receivedAt, bool echoed = true)
    {
        if (echoed)
        {
            _echoedAt = Math.Max(_echoedAt, receivedAt);
        }
        else
        {
            _unverifiedStream.Record(receivedAt, 1);
        }

        _links[link].OnFrame(receivedAt);
        if (!_peerHeard || frame.Instance != _peer.Instance || frame.Counter > _peer.Counter)
        {
            _peer = frame;
            NotePeerMaintenance(frame);
        }

        if (!_peerHeard || receivedAt > _peerHeardAt)
        {
            _peerHeardAt = receivedAt;
        }

        _peerHeard = true;
    }

    /// <summary>
    /// Records when this node last sent a heartbeat on any link (an attempt counts: this is about our own
    /// liveness, not the links'). The peer counts its timeout from our last frame, so the active's lease does too.
    /// </summary>
    public void OnHeartbeatSent(long sentAt)
    {
        if (sentAt > _lastSentAt)
        {
            _lastSentAt = sentAt;
        }
    }

    /// <summary>Takes the next alarm change, if any.</summary>
    public bool TryDequeueAlarm(out AlarmChange alarm) => _alarms.TryDequeue(out alarm);

    /// <summary>
    /// Applies the rules at the current time. <paramref name="inputPending"/>: a link still holds bytes
    /// not yet handed over; <paramref name="interlock"/>: what the "peer active" input reads now.
    /// </summary>
    public Decision Evaluate(bool inputPending, InterlockInput interlock)
    {
        var now = _time.GetTimestamp();
        var gap = _time.GetElapsedTime(_lastEvaluateAt, now);
        _lastEvaluateAt = now;
        if (_duplicate is not null && Role is not (Role.Faulted or Role.Stopping))
        {
            Raise(ref _duplicateAlarm, AlarmKind.DuplicateNodeId, "peer", _duplicate);
            return Change(Role.Faulted, DecisionKind.BecomeFaulted, Epoch, _duplicate, null);
        }

        var silentFor = _lastSentAt == 0 ? TimeSpan.Zero : _time.GetElapsedTime(_lastSentAt, now);
        if (gap > _options.PeerTimeout || silentFor > _options.PeerTimeout - _options.LeaseMargin)
        {
            // Leases, not beliefs: a node whose loop stood still, or whose last heartbeat is nearly a peer timeout
            // old, may already have been replaced. Release first, then learn the peer afresh before any takeover.
            _listenUntil = now + Ticks(_options.PeerTimeout);
            if (Role == Role.Active)
            {
                var stalled = gap > silentFor ? gap : silentFor;
                return Change(Role.Standby, DecisionKind.BecomeStandby, Epoch,
                    $"own engine stalled for {stalled.TotalMilliseconds:F0} ms (last heartbeat sent {silentFor.TotalMilliseconds:F0} ms ago): lease expired, the peer may have taken over", null);
            }
        }

        EvaluateLinks(now);
        var fresh = IsFresh(now);
        var misconfigured = UpdateMisconfiguredPeerAlarm(now); // the alarm stands in every role

        UpdatePeerLostAlarm(fresh, !fresh && misconfigured);
        EvaluateEvidenceAlarms(now, fresh);
        if (Role != Role.Active)
        {
            Clear(ref _dualActiveAlarm, AlarmKind.DualActive, "peer", "this node no longer drives");
            ClearWitnessLostOffActive(now, fresh);
        }

        return Role switch
        {
            Role.Starting => EvaluateStarting(now, fresh, misconfigured, inputPending, interlock),
            Role.Standby => EvaluateStandby(now, fresh, misconfigured, inputPending, interlock),
            Role.Active => EvaluateActive(now, fresh, interlock),
            _ => Decision.None,
        };
    }

    /// <summary>A local fault (outputs, storage): the node goes Faulted and never takes over.</summary>
    public Decision OnLocalFault(string reason) =>
        Role is Role.Faulted or Role.Stopping
            ? Decision.None
            : Change(Role.Faulted, DecisionKind.BecomeFaulted, Epoch, reason, null);

    /// <summary>Shutdown requested: the node releases outputs and announces Stopping.</summary>
    public Decision OnStopRequested(string reason) =>
        Role == Role.Stopping ? Decision.None : Change(Role.Stopping, DecisionKind.BecomeStopping, Epoch, reason, null);

    /// <summary>How long the engine may wait before the rules need evaluating again.</summary>
    public TimeSpan UntilNextDeadline()
    {
        var now = _time.GetTimestamp();
        var next = long.MaxValue;
        if (Role == Role.Starting)
        {
            next = Math.Min(next, _startedAt + Ticks(_options.StartupWindow));
        }

        if (_peerHeard)
        {
            next = Math.Min(next, _peerHeardAt + Ticks(_options.PeerTimeout) + 1);
            if (Role == Role.Standby && _peerHeardAt + Ticks(_options.PeerTimeout + _options.DrainBound) + 1 > now)
            {
                next = Math.Min(next, _peerHeardAt + Ticks(_options.PeerTimeout + _options.DrainBound) + 1);
            }
        }

        foreach (var link in _links)
        {
            if (link.DownDeadline(now) is { } d)
            {
                next = Math.Min(next, d);
            }
        }

        if (_listenUntil > now)
        {
            next = Math.Min(next, _listenUntil);
        }

        // Never longer than half the peer timeout: a longer wait would itself look like a stall.
        var cap = _options.PeerTimeout / 2;
        if (next == long.MaxValue)
        {
            return cap;
        }

        var wait = _time.GetElapsedTime(now, Math.Max(now, next));
        return wait < cap ? wait : cap;
    }

    private Decision EvaluateStarting(long now, bool fresh, bool misconfigured, bool inputPending, InterlockInput interlock)
    {
        if (fresh && _peer.Role == Role.Active)
        {
            return Change(Role.Standby, DecisionKind.BecomeStandby, Epoch,
                $"active peer (node {_peer.NodeId}, epoch {_peer.Epoch}) heard during start-up", null);
        }

        if (_time.GetElapsedTime(_startedAt, now) < _options.StartupWindow)
        {
            return Decision.None;
        }

        if (fresh)
        {
            if (_peer.Role is Role.Faulted or Role.Stopping or Role.Maintenance || PreferredOverPeer())
            {
                return interlock == InterlockInput.PeerDriving
                    ? Withhold()
                    : TakeOver($"start-up: pair formed and this node is preferred (peer node {_peer.NodeId} is {_peer.Role})", null);
            }

            return Change(Role.Standby, DecisionKind.BecomeStandby, Epoch,
                $"start-up: pair formed, peer node {_peer.NodeId} is preferred", null);
        }

        if (inputPending && _time.GetElapsedTime(_startedAt, now) <= _options.StartupWindow + _options.DrainBound)
        {
            return Decision.None; // frames waiting may be an active peer's, but only for a bounded drain
        }

        if (misconfigured)
        {
            Clear(ref _waitingAlarm, AlarmKind.WaitingForPeer, "peer", "frames of a misconfigured peer arrive (see its alarm)");
            return Decision.None;
        }

        if (!StartsAlone)
        {
            Raise(ref _waitingAlarm, AlarmKind.WaitingForPeer, "peer",
                "start-up window over and no peer heard; solo start is off, waiting for the peer (or for 'redundancyctl release-startup')");
            return Decision.None;
        }

        if (interlock == InterlockInput.PeerDriving)
        {
            return Withhold();
        }

        return TakeOver(AloneReason("start-up window over with no peer heard on any link: solo start"), null);
    }

    private Decision EvaluateStandby(long now, bool fresh, bool misconfigured, bool inputPending, InterlockInput interlock)
    {
        if (HandingOver && EvaluateHandingOver(now, fresh) is { } handingOver)
        {
            return handingOver;
        }

        if (fresh && _peer.Role == Role.Standby && (_peer.Health & HealthFlags.HandingOver) != 0)
        {
            return AcceptHandover(now, interlock);
        }

        ClearHandoverRefused();
        if (fresh)
        {
            Clear(ref _interlockAlarm, AlarmKind.InterlockBlocksTakeover, "peer", "peer heard again");
            if (_peer.Role == Role.Active)
            {
                _noActiveSince = -1;
                return Decision.None;
            }

            if (_peer.Role is Role.Stopping or Role.Faulted)
            {
                return interlock == InterlockInput.PeerDriving
                    ? Withhold()
                    : TakeOver($"peer node {_peer.NodeId} announced {_peer.Role}", _time.GetElapsedTime(_peerHeardAt, now));
            }

            // Neither node is active (both standby, or the peer still starting or in maintenance):
            // after a peer timeout of that, the preferred node takes over.
            if (_noActiveSince < 0)
            {
                _noActiveSince = now;
            }

            var peerWillNot = _peer.Role == Role.Maintenance;
            if (now < _listenUntil || _time.GetElapsedTime(_noActiveSince, now) <= _options.PeerTimeout
                || (!peerWillNot && !PreferredOverPeer()))
            {
                return Decision.None;
            }

            return interlock == InterlockInput.PeerDriving
                ? Withhold()
                : TakeOver($"no active node in the pair and this node is preferred over node {_peer.NodeId}", null);
        }

        _noActiveSince = -1;
        if (now < _listenUntil)
        {
            // Still re-learning the peer after our own stall.
            return Decision.None;
        }

        // Frames waiting to be read may be the peer's: wait for them, but only for a bounded drain past the moment the
        // takeover fell due, so that a flood of datagrams cannot hold it off.
        var due = _peerHeard ? _peerHeardAt + Ticks(_options.PeerTimeout) : _listenUntil;
        if (inputPending && now <= due + Ticks(_options.DrainBound))
        {
            return Decision.None;
        }

        if (interlock == InterlockInput.PeerDriving)
        {
            return Withhold();
        }

        if (misconfigured)
        {
            return Decision.None;
        }

        if (!_peerHeard)
        {
            // No peer since start (a solo node that stepped down after its own stall): only solo start may
            // make it active again, as at start-up.
            return StartsAlone
                ? TakeOver(AloneReason("no peer heard since start and the listen window is over: solo start"), null)
                : Decision.None;
        }

        var silence = _time.GetElapsedTime(_peerHeardAt, now);
        return TakeOver($"peer node {_peer.NodeId} silent on all links for {silence.TotalMilliseconds:F0} ms", silence);
    }

    /// <summary>A role change. <paramref name="countsForRate"/>: false for a switchover's two changes, asked for by hand:
    /// a drill or a planned switchover must not hold the automatic takeover of a real failure that follows it.</summary>
    private Decision Change(Role to, DecisionKind kind, ulong epoch, string reason, TimeSpan? detection, bool countsForRate = true)
    {
        var from = Role;
        Role = to;
        Epoch = epoch;
        if (from == Role.Starting && _waitingAlarm)
        {
            // The wait for the peer is over whichever way start-up ended (before, only a takeover cleared it, and a
            // node that joined as standby showed "waiting for the peer" for good).
            Clear(ref _waitingAlarm, AlarmKind.WaitingForPeer, "peer", $"start-up over: this node became {to}");
        }

        if (to != Role.Standby)
        {
            _handoverUntil = 0; // any other change ends a handover (a fault, a stop, the resume itself)
            _requestUntil = 0; // and a request for one (this node took over, or cannot any more)
        }

        if (countsForRate)
        {
            _changes[_changeCount++ % _changes.Length] = _time.GetTimestamp();
        }

        return new Decision(kind, from, to, epoch, reason, detection);
    }

    private bool PreferredOverPeer() =>
        RoleOptions.Prefers(_options.Priority, _options.NodeId, _peer.Priority, _peer.NodeId);

    private bool IsFresh(long now) => _peerHeard && _time.GetElapsedTime(_peerHeardAt, now) <= _options.PeerTimeout;

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);
}
