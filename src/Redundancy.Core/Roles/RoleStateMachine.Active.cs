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
            // The peer's "I am active" line is high while this node drives: both drive. Without its heartbeats the
            // epoch rule cannot be applied, so the node the pair prefers holds and the other releases at once.
            if (_peerHeard && PreferredOverPeer())
            {
                if (!_dualActiveAlarm)
                {
                    Raise(ref _dualActiveAlarm, AlarmKind.DualActive, "peer",
                        $"both nodes drive: the interlock input says peer node {_peer.NodeId} is active while this node is; this node is preferred and holds, the peer must release");
                }

                return Decision.None;
            }

            const string released = "the interlock input says the peer drives while this node is active: releasing (both were driving)";
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
}
