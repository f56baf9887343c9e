using System.Text.Json.Serialization;

namespace Redundancy.Protocol.Control;

/// <summary>
/// One answer of the control socket, one JSON object on one line: <c>{"ok":true,"v":1,...}</c> with the op's payload
/// (the derived types), or <c>{"ok":false,"v":1,"error":"..."}</c> for any op. A client reads the answer to its op's
/// type (<see cref="ControlProtocol.ParseResponse{T}(string)"/>): on an error only <see cref="Ok"/>, <see cref="V"/> and
/// <see cref="Error"/> are set. Fields a client does not know are ignored. Immutable.
/// </summary>
[JsonDerivedType(typeof(WriteResponse))]
[JsonDerivedType(typeof(GetResponse))]
[JsonDerivedType(typeof(ListResponse))]
[JsonDerivedType(typeof(ConflictsResponse))]
[JsonDerivedType(typeof(StatusResponse))]
[JsonDerivedType(typeof(DiagnosticsResponse))]
[JsonDerivedType(typeof(EventsResponse))]
[JsonDerivedType(typeof(CommandResponse))]
[JsonDerivedType(typeof(SwitchoverResponse))]
[JsonDerivedType(typeof(DrillResponse))]
public record ControlResponse
{
    /// <summary>Whether the request was carried out; when false, <see cref="Error"/> says why.</summary>
    [JsonPropertyOrder(-3)]
    public bool Ok { get; init; }

    // 0 only when absent: the parser refuses a version below 1 before it deserializes.
    private readonly int _v;

    /// <summary>The protocol version of the answer (<c>v</c>); an answer without it is taken as version 1.</summary>
    [JsonPropertyOrder(-2)]
    public int V
    {
        get => _v == 0 ? ControlProtocol.Version : _v;
        init => _v = value;
    }

    /// <summary>Why the request was refused or failed, in plain words; null when <see cref="Ok"/>.</summary>
    [JsonPropertyOrder(-1)]
    public string? Error { get; init; }
}
