using Redundancy.Protocol.Status;

namespace Redundancy.Protocol.Control;

/// <summary>The answer to <see cref="StatusRequest"/>: <c>{"ok":true,"v":1,"status":{...}}</c>, the status nested so
/// that its fields never meet the envelope's.</summary>
public sealed record StatusResponse : ControlResponse
{
    /// <summary>The node's status; null on an error.</summary>
    public NodeStatus? Status { get; init; }
}
