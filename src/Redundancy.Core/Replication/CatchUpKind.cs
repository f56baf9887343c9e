namespace Redundancy.Core.Replication;

/// <summary>How the active brings a connecting standby up to date. See <see cref="CatchUpPlan"/>.</summary>
public enum CatchUpKind
{
    /// <summary>Nothing to send: the standby holds exactly what the active holds.</summary>
    UpToDate,

    /// <summary>Send log entries from <see cref="CatchUpPlan.FromSequence"/> on, then keep streaming.</summary>
    Stream,

    /// <summary>The log no longer holds <see cref="CatchUpPlan.FromSequence"/>: send a snapshot of the state,
    /// then stream from the snapshot's last sequence + 1.</summary>
    Snapshot,
}
