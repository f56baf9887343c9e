using System.Text.Json;

namespace Redundancy.Protocol.Control;

/// <summary>One change kept for audit after a split brain: written on the losing side, overwritten by the history
/// that won.</summary>
/// <param name="Key">The key it wrote.</param>
/// <param name="Value">The value it wrote as JSON; null when JSON null or a delete (see <paramref name="Deleted"/>).</param>
/// <param name="Deleted">Whether the change was a delete.</param>
/// <param name="Epoch">The epoch it was written in.</param>
/// <param name="Sequence">Its sequence number in that epoch's log.</param>
/// <param name="Time">When it was written (UTC).</param>
/// <param name="MovedAt">When it was moved aside as a conflict (UTC).</param>
public sealed record ConflictItem(string Key, JsonElement? Value, bool Deleted, ulong Epoch, ulong Sequence, DateTimeOffset Time, DateTimeOffset MovedAt);
