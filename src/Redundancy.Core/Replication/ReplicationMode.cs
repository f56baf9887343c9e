namespace Redundancy.Core.Replication;

/// <summary>When a write on the active completes. Config names: see <see cref="ReplicationModeNames"/>.</summary>
public enum ReplicationMode
{
    /// <summary>"sync": a write completes when the standby has persisted it; a write not acknowledged within the
    /// sync timeout is reported as timed out (it stays committed locally and replicates later).</summary>
    Sync,

    /// <summary>"semi-sync": as <see cref="Sync"/> while the standby keeps up; falls back to <see cref="Async"/>
    /// with an alarm when the standby is gone or slower than the sync timeout, and returns once it caught up.</summary>
    SemiSync,

    /// <summary>"async": a write completes locally; the loss window is the published lag.</summary>
    Async,
}
