using System.Text.Json.Nodes;
using Redundancy.Core.Configuration;

namespace Redundancy.Core.Tests.Configuration;

/// <summary>Configurations that point a node at itself, or time it finer than this machine kind can keep.</summary>
public sealed class AgentConfigSelfAndFloorTests
{
    private const string Minimal = """
        {"pairId":7,"nodeId":1,"pairKeyFile":"/k","gpio":{"driver":"simulated","simulatorSocket":"/s"},
         "udp":{"bind":"127.0.0.1:5405","peer":"127.0.0.1:5406"},
         "replication":{"bind":"127.0.0.1:5407","peer":"127.0.0.1:5408"}}
        """;

    [Theory]
    [InlineData("""{"intervalMs":1,"peerTimeoutMs":3}""")]
    [InlineData("""{"intervalMs":5,"peerTimeoutMs":19}""")]
    public void PeerTimeoutBelowTheFloor_IsRefusedNamingTheFloor(string heartbeat)
    {
        var errors = Errors(root => root["heartbeat"] = JsonNode.Parse(heartbeat));
        Assert.Contains(errors, e => e.StartsWith("heartbeat.peerTimeoutMs: ", StringComparison.Ordinal) && e.Contains("20 ms", StringComparison.Ordinal));
    }

    [Fact]
    public void IntervalBelowTheFloor_IsRefused()
    {
        var errors = Errors(root => root["heartbeat"] = JsonNode.Parse("""{"intervalMs":2,"peerTimeoutMs":100}"""));
        Assert.Contains(errors, e => e.StartsWith("heartbeat.intervalMs: ", StringComparison.Ordinal));
    }

    [Fact]
    public void TimingsAtTheFloor_AreAccepted_AsTheFailoverBenchUsesThem()
    {
        Assert.Empty(Errors(root => root["heartbeat"] = JsonNode.Parse("""{"intervalMs":10,"peerTimeoutMs":30}""")));
        Assert.Empty(Errors(root => root["heartbeat"] = JsonNode.Parse("""{"intervalMs":5,"peerTimeoutMs":20}""")));
    }

    [Theory]
    [InlineData("127.0.0.1:5405", "127.0.0.1:5405")]
    [InlineData("0.0.0.0:5405", "127.0.0.1:5405")]
    public void UdpPeerIsOurOwnBind_IsRefusedNamingBothFields(string bind, string peer)
    {
        var errors = Errors(root => root["udp"] = new JsonObject { ["bind"] = bind, ["peer"] = peer });
        Assert.Contains(errors, e => e.StartsWith("udp.peer: ", StringComparison.Ordinal) && e.Contains("udp.bind", StringComparison.Ordinal));
    }

    [Fact]
    public void ReplicationPeerIsOurOwnBind_IsRefusedNamingBothFields()
    {
        var errors = Errors(root => root["replication"] = new JsonObject { ["bind"] = "127.0.0.1:5407", ["peer"] = "127.0.0.1:5407" });
        Assert.Contains(errors, e => e.StartsWith("replication.peer: ", StringComparison.Ordinal) && e.Contains("replication.bind", StringComparison.Ordinal));
    }

    [Fact]
    public void PeersOnOtherPortsOfThisHost_AreAccepted() => Assert.Empty(Errors(_ => { }));

    private static IReadOnlyList<string> Errors(Action<JsonObject> edit)
    {
        var root = JsonNode.Parse(Minimal)!.AsObject();
        edit(root);
        AgentConfig.Parse(root.ToJsonString(), out var errors);
        return errors;
    }
}
