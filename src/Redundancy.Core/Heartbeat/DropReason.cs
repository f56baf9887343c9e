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

    /// <summary>The frame comes from an earlier run of the sender (lower boot counter).</summary>
    Stale,

    /// <summary>Wrong length, unknown field values or bad serial framing.</summary>
    Malformed,

    /// <summary>A frame version this node does not speak.</summary>
    UnknownVersion,

    /// <summary>The frame carries this node's own id (a loop or a misconfigured peer).</summary>
    FromSelf,

    /// <summary>Serial only: the CRC did not match (line noise).</summary>
    BadCrc,
}
