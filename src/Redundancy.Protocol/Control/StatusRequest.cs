using System.Text.Json.Serialization;

namespace Redundancy.Protocol.Control;

/// <summary>The node's status: <c>{"op":"status"}</c>. Answered with a <see cref="StatusResponse"/>.</summary>
public sealed record StatusRequest : ControlRequest
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Op => "status";
}
