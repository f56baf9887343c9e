using Redundancy.Core.Commands;

namespace Redundancy.Core.Roles;

/// <summary>
/// Start-up without a peer (Corosync's wait_for_all): with solo start off, a node that has never heard its peer waits
/// (alarm <see cref="AlarmKind.WaitingForPeer"/>) until the peer is heard, or until someone at the box releases the
/// start-up by hand (<c>redundancyctl release-startup</c>): then it starts alone, once, as an event naming the caller.
/// </summary>
public sealed partial class RoleStateMachine
{
    private string? _startupReleasedBy;

    /// <summary>Why a start-up release by hand is refused now, or null when it may go ahead.</summary>
    public string? ReleaseStartupProblem()
    {
        var waiting = Role == Role.Starting || (Role == Role.Standby && !_peerHeard);
        if (!waiting)
        {
            return $"this node is {Role} and has heard its peer: there is no start-up to release";
        }

        if (_peerHeard && PeerFresh)
        {
            return $"the peer (node {_peer.NodeId}, {_peer.Role}) is heard: the pair forms without a release";
        }

        if (_time.GetElapsedTime(_startedAt, _time.GetTimestamp()) < _options.StartupWindow)
        {
            return $"the start-up window ({_options.StartupWindow.TotalMilliseconds:F0} ms) is not over yet: the peer may still be heard";
        }

        if (PairInMaintenance)
        {
            return "the pair is in maintenance: turn it off first (redundancyctl maintenance off), then release the start-up";
        }

        if (_options.SoloStart)
        {
            return "solo start is on: this node starts alone by itself";
        }

        return _startupReleasedBy is not null ? $"the start-up was already released by {_startupReleasedBy}" : null;
    }

    /// <summary>
    /// Lets this node, which has never heard its peer, start alone at its next evaluation (the interlock still holds it
    /// while the peer drives). Refused with the reason (see <see cref="ReleaseStartupProblem"/>); <paramref name="uid"/>
    /// names the caller in the takeover's reason.
    /// </summary>
    public string? ReleaseStartup(int uid)
    {
        if (ReleaseStartupProblem() is { } problem)
        {
            return problem;
        }

        _startupReleasedBy = Callers.Name(uid);
        return null;
    }

    /// <summary>Whether this node may start alone now: solo start, or a start-up released by hand.</summary>
    private bool StartsAlone => _options.SoloStart || _startupReleasedBy is not null;

    /// <summary>The reason of a lone start: <paramref name="solo"/>, or the release by hand naming its caller.</summary>
    private string AloneReason(string solo) =>
        !_options.SoloStart && _startupReleasedBy is { } by
            ? $"start-up released by hand, asked by {by}: no peer heard on any link, starting alone"
            : solo;
}
