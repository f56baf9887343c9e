namespace Redundancy.Protocol.Events;

/// <summary>
/// One event of a node: numbered by the node (1, 2, 3 ... from its start, no gaps), so a reader that keeps the newest
/// number it saw can ask for what came after and learn how many it missed. Immutable.
/// </summary>
public sealed record NodeEvent
{
    /// <summary>The node's sequence number of this event, from 1 at start.</summary>
    public required long Sequence { get; init; }

    /// <summary>When it happened (UTC).</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>The node's name.</summary>
    public required string Node { get; init; }

    /// <summary>What kind of event.</summary>
    public required NodeEventKind Kind { get; init; }

    /// <summary>Why, or what, in plain words.</summary>
    public required string Reason { get; init; }

    /// <summary>What it is about: an alarm's subject ("serial", "peer", "storage"), a link's name, a command's op.</summary>
    public string? Subject { get; init; }

    /// <summary>Alarm events: the alarm's kind (LinkDown, PeerLost, StorageSlow ...).</summary>
    public string? Alarm { get; init; }

    /// <summary>Role changes: the role before.</summary>
    public string? From { get; init; }

    /// <summary>Role changes: the role after.</summary>
    public string? To { get; init; }

    /// <summary>Role changes: the epoch after.</summary>
    public ulong? Epoch { get; init; }

    /// <summary>Takeovers: from the peer's last frame (or its announcement) to the decision, in milliseconds.</summary>
    public double? DetectionMs { get; init; }

    /// <summary>Takeovers: from the decision to the outputs driven, in milliseconds.</summary>
    public double? TakeoverMs { get; init; }

    /// <summary>Commands: the caller's uid (from SO_PEERCRED).</summary>
    public int? Uid { get; init; }
}
