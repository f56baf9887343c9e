using Redundancy.Protocol.Events;

namespace Redundancy.Protocol.Control;

/// <summary>
/// The answer to <see cref="EventsRequest"/>: <c>{"ok":true,"v":1,"events":[...],"next":N,"missed":M,"last":L}</c>.
/// Events are numbered from 1 at the agent's start: a <see cref="Last"/> below the number asked after means the agent
/// restarted, and the reader starts again from 0.
/// </summary>
public sealed record EventsResponse : ControlResponse
{
    /// <summary>The events after the number asked, oldest first; empty when none came (within the wait).</summary>
    public IReadOnlyList<NodeEvent>? Events { get; init; }

    /// <summary>The number to ask after next time: the newest returned, or the one asked when none.</summary>
    public long Next { get; init; }

    /// <summary>Events after the number asked that the node dropped (its ring was full) before this read.</summary>
    public long Missed { get; init; }

    /// <summary>The newest event's number at the time of the read (0 before the first).</summary>
    public long Last { get; init; }
}
