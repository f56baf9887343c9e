using Redundancy.Protocol.Status;

namespace Redundancy.Protocol.Control;

/// <summary>The answer to <see cref="DiagnosticsRequest"/>: <c>{"ok":true,"v":1,"diagnostics":{...}}</c>.</summary>
public sealed record DiagnosticsResponse : ControlResponse
{
    /// <summary>The runtime's figures; null on an error.</summary>
    public NodeDiagnostics? Diagnostics { get; init; }
}
