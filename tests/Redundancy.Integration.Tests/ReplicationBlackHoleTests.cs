using Redundancy.Simulation.Harness;
using static Redundancy.Integration.Tests.PairAssert;

namespace Redundancy.Integration.Tests;

/// <summary>
/// The replication TCP flow black-holed (nftables drops its packets in B's namespace, both ways) while heartbeats
/// go on over serial and UDP: no RST, no FIN, nothing but silence, as a stuck switch port or firewall gives.
/// </summary>
[Collection("pair")]
public sealed class ReplicationBlackHoleTests
{
    private static readonly PairSpec Spec = new()
    {
        IntervalMs = 20, PeerTimeoutMs = 100, StartupWindowMs = 500, Netns = true, ReplicationMode = "semi-sync", SyncTimeoutMs = 200,
    };

    [Fact]
    public void BlackHoledReplicationFlow_StandbyLeavesHotWithAnAlarm_BothEndTheSession_AndItRecovers()
    {
        Assert.True(NetnsPair.Available() && Nft.Available(), "this test needs root, iproute2 and nftables (tools/ensure-deps.sh)");
        using var pair = PairHarness.StartPair(Spec);
        using var a = pair.Control("A");
        Assert.True(a.Set("k", "1").Ok);
        Assert.True(Eventually(() => a.Status().Peer?.Readiness == "Hot", Wait), Dump(pair));
        var roleChanges = pair.A.RoleChanges.Count + pair.B.RoleChanges.Count;

        var cut = pair.Cabinet.Mark("replication flow black-holed");
        using (Nft.DropTcpPort(pair.Netns!.NamespaceB, 5406))
        {
            Assert.True(Eventually(() => a.Status().Peer?.Readiness != "Hot", Wait), "B still reports Hot" + Dump(pair));
            Assert.True(pair.B.WaitForAlarm("Replication", Wait, cut) is not null, "no alarm on B" + Dump(pair));
            Assert.True(pair.A.WaitForLog(e => e.Message.Contains("standby connection lost", StringComparison.Ordinal), Wait, cut) is not null, "A kept the stale session" + Dump(pair));
            Assert.True(pair.B.WaitForLog(e => e.Message.Contains("lost the active", StringComparison.Ordinal) || e.Message.Contains("cannot follow", StringComparison.Ordinal), Wait, cut) is not null, "B kept the stale session" + Dump(pair));
        }

        Assert.True(Eventually(() => a.Status().Peer?.Readiness == "Hot", TimeSpan.FromSeconds(20)), "B did not come back" + Dump(pair));
        Assert.Equal(roleChanges, pair.A.RoleChanges.Count + pair.B.RoleChanges.Count);
    }
}
