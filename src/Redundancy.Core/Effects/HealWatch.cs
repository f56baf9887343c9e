using Redundancy.Core.Roles;

namespace Redundancy.Core.Effects;

/// <summary>
/// Tells the active when the pair has healed around it: the peer was silent on every link, or claimed Active too,
/// while this node was active, and is now heard and not active (it came back, or yielded by the epoch rule). Then
/// what was announced at the takeover must be announced again (the system IP's gratuitous ARP: the loser's address
/// went away, and clients may still hold its MAC, a known failure of virtual-IP tools). Pure; fed once per evaluation
/// on the engine thread; not thread-safe.
/// </summary>
public sealed class HealWatch
{
    private bool _split;

    /// <summary>Whether a heal is noted but not yet reported.</summary>
    public bool Pending => _split;

    /// <summary>Feeds one evaluation's view; true exactly once per heal, when this node is active and the peer is heard
    /// again, not active, after it was silent or active.</summary>
    /// <param name="own">This node's role after the evaluation.</param>
    /// <param name="peerFresh">Whether the peer is heard on some link now.</param>
    /// <param name="peerRole">The peer's role in its newest frame (meaningful only when fresh).</param>
    public bool Note(Role own, bool peerFresh, Role peerRole)
    {
        if (own != Role.Active)
        {
            _split = false; // a standby announces nothing; a later takeover announces anyway
            return false;
        }

        if (!peerFresh || peerRole == Role.Active)
        {
            _split = true;
            return false;
        }

        if (!_split)
        {
            return false;
        }

        _split = false;
        return true;
    }
}
