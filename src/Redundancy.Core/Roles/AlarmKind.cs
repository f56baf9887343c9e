namespace Redundancy.Core.Roles;

/// <summary>Conditions an operator must know about. Each is raised and cleared as an event with a reason.</summary>
public enum AlarmKind
{
    /// <summary>One link carries no heartbeats while another still does: redundancy degraded.</summary>
    LinkDown,

    /// <summary>The peer is silent on every link.</summary>
    PeerLost,

    /// <summary>The peer is silent but its "I am active" line is still high: takeover withheld.</summary>
    InterlockBlocksTakeover,

    /// <summary>Took over with every link silent and nothing to fence the peer: split-brain risk.</summary>
    UnfencedTakeover,

    /// <summary>The start-up window is over, no peer was heard and solo start is off.</summary>
    WaitingForPeer,
}

/// <summary>An alarm raised or cleared by the <see cref="RoleStateMachine"/>.</summary>
/// <param name="Kind">Which alarm.</param>
/// <param name="Subject">What it is about (a link name, or "peer").</param>
/// <param name="Raised">True when raised, false when cleared.</param>
/// <param name="Text">What an operator reads.</param>
public readonly record struct AlarmChange(AlarmKind Kind, string Subject, bool Raised, string Text);
