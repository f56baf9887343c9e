namespace Redundancy.Core.Heartbeat;

/// <summary>Why a received frame was dropped. <see cref="None"/> means it was accepted.</summary>
public enum DropReason
{
    /// <summary>Accepted.</summary>
    None = 0,

    /// <summary>The authentication tag did not match the pair key.</summary>
    BadTag,

    /// <summary>The frame belongs to another pair.</summary>
    OtherPair,

    /// <summary>The sequence was already seen on this link (a replay or a duplicate).</summary>
    Replayed,

    /// <summary>Authentic, but it does not echo a recent frame of ours: the sender does not hear us, or the frame is a
    /// recording (or was held back). Used only to step down or raise alarms, never as proof that the peer is alive.</summary>
    Stale,

    /// <summary>Wrong length, unknown field values or bad serial framing.</summary>
    Malformed,

    /// <summary>A frame version this node does not speak.</summary>
    UnknownVersion,

    /// <summary>The frame carries this node's own id: our own frame looped back, or another instance with our id that
    /// has not (yet) proven itself alive by echoing us.</summary>
    FromSelf,

    /// <summary>Serial only: the CRC did not match (line noise).</summary>
    BadCrc,

    /// <summary>UDP only: the datagram did not come from the configured peer's address (dropped before any check).</summary>
    ForeignSource,
}
