using Redundancy.Core.Heartbeat;

namespace Redundancy.Core.Roles;

/// <summary>
/// Graceful switchover: the active checks that it may hand over, steps down with <see cref="HealthFlags.HandingOver"/>
/// in its frames, and the standby that hears it takes over at once. Nobody is left without a decision when the frames
/// are lost: the standby that hears nothing of the old active takes over by the ordinary silence rule, and the old
/// active resumes when its peer has not taken over within <see cref="HandoverTimeout"/>.
/// </summary>
public sealed partial class RoleStateMachine
{
    private long _handoverUntil;
    private ulong _handoverEpoch;
    private bool _handoverForced;
    private int _handoverUid = -1;
    private bool _handoverRefusedAlarm;
    private long _requestUntil;
    private bool _requestForced;
    private int _requestUid = -1;
    private bool _peerRequestTaken;

    /// <summary>
    /// How long a node that handed over waits for its peer to be heard active before it resumes: two peer timeouts,
    /// so that a peer that heard none of the handover frames has taken over by the silence rule first (and is heard
    /// active) whenever its frames still reach this node.
    /// </summary>
    public TimeSpan HandoverTimeout => _options.PeerTimeout * 2;

    /// <summary>Whether this node handed over and waits for the peer to take over.</summary>
    public bool HandingOver => _handoverUntil > 0;

    /// <summary>Whether this standby asks its peer to hand over (until it is active or the request times out).</summary>
    public bool RequestingHandover => _requestUntil > 0 && _time.GetTimestamp() < _requestUntil;

    /// <summary>The uid of the caller of the switchover in progress (handing over, or asking for it), or -1.</summary>
    public int HandoverUid => HandingOver ? _handoverUid : RequestingHandover ? _requestUid : -1;

    /// <summary>How long a standby asks for a handover before it gives up: the active's pause and check of the
    /// standby's changes are bounded well within it.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(3);

    /// <summary>The last change this node holds (the engine keeps it current): a handover needs every change the
    /// active announced.</summary>
    public ulong LocalApplied { get; set; }

    /// <summary>Why a switchover cannot start on this node now, or null when it can. <paramref name="force"/> overrides
    /// the peer's readiness only.</summary>
    public string? SwitchoverProblem(bool force)
    {
        if (Role != Role.Active)
        {
            return $"this node is {Role}, not Active: a switchover is run on the active node";
        }

        if (HandingOver)
        {
            return "a switchover is already in progress";
        }

        if (PairInMaintenance)
        {
            return "the pair is in maintenance: turn it off first (redundancyctl maintenance off); --force does not override it";
        }

        if (!PeerFresh)
        {
            return "the peer is not heard on any link: there is no standby to hand over to";
        }

        if (_peer.Role != Role.Standby)
        {
            return $"peer node {_peer.NodeId} is {_peer.Role}, not Standby";
        }

        if ((_peer.Health & HealthFlags.OutputsFault) != 0)
        {
            // A failed database makes a node Faulted (refused above); its outputs are what it must be able to drive.
            return $"peer node {_peer.NodeId} reports a fault of its outputs: it cannot take over";
        }

        if (!force && _peer.Readiness != Readiness.Hot)
        {
            return $"peer node {_peer.NodeId} is {Words(_peer.Readiness)}, not hot: it may lack changes; wait until it is hot, or use --force";
        }

        return null;
    }

    /// <summary>Why this standby cannot ask its active peer to hand over to it now, or null. <paramref name="ownReadiness"/>:
    /// this node's replica; <paramref name="force"/> overrides it only.</summary>
    public string? RequestProblem(bool force, Readiness ownReadiness)
    {
        if (Role != Role.Standby)
        {
            return $"this node is {Role}: a switchover is run on the active node, or on a standby to take over";
        }

        if (PairInMaintenance)
        {
            return "the pair is in maintenance: turn it off first (redundancyctl maintenance off); --force does not override it";
        }

        if (!PeerFresh || _peer.Role != Role.Active)
        {
            return PeerFresh ? $"peer node {_peer.NodeId} is {_peer.Role}, not Active: there is nothing to switch over" : "the peer is not heard on any link";
        }

        if (RequestingHandover)
        {
            return "a switchover is already in progress";
        }

        if (!force && ownReadiness != Readiness.Hot)
        {
            return $"this node is {Words(ownReadiness)}, not hot: it may lack changes; wait until it is hot, or use --force";
        }

        return null;
    }

    /// <summary>Asks the active peer to hand over to this standby: announced in every frame until this node is active or
    /// <see cref="RequestTimeout"/> passes. False when <see cref="RequestProblem"/> has a reason.</summary>
    public bool RequestHandover(int uid, bool force, Readiness ownReadiness)
    {
        if (RequestProblem(force, ownReadiness) is not null)
        {
            return false;
        }

        _requestUntil = _time.GetTimestamp() + Ticks(RequestTimeout);
        _requestUid = uid;
        _requestForced = force;
        return true;
    }

    /// <summary>Takes the peer's request for a handover, once per request: true when the standby peer asks this active
    /// node to hand over (the engine then runs the switchover as if commanded here).</summary>
    public bool TakeHandoverRequest(out int uid, out bool force)
    {
        var asking = Role == Role.Active && PeerFresh && _peer.Role == Role.Standby && (_peer.Health & HealthFlags.RequestsHandover) != 0;
        uid = asking ? _peer.HandoverUid : -1;
        force = asking && (_peer.Health & HealthFlags.HandoverForced) != 0;
        if (!asking)
        {
            _peerRequestTaken = false;
            return false;
        }

        if (_peerRequestTaken)
        {
            return false;
        }

        _peerRequestTaken = true;
        return true;
    }

    /// <summary>
    /// Hands over to the peer: this node becomes Standby (the engine releases the outputs first), and its frames say
    /// so with <see cref="HealthFlags.HandingOver"/> until the peer is heard active or <see cref="HandoverTimeout"/>
    /// passes. None when <see cref="SwitchoverProblem"/> has a reason (the caller asks it first).
    /// </summary>
    public Decision HandOver(int uid, bool force, string reason)
    {
        if (SwitchoverProblem(force) is not null)
        {
            return Decision.None;
        }

        _handoverUntil = _time.GetTimestamp() + Ticks(HandoverTimeout);
        _handoverEpoch = Epoch;
        _handoverForced = force;
        _handoverUid = uid;
        return Change(Role.Standby, DecisionKind.BecomeStandby, Epoch, reason, null, countsForRate: false);
    }

    /// <summary>
    /// The step-down of a handover is announced now (the engine calls it as the frames first say so): the wait for the
    /// peer counts from here, not from <see cref="HandOver"/>. The announcement may wait for slow effects (the system
    /// IP's removal, up to one peer timeout), and the peer cannot take over before it hears the handover: counted from
    /// the command, a starved peer had less than one timeout left, and the old active resumed beside it.
    /// </summary>
    public void HandoverAnnounced()
    {
        if (HandingOver)
        {
            _handoverUntil = _time.GetTimestamp() + Ticks(HandoverTimeout);
        }
    }

    /// <summary>The node that handed over: done when the peer is heard active in a newer epoch; resumes when it is not
    /// within the timeout. Null while the ordinary rules apply.</summary>
    private Decision? EvaluateHandingOver(long now, bool fresh)
    {
        if (fresh && _peer.Role == Role.Active && _peer.Epoch > _handoverEpoch)
        {
            _handoverUntil = 0; // the peer took over: the ordinary standby rules from here
            return null;
        }

        if (now < _handoverUntil)
        {
            return Decision.None; // waiting for the peer; no other takeover rule while this node's handover stands
        }

        _handoverUntil = 0;
        var what = fresh ? $"peer node {_peer.NodeId} is still {_peer.Role}" : $"peer node {_peer.NodeId} is not heard";
        return TakeOver($"switchover not confirmed within {HandoverTimeout.TotalMilliseconds:F0} ms ({what}): this node resumes as active", null, byHand: true);
    }

    /// <summary>The standby hears its peer hand over: takes over at once when it holds every change the peer announced
    /// (or the handover is forced) and the interlock does not say the peer still drives.</summary>
    private Decision AcceptHandover(long now, InterlockInput interlock)
    {
        var forced = (_peer.Health & HealthFlags.HandoverForced) != 0;
        if (!forced && LocalApplied < _peer.LastAppliedSequence)
        {
            if (!_handoverRefusedAlarm)
            {
                Raise(ref _handoverRefusedAlarm, AlarmKind.HandoverRefused, "peer",
                    $"peer node {_peer.NodeId} hands over with changes up to {_peer.LastAppliedSequence} but this node holds only up to {LocalApplied}: not taking over; the peer resumes");
            }

            return Decision.None;
        }

        if (interlock == InterlockInput.PeerDriving)
        {
            if (!_handoverRefusedAlarm)
            {
                Raise(ref _handoverRefusedAlarm, AlarmKind.HandoverRefused, "peer",
                    $"peer node {_peer.NodeId} hands over but its 'I am active' line is still high: not taking over while it may be driving; the peer resumes");
            }

            return Decision.None;
        }

        Clear(ref _handoverRefusedAlarm, AlarmKind.HandoverRefused, "peer", "took over from the handover");
        var caller = Commands.Callers.AskedBy(_peer.HandoverUid);
        return TakeOver(
            $"switchover: peer node {_peer.NodeId} handed over at epoch {_peer.Epoch}{(forced ? " (forced)" : string.Empty)}, {caller}",
            _time.GetElapsedTime(_peerHeardAt, now),
            byHand: true);
    }

    private static string Words(Readiness readiness) => readiness switch
    {
        Readiness.Hot => "hot",
        Readiness.Warm => "warm (catching up)",
        _ => "not ready (no usable replica)",
    };

    private void ClearHandoverRefused()
    {
        if (_handoverRefusedAlarm)
        {
            Clear(ref _handoverRefusedAlarm, AlarmKind.HandoverRefused, "peer", "the peer no longer hands over");
        }
    }
}
