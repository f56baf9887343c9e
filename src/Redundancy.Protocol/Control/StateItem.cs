using System.Text.Json;

namespace Redundancy.Protocol.Control;

/// <summary>One key of the control state as <see cref="ListResponse"/> lists it.</summary>
/// <param name="Key">The key.</param>
/// <param name="Value">The value as JSON; null when it is JSON null.</param>
/// <param name="Epoch">The epoch of the change that wrote it.</param>
/// <param name="Sequence">The sequence number of the change that wrote it.</param>
/// <param name="Time">When it was written (UTC).</param>
public sealed record StateItem(string Key, JsonElement? Value, ulong Epoch, ulong Sequence, DateTimeOffset Time);
