using System.Text.Json.Serialization;

namespace Redundancy.Protocol.Control;

/// <summary>Turns the pair's maintenance mode on or off at this node (a changing op): <c>{"op":"maintenance","on":true}</c>.
/// While it holds, no node of the pair takes over automatically. Answered with a <see cref="CommandResponse"/>.</summary>
/// <param name="On">True to turn it on, false to turn it off.</param>
public sealed record MaintenanceRequest(bool On) : ControlRequest
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Op => "maintenance";

    /// <inheritdoc />
    [JsonIgnore]
    public override bool Changes => true;
}
