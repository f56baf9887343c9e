using System.Text.Json.Serialization;
using Redundancy.Protocol.Events;
using Redundancy.Protocol.Status;

namespace Redundancy.Protocol.Control;

/// <summary>
/// The protocol's JSON, source-generated (no reflection, trimming-safe): camelCase names, enums as their names, null
/// fields left out, <c>op</c> accepted anywhere in a request. Everything that reads or writes the control protocol
/// uses this context, through <see cref="ControlProtocol"/> (which adds the relaxed escaper). Thread-safe.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    AllowOutOfOrderMetadataProperties = true)]
[JsonSerializable(typeof(ControlRequest))]
[JsonSerializable(typeof(ControlResponse))]
[JsonSerializable(typeof(WriteResponse))]
[JsonSerializable(typeof(GetResponse))]
[JsonSerializable(typeof(ListResponse))]
[JsonSerializable(typeof(ConflictsResponse))]
[JsonSerializable(typeof(StatusResponse))]
[JsonSerializable(typeof(DiagnosticsResponse))]
[JsonSerializable(typeof(EventsResponse))]
[JsonSerializable(typeof(CommandResponse))]
[JsonSerializable(typeof(SwitchoverResponse))]
[JsonSerializable(typeof(DrillResponse))]
[JsonSerializable(typeof(NodeStatus))]
[JsonSerializable(typeof(NodeDiagnostics))]
[JsonSerializable(typeof(NodeEvent))]
public sealed partial class ControlJsonContext : JsonSerializerContext;
