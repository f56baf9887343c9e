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

    /// <summary>Another node uses this node's id: proven by its frames echoing ours. The node goes Faulted.</summary>
    DuplicateNodeId,

    /// <summary>A steady stream of frames that fail authentication or carry another pair id arrives on our links: a
    /// peer with another pair key or pair id is there. Takeover on silence and solo start are held.</summary>
    MisconfiguredPeer,

    /// <summary>The peer's frames arrive but do not echo ours: it does not hear this node, or they are a recording.
    /// They are not taken as proof that the peer is alive.</summary>
    PeerUnverified,

    /// <summary>Both nodes active (heard, or shown by the interlock input).</summary>
    DualActive,

    /// <summary>The peer's heartbeat interval does not fit this node's peer timeout.</summary>
    IntervalMismatch,

    /// <summary>Role changes came too fast; takeovers are held until the rate falls.</summary>
    RoleChangesLimited,

    /// <summary>The pair is in maintenance: an automatic takeover was due and is not made.</summary>
    MaintenanceBlocksTakeover,

    /// <summary>The peer hands over (a switchover) but this node cannot take over: it lacks changes the peer has, or
    /// its interlock says the peer still drives. The peer resumes after the handover timeout.</summary>
    HandoverRefused,

    /// <summary>A takeover on silence is due, but the witness has not granted this node the lease (another holds it,
    /// or the witness does not answer): the peer may be alive and cut off from this node only.</summary>
    WitnessBlocksTakeover,

    /// <summary>An active cut off from both its peer and the witness past its lease: it keeps or releases, as
    /// configured.</summary>
    WitnessLost,

    /// <summary>The active gets no answer from the witness (the pair is not affected while the links are up).</summary>
    WitnessUnreachable,
}

/// <summary>An alarm raised or cleared by the <see cref="RoleStateMachine"/>.</summary>
/// <param name="Kind">Which alarm.</param>
/// <param name="Subject">What it is about (a link name, or "peer").</param>
/// <param name="Raised">True when raised, false when cleared.</param>
/// <param name="Text">What an operator reads.</param>
public readonly record struct AlarmChange(AlarmKind Kind, string Subject, bool Raised, string Text);
