using System.Text.Json.Serialization;

namespace Redundancy.Protocol.Control;

/// <summary>Reads one key: <c>{"op":"get","key":K}</c>. Answered with a <see cref="GetResponse"/>.</summary>
/// <param name="Key">The key.</param>
public sealed record GetRequest(string Key) : ControlRequest
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Op => "get";
}
