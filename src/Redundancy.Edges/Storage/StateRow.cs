namespace Redundancy.Edges.Storage;

/// <summary>A key's current value in the control state, with the change that wrote it.</summary>
/// <param name="Key">The key.</param>
/// <param name="Value">The value as JSON text.</param>
/// <param name="Epoch">Epoch of the change that wrote it.</param>
/// <param name="Sequence">Sequence of the change that wrote it.</param>
/// <param name="TimeUnixMs">When it was written.</param>
public sealed record StateRow(string Key, string Value, ulong Epoch, ulong Sequence, long TimeUnixMs);

/// <summary>A change that a node made but the pair's new active never saw (after a split brain), kept for audit.</summary>
/// <param name="Epoch">Epoch it was written in.</param>
/// <param name="Sequence">Its sequence in the diverged log.</param>
/// <param name="Key">Key.</param>
/// <param name="Value">Value (JSON), or null for a removal.</param>
/// <param name="TimeUnixMs">When it was written.</param>
/// <param name="MovedAtUnixMs">When it was moved aside.</param>
public sealed record ConflictRow(ulong Epoch, ulong Sequence, string Key, string? Value, long TimeUnixMs, long MovedAtUnixMs);
