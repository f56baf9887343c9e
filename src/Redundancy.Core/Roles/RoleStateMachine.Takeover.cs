namespace Redundancy.Core.Roles;

/// <summary>Becoming active: the rate limit, the alarms a takeover clears or raises, the epoch it takes.</summary>
public sealed partial class RoleStateMachine
{
    /// <summary>Becomes active. <paramref name="byHand"/>: a switchover (taking over from a handover, or resuming after
    /// one that was not confirmed): not held by the rate limit, and not counted in it.</summary>
    private Decision TakeOver(string reason, TimeSpan? detection, bool byHand = false)
    {
        // Maintenance inhibits every automatic takeover on the pair (a switchover by hand comes apart from this).
        if (PairInMaintenance)
        {
            Raise(ref _maintenanceAlarm, AlarmKind.MaintenanceBlocksTakeover, "pair",
                $"the pair is in maintenance: no automatic takeover, although one is due ({reason}); the outputs stay as they are until maintenance is turned off");
            return Decision.None;
        }

        Clear(ref _maintenanceAlarm, AlarmKind.MaintenanceBlocksTakeover, "pair", "took over");
        // Role changes are rate-limited: a node that flaps (a starved box stalling, stepping down and taking over again)
        // holds its next takeover until the oldest change of the window has left it. Step-downs are never held.
        var now = _time.GetTimestamp();
        if (!byHand && _changeCount >= _changes.Length && _time.GetElapsedTime(_changes[_changeCount % _changes.Length], now) < _options.RoleChangeWindow)
        {
            if (!_rateAlarm)
            {
                Raise(ref _rateAlarm, AlarmKind.RoleChangesLimited, "peer",
                    $"{_changes.Length} role changes within {_options.RoleChangeWindow.TotalSeconds:F0} s: takeovers are held until the rate falls ({reason})");
            }

            return Decision.None;
        }

        Clear(ref _rateAlarm, AlarmKind.RoleChangesLimited, "peer", "role changes no longer rate-limited");
        Clear(ref _waitingAlarm, AlarmKind.WaitingForPeer, "peer", "this node became active");
        Clear(ref _interlockAlarm, AlarmKind.InterlockBlocksTakeover, "peer", "took over");
        if (_peerHeard && !PeerFresh && !_options.InterlockWired)
        {
            Raise(ref _unfencedAlarm, AlarmKind.UnfencedTakeover, "peer",
                "took over with the peer silent on all links and no interlock to prove it is not driving: if the links were cut, both nodes may be active (split-brain risk)");
        }

        var epoch = RoleOptions.NextEpoch(Math.Max(Epoch, _peerHeard ? _peer.Epoch : 0), _options.NodeId);
        _noActiveSince = -1;
        // Fenced: the peer handed over (it released first), or it is heard and not active, or the interlock said it
        // is not driving (read just before this decision). Anything else may be a peer that still drives.
        var unfenced = !byHand && !PeerFresh && !_options.InterlockWired;
        return Change(Role.Active, DecisionKind.BecomeActive, epoch, reason, detection, countsForRate: !byHand) with { Unfenced = unfenced };
    }

    private Decision Withhold()
    {
        Raise(ref _interlockAlarm, AlarmKind.InterlockBlocksTakeover, "peer",
            "peer is not heard but its 'I am active' line is still high: not taking over while it may be driving");
        return Decision.None;
    }
}
