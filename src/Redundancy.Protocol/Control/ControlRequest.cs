using System.Text.Json.Serialization;

namespace Redundancy.Protocol.Control;

/// <summary>
/// One request to the control socket: one JSON object on one line, its kind named by <c>op</c>
/// (<c>{"op":"get","v":1,"key":"setpoints/boiler"}</c>). Parse a line with <see cref="ControlProtocol.TryParseRequest(string, out ControlRequest?, out string?)"/>,
/// write one with <see cref="ControlProtocol.Format(ControlRequest)"/>. Immutable.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "op", UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization)]
[JsonDerivedType(typeof(SetRequest), "set")]
[JsonDerivedType(typeof(DeleteRequest), "delete")]
[JsonDerivedType(typeof(GetRequest), "get")]
[JsonDerivedType(typeof(ListRequest), "list")]
[JsonDerivedType(typeof(ConflictsRequest), "conflicts")]
[JsonDerivedType(typeof(StatusRequest), "status")]
[JsonDerivedType(typeof(DiagnosticsRequest), "diagnostics")]
[JsonDerivedType(typeof(EventsRequest), "events")]
[JsonDerivedType(typeof(MaintenanceRequest), "maintenance")]
[JsonDerivedType(typeof(SwitchoverRequest), "switchover")]
[JsonDerivedType(typeof(DrillRequest), "drill")]
[JsonDerivedType(typeof(ReleaseStartupRequest), "release-startup")]
public abstract record ControlRequest
{
    // 0 only when absent: the parser refuses a version below 1 before it deserializes.
    private readonly int _v;

    /// <summary>The protocol version the caller speaks (<c>v</c>); a request without it is taken as version 1.</summary>
    [JsonPropertyOrder(-1)]
    public int V
    {
        get => _v == 0 ? ControlProtocol.Version : _v;
        init => _v = value;
    }

    /// <summary>The op's name on the wire ("set", "status" ...).</summary>
    [JsonIgnore]
    public abstract string Op { get; }

    /// <summary>
    /// Whether the op changes the node (a state write; switchover and maintenance next): only root, the agent's own
    /// uid and members of the configured <c>control.group</c> may send it. Every other op only reads.
    /// </summary>
    [JsonIgnore]
    public virtual bool Changes => false;
}
