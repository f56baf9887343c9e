namespace Redundancy.Core.Replication;

/// <summary>The standby's opening message: where its log ends and who wrote it, so that the active can find the
/// common point (<see cref="CommonPoint.Find"/>) and plan the catch-up (<see cref="CatchUpPlan.Decide"/>).</summary>
/// <param name="LastEpoch">The epoch of the standby's last entry (0 when its log is empty).</param>
/// <param name="LastSequence">The standby's last sequence (0 when its log is empty).</param>
/// <param name="History">The standby's epoch history, sorted by first sequence.</param>
/// <param name="NeedsSnapshot">The standby's state is not agreed (a split brain's resync was cut short before its
/// snapshot): it must get a snapshot even when the histories match.</param>
public sealed record ResumeMessage(ulong LastEpoch, ulong LastSequence, IReadOnlyList<EpochStart> History, bool NeedsSnapshot = false);
