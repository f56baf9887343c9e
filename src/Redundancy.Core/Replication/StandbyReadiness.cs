using Redundancy.Core.Roles;

namespace Redundancy.Core.Replication;

/// <summary>The standby's replica readiness, as it reports it in its heartbeats.</summary>
public static class StandbyReadiness
{
    /// <summary>
    /// <see cref="Readiness.Hot"/> when connected to the active, no snapshot in progress and
    /// <paramref name="lastApplied"/> has reached <paramref name="activeLast"/>; <see cref="Readiness.Warm"/> when
    /// connected but behind, receiving a snapshot, or hearing nothing from the active (<paramref name="streamSilent"/>:
    /// keepalives missed, so what the standby holds may be old however caught up it looks);
    /// <see cref="Readiness.NotReady"/> when not connected.
    /// </summary>
    public static Readiness Compute(bool connected, bool snapshotInProgress, ulong lastApplied, ulong activeLast, bool streamSilent = false) =>
        !connected ? Readiness.NotReady
        : !snapshotInProgress && !streamSilent && lastApplied >= activeLast ? Readiness.Hot
        : Readiness.Warm;
}
