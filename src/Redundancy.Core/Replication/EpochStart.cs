namespace Redundancy.Core.Replication;

/// <summary>An epoch's first entry in the change log: the history of who wrote which part of the log.</summary>
/// <param name="Epoch">The epoch.</param>
/// <param name="FirstSequence">The sequence of the first entry written in that epoch.</param>
public readonly record struct EpochStart(ulong Epoch, ulong FirstSequence);
