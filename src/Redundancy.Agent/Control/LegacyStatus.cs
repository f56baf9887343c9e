using System.Text.Json;
using System.Text.Json.Nodes;
using Redundancy.Agent.Status;

namespace Redundancy.Agent.Control;

/// <summary>Transitional: the status op's answer in the shape the harness reads today, built from the new
/// <see cref="INodeStatusSource"/>. Goes away when the control protocol's typed answer lands.</summary>
internal static class LegacyStatus
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static JsonObject Of(INodeStatusSource source)
    {
        var s = source.Status();
        var d = source.Diagnostics();
        var o = (JsonObject)JsonSerializer.SerializeToNode(s, Json)!;
        o["activePeer"] = s.Peer is { Role: "Active" } p ? p.NodeId : 0;
        o["peerRole"] = s.Peer?.Role;
        o["peerReadiness"] = s.Peer?.Readiness;
        foreach (var kv in (JsonObject)JsonSerializer.SerializeToNode(d, Json)!)
        {
            if (kv.Key != "node")
            {
                o[kv.Key] = kv.Value?.DeepClone();
            }
        }

        return o;
    }
}
