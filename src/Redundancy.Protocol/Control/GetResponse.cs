using System.Text.Json;

namespace Redundancy.Protocol.Control;

/// <summary>The answer to <see cref="GetRequest"/>: the row, flat,
/// <c>{"ok":true,"v":1,"key":K,"value":V,"epoch":E,"sequence":S,"time":T}</c>.</summary>
public sealed record GetResponse : ControlResponse
{
    /// <summary>The key.</summary>
    public string? Key { get; init; }

    /// <summary>The value as JSON; null when it is JSON null (or on an error).</summary>
    public JsonElement? Value { get; init; }

    /// <summary>The epoch of the change that wrote it.</summary>
    public ulong Epoch { get; init; }

    /// <summary>The sequence number of the change that wrote it.</summary>
    public ulong Sequence { get; init; }

    /// <summary>When it was written (UTC).</summary>
    public DateTimeOffset? Time { get; init; }
}
