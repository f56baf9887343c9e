using Redundancy.Core.Roles;

namespace Redundancy.Core.Replication;

/// <summary>The standby's replica readiness, as it reports it in its heartbeats.</summary>
public static class StandbyReadiness
{
    /// <summary>
    /// <see cref="Readiness.Hot"/> when connected to the active, no snapshot in progress and
    /// <paramref name="lastApplied"/> has reached <paramref name="activeLast"/>; <see cref="Readiness.Warm"/> when
    /// connected but behind, receiving a snapshot, still needing one (<paramref name="needsSnapshot"/>: its state is
    /// not agreed with the active's), or hearing nothing from the active (<paramref name="streamSilent"/>: keepalives
    /// missed, so what the standby holds may be old however caught up it looks); <see cref="Readiness.NotReady"/> when
    /// not connected.
    /// </summary>
    /// <remarks><paramref name="caughtUpRecently"/>: the standby reached the active's announced position moments ago
    /// (the caller keeps the time). Under a steady writer the active's position moves ahead with every write in flight,
    /// so a standby that keeps up is hot, not flapping to warm at every heartbeat that finds a write on its way.</remarks>
    public static Readiness Compute(bool connected, bool snapshotInProgress, ulong lastApplied, ulong activeLast, bool needsSnapshot = false, bool streamSilent = false, bool caughtUpRecently = false) =>
        !connected ? Readiness.NotReady
        : !snapshotInProgress && !needsSnapshot && !streamSilent && (lastApplied >= activeLast || caughtUpRecently) ? Readiness.Hot
        : Readiness.Warm;
}
