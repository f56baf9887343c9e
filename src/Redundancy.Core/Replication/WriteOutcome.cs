namespace Redundancy.Core.Replication;

/// <summary>What a writer waiting for replication is told. See <see cref="ReplicationLedger.Judge"/>.</summary>
public enum WriteOutcome
{
    /// <summary>Keep waiting for the standby's acknowledgement.</summary>
    Waiting,

    /// <summary>The write is complete: acknowledged by the standby, or the mode (async, or semi-sync fallen
    /// back) does not wait for it.</summary>
    Completed,

    /// <summary>Sync mode only: not acknowledged within the sync timeout. The write stays committed locally and
    /// replicates later; the caller reports the timeout to the writer.</summary>
    TimedOut,

    /// <summary>No verdict can be given (this node stopped being active, or its books no longer hold the write): the
    /// write is committed here, and whether the standby has it is unknown. The writer is told so.</summary>
    Unknown,
}
