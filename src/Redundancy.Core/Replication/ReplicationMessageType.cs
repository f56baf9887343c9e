namespace Redundancy.Core.Replication;

/// <summary>
/// The type byte of a replication frame. Payload layouts (big-endian) are documented on
/// <see cref="ReplicationMessages"/>; each type but <see cref="Keepalive"/> travels in one direction only.
/// </summary>
public enum ReplicationMessageType : byte
{
    /// <summary>1, standby to active: where the standby's log ends and its epoch history.</summary>
    Resume = 1,

    /// <summary>2, active to standby: log entries, in sequence order.</summary>
    Entries = 2,

    /// <summary>3, standby to active: everything up to this sequence is persisted.</summary>
    Ack = 3,

    /// <summary>4, active to standby: a snapshot follows, replacing the standby's state and log.</summary>
    SnapshotBegin = 4,

    /// <summary>5, active to standby: rows of the snapshot (one per live key, in the entry layout).</summary>
    SnapshotChunk = 5,

    /// <summary>6, active to standby: the snapshot is complete.</summary>
    SnapshotEnd = 6,

    /// <summary>7, active to standby: the standby's log diverged after this common sequence.</summary>
    Diverged = 7,

    /// <summary>8, both directions, empty: the sender is alive and the stream open. Sent after
    /// <see cref="KeepaliveOptions.Interval"/> without another message; MAC'd and counted like every message.</summary>
    Keepalive = 8,
}
