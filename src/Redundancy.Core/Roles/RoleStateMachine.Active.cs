namespace Redundancy.Core.Roles;

/// <summary>An active node: the epoch rule against an active peer, the interlock, and dual active as an alarm.</summary>
public sealed partial class RoleStateMachine
{
    private Decision EvaluateActive(long now, bool fresh, InterlockInput interlock)
    {
        if (EvaluateActiveWitness(now, fresh) is { } witness)
        {
            return witness;
        }

        // Both active. A claim in a frame that does not echo ours counts here too: stepping down is the safe direction,
        // and a peer that took over because it cannot hear us must still be yielded to (a recording cannot win: its
        // epoch is one this node has already outgrown).
        var claimed = fresh && _peer.Role == Role.Active;
        if (claimed || UnverifiedActiveClaim(now))
        {
            var other = claimed ? _peer : _unverified;
            var peerWins = other.Epoch > Epoch
                || (other.Epoch == Epoch && RoleOptions.Prefers(other.Priority, other.NodeId, _options.Priority, _options.NodeId));
            if (peerWins)
            {
                var reason = $"peer node {other.NodeId} is active with epoch {other.Epoch} (ours {Epoch}): it wins, stepping down";
                Raise(ref _dualActiveAlarm, AlarmKind.DualActive, "peer", $"both nodes were active: {reason}");

                // Listen before any takeover: right after links heal, the peer's first frames may not echo ours yet,
                // and its silence as this node last knew it is long over. Without this the two would take turns.
                _listenUntil = now + Ticks(_options.PeerTimeout);
                _yieldedUntil = now + Ticks(_options.PeerTimeout * RoleOptions.IntervalsPerTimeout);
                return Change(Role.Standby, DecisionKind.BecomeStandby, Epoch, reason, null);
            }

            if (!_dualActiveAlarm) // the text is made once, not on every evaluation (a real-time thread)
            {
                Raise(ref _dualActiveAlarm, AlarmKind.DualActive, "peer",
                    $"both nodes active: peer node {other.NodeId} claims Active with epoch {other.Epoch}; this node's epoch {Epoch} wins, the peer must step down");
            }

            return Decision.None;
        }

        if (interlock == InterlockInput.PeerDriving)
        {
            // The peer's "I am active" line is high while this node drives: both drive. The epoch rule decides when the
            // peer's epoch is known (its frames are heard now, saying something other than Active: a peer in the first
            // moment of a takeover, or one whose line is stuck high); with the links silent its epoch is not known, and
            // the node the pair prefers holds (a rule both nodes apply alike, so exactly one releases).
            var holds = fresh
                ? Epoch > _peer.Epoch || (Epoch == _peer.Epoch && PreferredOverPeer())
                : _peerHeard && PreferredOverPeer();
            if (holds)
            {
                if (!_dualActiveAlarm)
                {
                    Raise(ref _dualActiveAlarm, AlarmKind.DualActive, "peer",
                        $"both nodes drive: the interlock input says peer node {_peer.NodeId} is active while this node is; this node wins {InterlockRule(fresh)} and holds, the peer must release");
                }

                return Decision.None;
            }

            var released = $"the interlock input says the peer drives while this node is active: releasing, the peer wins {InterlockRule(fresh)} (both were driving)";
            Raise(ref _dualActiveAlarm, AlarmKind.DualActive, "peer", released);
            _listenUntil = now + Ticks(_options.PeerTimeout);
            _yieldedUntil = now + Ticks(_options.PeerTimeout * RoleOptions.IntervalsPerTimeout);
            return Change(Role.Standby, DecisionKind.BecomeStandby, Epoch, released, null);
        }

        if (fresh && (_peer.Health & HealthFlags.YieldedToPeer) != 0)
        {
            // The peer yielded before this node heard it claim Active: it was a dual active all the same.
            if (!_dualActiveAlarm)
            {
                Raise(ref _dualActiveAlarm, AlarmKind.DualActive, "peer",
                    $"both nodes were active: peer node {_peer.NodeId} (epoch {_peer.Epoch}) yielded to this node's epoch {Epoch}");
            }

            return Decision.None;
        }

        Clear(ref _dualActiveAlarm, AlarmKind.DualActive, "peer", "only this node is active");
        return Decision.None;
    }

    // Which rule decided a both-driving interlock, for the alarm: made only when the alarm is raised or the node
    // releases, never on the evaluations in between (a real-time thread, evaluated every loop while the line is high).
    private string InterlockRule(bool fresh) => fresh
        ? $"by the epoch rule (peer node {_peer.NodeId}, heard as {_peer.Role}, has epoch {_peer.Epoch}; ours {Epoch})"
        : _peerHeard ? $"the peer is not heard, so by preference (peer node {_peer.NodeId})" : "the peer was never heard";
}
