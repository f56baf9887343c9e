using System.Text.Json;
using System.Text.Json.Serialization;

namespace Redundancy.Protocol.Control;

/// <summary>Writes one key of the control state (a changing op): <c>{"op":"set","key":K,"value":V}</c>, any JSON value.
/// Answered with a <see cref="WriteResponse"/>.</summary>
/// <param name="Key">The key: 1 to 256 UTF-8 bytes of printable text.</param>
/// <param name="Value">The value: any JSON value of at most 64 KiB (stored as compact JSON text).</param>
public sealed record SetRequest(string Key, JsonElement Value) : ControlRequest
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Op => "set";

    /// <inheritdoc />
    [JsonIgnore]
    public override bool Changes => true;
}
