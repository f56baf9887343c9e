namespace Redundancy.Core.Replication;

/// <summary>One change of control state: a key set to a JSON value, or removed (tombstone).</summary>
/// <param name="Epoch">The epoch of the active that wrote it.</param>
/// <param name="Sequence">Its place in the pair's one change log (1, 2, ...; continues across epochs).</param>
/// <param name="Key">The control-state key.</param>
/// <param name="Value">The new value as JSON text, or null for a removal.</param>
/// <param name="TimeUnixMs">When the active wrote it (wall clock, for people; never used for decisions).</param>
public sealed record ChangeEntry(ulong Epoch, ulong Sequence, string Key, string? Value, long TimeUnixMs)
{
    /// <summary>Whether this entry removes the key.</summary>
    public bool IsTombstone => Value is null;
}
