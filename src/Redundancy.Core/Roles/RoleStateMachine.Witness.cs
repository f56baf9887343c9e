using Redundancy.Core.Witness;

namespace Redundancy.Core.Roles;

/// <summary>
/// The witness (docs/witness.md): with one configured, a takeover that nothing else fences (the peer silent on every
/// link) needs this node to hold the witness's lease; an active whose peer is silent releases at once when the witness
/// says the other node holds the lease, and, cut off from both the peer and the witness past its own lease, does what
/// <see cref="RoleOptions.ReleaseWhenIsolated"/> says. The witness client is slow I/O on its own loop: its verdicts come
/// here as inputs (<see cref="OnWitness"/>), never from the engine thread's own waits.
/// </summary>
public sealed partial class RoleStateMachine
{
    private WitnessView _witness;
    private bool _witnessBlocksAlarm;
    private bool _witnessLostAlarm;
    private long _witnessLostSince;
    private bool _witnessUnreachableAlarm;
    private long _activeSince;

    /// <summary>The newest verdict of the witness client.</summary>
    public void OnWitness(in WitnessView view) => _witness = view;

    /// <summary>Whether a witness is configured.</summary>
    public bool HasWitness => _options.WitnessLease is not null;

    /// <summary>Whether this node holds the witness's lease now.</summary>
    public bool HoldsWitnessLease => HasWitness && _time.GetTimestamp() < _witness.HeldUntil;

    /// <summary>Whether the witness client should ask for the lease: always while active (the active keeps it
    /// renewed), and while standby or starting once the peer is silent for half the timeout (so the challenge is done
    /// by the time the peer is declared gone). Never while the peer is heard: a standby must not take the lease from a
    /// live active.</summary>
    public bool WantsWitnessLease
    {
        get
        {
            if (!HasWitness || Role is Role.Faulted or Role.Stopping)
            {
                return false;
            }

            if (Role == Role.Active)
            {
                return true;
            }

            var now = _time.GetTimestamp();
            return !_peerHeard
                ? _time.GetElapsedTime(_startedAt, now) >= _options.StartupWindow / 2
                : _time.GetElapsedTime(_peerHeardAt, now) >= _options.PeerTimeout / 2;
        }
    }

    /// <summary>A takeover on silence without the lease: held, with the alarm naming why. Null: the witness allows it
    /// (or none is configured).</summary>
    private Decision? WitnessHolds(string reason, long now)
    {
        if (_options.WitnessTcpTarget)
        {
            return TargetHolds(reason, now);
        }

        if (!HasWitness || now < _witness.HeldUntil)
        {
            Clear(ref _witnessBlocksAlarm, AlarmKind.WitnessBlocksTakeover, "witness", "the witness granted this node the lease");
            return null;
        }

        if (!_witnessBlocksAlarm)
        {
            var why = _witness.LastAnswerAt == 0 || _time.GetElapsedTime(_witness.LastAnswerAt, now) > _options.WitnessLease!.Value
                ? "the witness does not answer"
                : _witness.Holder != 0 ? $"the witness says node {_witness.Holder} holds the lease" : "the witness has not granted the lease yet";
            Raise(ref _witnessBlocksAlarm, AlarmKind.WitnessBlocksTakeover, "witness",
                $"a takeover is due ({reason}), but {why}: not taking over without the lease (the peer may be alive and cut off from this node only)");
        }

        return Decision.None;
    }

    /// <summary>The TCP target's rule (<see cref="RoleOptions.WitnessTcpTarget"/>): a takeover on silence needs a
    /// connection to the target that began after the peer's last frame (so this node is not the one cut off) and
    /// within the last <see cref="RoleOptions.WitnessLease"/>. It proves nothing about the peer: the takeover stays
    /// unfenced (herald, hold, <c>UnfencedTakeover</c>), and a peer that reaches the target too may still drive.</summary>
    private Decision? TargetHolds(string reason, long now)
    {
        var reached = _witness.LastAnswerAt;
        if (reached != 0 && (!_peerHeard || reached > _peerHeardAt) && _time.GetElapsedTime(reached, now) <= _options.WitnessLease!.Value)
        {
            Clear(ref _witnessBlocksAlarm, AlarmKind.WitnessBlocksTakeover, "witness", "this node reaches the TCP target");
            return null;
        }

        if (!_witnessBlocksAlarm)
        {
            Raise(ref _witnessBlocksAlarm, AlarmKind.WitnessBlocksTakeover, "witness",
                $"a takeover is due ({reason}), but this node has not reached the TCP target since the peer went silent: not taking over (this node may be the one cut off)");
        }

        return Decision.None;
    }

    /// <summary>
    /// <see cref="AlarmKind.WitnessLost"/> is raised by an active cut off from both its peer and the witness; a node that
    /// released on it (or stepped down since) keeps it while it is still cut off, and clears it once the peer or the
    /// witness is heard (before, it was judged only while active, and stood for good after the release).
    /// </summary>
    private void ClearWitnessLostOffActive(long now, bool fresh)
    {
        if (!_witnessLostAlarm)
        {
            return;
        }

        // Heard since the alarm, not merely still fresh: an active releases at half the peer timeout, when its peer's
        // last frame still counts as fresh.
        if (fresh && _peerHeardAt > _witnessLostSince)
        {
            Clear(ref _witnessLostAlarm, AlarmKind.WitnessLost, "witness", "the peer is heard");
        }
        else if (HasWitness && _witness.LastAnswerAt > _witnessLostSince && _time.GetElapsedTime(_witness.LastAnswerAt, now) <= _options.WitnessLease!.Value)
        {
            Clear(ref _witnessLostAlarm, AlarmKind.WitnessLost, "witness", "the witness answers");
        }
    }

    /// <summary>The active's witness rules while its peer is silent; null when they change nothing.</summary>
    private Decision? EvaluateActiveWitness(long now, bool fresh)
    {
        if (!HasWitness)
        {
            return null;
        }

        var lease = _options.WitnessLease!.Value;
        var answered = _witness.LastAnswerAt != 0 && _time.GetElapsedTime(_witness.LastAnswerAt, now) <= lease;
        if (answered)
        {
            Clear(ref _witnessUnreachableAlarm, AlarmKind.WitnessUnreachable, "witness", "the witness answers again");
        }
        else if (!_witnessUnreachableAlarm && _time.GetElapsedTime(_activeSince, now) > lease * 2
            && (_witness.LastAnswerAt == 0 || _time.GetElapsedTime(_witness.LastAnswerAt, now) > lease * 2))
        {
            // Debounced (two leases without an answer), as the links are: on a loaded machine the witness or this
            // client may miss a round or two, and an alarm that comes and goes every few seconds teaches people to
            // ignore it. The rules below still count an answer as fresh for one lease only.
            // While the pair is healthy this changes nothing; it matters on the day both links go silent.
            Raise(ref _witnessUnreachableAlarm, AlarmKind.WitnessUnreachable, "witness", _options.WitnessTcpTarget
                ? "this active node cannot reach the witness's TCP target: the pair runs on, but if both links went silent now, this node would keep or release as witness.onIsolation says"
                : "the witness does not answer this active node: the pair runs on, but if both links went silent now, the standby could not get the lease and this node would keep or release as witness.onIsolation says");
        }

        if (_options.ReleaseWhenIsolated && !answered && now >= _witness.HeldUntil && _peerHeard
            && _time.GetElapsedTime(_peerHeardAt, now) >= _options.PeerTimeout / 2)
        {
            // Isolated, and releasing is what was asked: release at half the peer timeout, not at the timeout. The
            // witness may be answering the standby, which asks from half the timeout on and takes over, with the lease,
            // at the full timeout: released at the same moment, the two raced (24 ms of both driving measured in
            // WitnessTests with the witness hearing the standby only).
            const string reason = "cut off from both the peer and the witness past the lease: releasing, as witness.onIsolation says";
            Raise(ref _witnessLostAlarm, AlarmKind.WitnessLost, "witness", reason);
            _witnessLostSince = now;
            _listenUntil = now + Ticks(_options.PeerTimeout);
            return Change(Role.Standby, DecisionKind.BecomeStandby, Epoch, reason, null);
        }

        if (fresh)
        {
            Clear(ref _witnessLostAlarm, AlarmKind.WitnessLost, "witness", "the peer is heard");
            return null;
        }

        if (answered && _witness.Holder != 0 && _witness.Holder != _options.NodeId)
        {
            // The witness gave the lease to the other node: its lease is free only after ours ran out, so that node
            // is taking over now. Release at once.
            const string reason = "the peer is silent and the witness granted the lease to the other node: it is taking over, releasing";
            _listenUntil = now + Ticks(_options.PeerTimeout);
            return Change(Role.Standby, DecisionKind.BecomeStandby, Epoch, reason, null);
        }

        if (answered || now < _witness.HeldUntil)
        {
            Clear(ref _witnessLostAlarm, AlarmKind.WitnessLost, "witness", "the witness answers");
            return null;
        }

        // Neither the peer nor the witness heard, and this node's own lease has run out: isolated (with release, it
        // released above already).
        if (!_witnessLostAlarm)
        {
            _witnessLostSince = now;
            Raise(ref _witnessLostAlarm, AlarmKind.WitnessLost, "witness",
                "cut off from both the peer and the witness past the lease: keeping the outputs, as witness.onIsolation says (the peer may take over if the witness grants it the lease)");
        }

        return null;
    }
}
