using System.Text.Json.Serialization;

namespace Redundancy.Protocol.Control;

/// <summary>Deletes one key of the control state (a changing op): <c>{"op":"delete","key":K}</c>. Answered with a
/// <see cref="WriteResponse"/>.</summary>
/// <param name="Key">The key.</param>
public sealed record DeleteRequest(string Key) : ControlRequest
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Op => "delete";

    /// <inheritdoc />
    [JsonIgnore]
    public override bool Changes => true;
}
