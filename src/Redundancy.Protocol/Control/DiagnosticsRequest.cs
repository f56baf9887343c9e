using System.Text.Json.Serialization;

namespace Redundancy.Protocol.Control;

/// <summary>The runtime's figures for engineers: <c>{"op":"diagnostics"}</c>. Answered with a
/// <see cref="DiagnosticsResponse"/>.</summary>
public sealed record DiagnosticsRequest : ControlRequest
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Op => "diagnostics";
}
