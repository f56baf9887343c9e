using System.Text.Json.Serialization;

namespace Redundancy.Protocol.Control;

/// <summary>The changes kept for audit after a split brain (those the surviving history overwrote):
/// <c>{"op":"conflicts"}</c>. Answered with a <see cref="ConflictsResponse"/>.</summary>
public sealed record ConflictsRequest : ControlRequest
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Op => "conflicts";
}
