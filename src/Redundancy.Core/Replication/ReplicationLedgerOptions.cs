namespace Redundancy.Core.Replication;

/// <summary>How the active's <see cref="ReplicationLedger"/> judges writes and compaction.</summary>
/// <param name="Mode">When a write completes.</param>
/// <param name="SyncTimeout">How long a sync or semi-sync write waits for the standby's acknowledgement,
/// counted from its append. Must be positive.</param>
/// <param name="RetentionEntries">The log never keeps more than this many entries behind the last one, even
/// unacknowledged (a standby further behind gets a snapshot). Must be at least 1.</param>
public sealed record ReplicationLedgerOptions(ReplicationMode Mode, TimeSpan SyncTimeout, ulong RetentionEntries)
{
    /// <summary>
    /// How many unacknowledged entries the ledger remembers the append time of (8 bytes each). Beyond it, the
    /// oldest entries share the time of the oldest forgotten one, so lag times are over-, never under-estimated.
    /// Default 65,536; at least 1.
    /// </summary>
    public int MaxTrackedEntries { get; init; } = 65_536;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Mode))
        {
            throw new ArgumentException($"unknown replication mode {Mode}", nameof(Mode));
        }

        if (SyncTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("the sync timeout must be positive", nameof(SyncTimeout));
        }

        if (RetentionEntries < 1)
        {
            throw new ArgumentException("the retention must be at least 1 entry", nameof(RetentionEntries));
        }

        if (MaxTrackedEntries < 1)
        {
            throw new ArgumentException("at least 1 entry must be tracked", nameof(MaxTrackedEntries));
        }
    }
}
