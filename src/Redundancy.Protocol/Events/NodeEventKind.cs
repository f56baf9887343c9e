namespace Redundancy.Protocol.Events;

/// <summary>What a <see cref="NodeEvent"/> reports.</summary>
public enum NodeEventKind
{
    /// <summary>The agent started (its first event).</summary>
    Started,

    /// <summary>The role changed; a change to Active carries the takeover's measured times.</summary>
    RoleChanged,

    /// <summary>An alarm was raised.</summary>
    AlarmRaised,

    /// <summary>An alarm was cleared.</summary>
    AlarmCleared,

    /// <summary>A heartbeat link carries the peer's frames again.</summary>
    LinkUp,

    /// <summary>A heartbeat link stopped carrying the peer's frames.</summary>
    LinkDown,

    /// <summary>The outputs were released (step-down order: outputs, then "I am active").</summary>
    OutputsReleased,

    /// <summary>Driving or releasing the outputs failed.</summary>
    OutputsFailed,

    /// <summary>A changing command (a state write, a switchover, maintenance) was taken from a caller, named by uid.</summary>
    Command,

    /// <summary>The runtime or a heartbeat thread stalled long enough to matter (a third of the peer timeout).</summary>
    Stall,

    /// <summary>A note about storage (recovery, a read-only reopen).</summary>
    Storage,

    /// <summary>The agent stopped (its last event).</summary>
    Stopped,
}
