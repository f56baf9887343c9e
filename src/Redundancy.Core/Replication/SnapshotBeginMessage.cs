namespace Redundancy.Core.Replication;

/// <summary>Opens a snapshot: the standby replaces its state and log with the rows that follow.</summary>
/// <param name="LastEpoch">The epoch of the last entry the snapshot includes.</param>
/// <param name="LastSequence">The last sequence the snapshot includes; streaming resumes after it.</param>
/// <param name="History">The active's epoch history up to <paramref name="LastSequence"/>, which the standby adopts.</param>
/// <param name="EntryCount">How many rows (live keys) the snapshot chunks carry in all.</param>
public sealed record SnapshotBeginMessage(ulong LastEpoch, ulong LastSequence, IReadOnlyList<EpochStart> History, ulong EntryCount);
