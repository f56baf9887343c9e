using System.Text.Json.Serialization;

namespace Redundancy.Protocol.Control;

/// <summary>Lists the keys (with their values) that start with a prefix: <c>{"op":"list","prefix":P}</c>. Answered with
/// a <see cref="ListResponse"/>.</summary>
/// <param name="Prefix">Only keys starting with this (ordinal); null or absent for every key.</param>
public sealed record ListRequest(string? Prefix = null) : ControlRequest
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Op => "list";
}
