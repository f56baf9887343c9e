using System.Text.Json.Serialization;

namespace Redundancy.Protocol.Control;

/// <summary>Lets a node that waits for a peer it has never heard (solo start off) start alone, once (a changing op):
/// <c>{"op":"release-startup"}</c>. Refused while the peer is heard, before the start-up window is over, in maintenance,
/// or when solo start is on. Answered with a <see cref="CommandResponse"/>; the event names the caller.</summary>
public sealed record ReleaseStartupRequest : ControlRequest
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Op => "release-startup";

    /// <inheritdoc />
    [JsonIgnore]
    public override bool Changes => true;
}
