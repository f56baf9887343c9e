namespace Redundancy.Core.Roles;

/// <summary>Leaving Faulted when the cause went away by itself (a disk that was full has room again).</summary>
public sealed partial class RoleStateMachine
{
    /// <summary>
    /// The local fault that made this node Faulted is gone: it rejoins as <see cref="Role.Standby"/> and, as after a
    /// stall, listens for a whole peer timeout before any takeover, so it learns the peer afresh. Does nothing in any
    /// other role, nor when another node uses this node's id (that fault only a corrected config and a restart end).
    /// </summary>
    public Decision OnFaultCleared(string reason)
    {
        if (Role != Role.Faulted || _duplicate is not null)
        {
            return Decision.None;
        }

        _listenUntil = _time.GetTimestamp() + Ticks(_options.PeerTimeout);
        return Change(Role.Standby, DecisionKind.BecomeStandby, Epoch, reason, null);
    }
}
