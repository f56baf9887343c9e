namespace Redundancy.Core.Replication;

/// <summary>
/// Why a replication handshake message, frame or payload was refused. <see cref="None"/> means it was accepted.
/// Any other value ends the connection: the stream can no longer be trusted to be in step.
/// </summary>
public enum ReplicationRefusal
{
    /// <summary>Accepted.</summary>
    None = 0,

    /// <summary>Wrong length, a field out of range, invalid UTF-8, an unknown message type or one that does not
    /// travel in this direction.</summary>
    Malformed,

    /// <summary>A protocol version this node does not speak.</summary>
    UnknownVersion,

    /// <summary>The peer belongs to another pair.</summary>
    OtherPair,

    /// <summary>The peer claims this node's own id (a loop or a misconfigured peer).</summary>
    FromSelf,

    /// <summary>The peer's handshake proof does not match: it does not hold the pair key.</summary>
    BadProof,

    /// <summary>A frame's authentication tag does not match the session key and direction.</summary>
    BadTag,

    /// <summary>A frame's counter is not above the last accepted one: a replay.</summary>
    Replayed,

    /// <summary>A frame's counter skips one or more: a frame was removed from the stream.</summary>
    Skipped,

    /// <summary>A frame's length is above the configured maximum.</summary>
    TooLarge,
}
