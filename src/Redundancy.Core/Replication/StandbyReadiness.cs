using Redundancy.Core.Roles;

namespace Redundancy.Core.Replication;

/// <summary>The standby's replica readiness, as it reports it in its heartbeats.</summary>
public static class StandbyReadiness
{
    /// <summary>
    /// <see cref="Readiness.Hot"/> when connected to the active, no snapshot in progress and
    /// <paramref name="lastApplied"/> has reached <paramref name="activeLast"/>; <see cref="Readiness.Warm"/> when
    /// connected but behind, receiving a snapshot, or still needing one (<paramref name="needsSnapshot"/>: its state
    /// is not agreed with the active's); <see cref="Readiness.NotReady"/> when not connected.
    /// </summary>
    public static Readiness Compute(bool connected, bool snapshotInProgress, ulong lastApplied, ulong activeLast, bool needsSnapshot = false) =>
        !connected ? Readiness.NotReady
        : !snapshotInProgress && !needsSnapshot && lastApplied >= activeLast ? Readiness.Hot
        : Readiness.Warm;
}
