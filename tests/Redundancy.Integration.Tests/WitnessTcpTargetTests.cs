using Redundancy.Protocol.Events;
using Redundancy.Simulation.Harness;
using Xunit.Abstractions;
using static Redundancy.Integration.Tests.PairAssert;

namespace Redundancy.Integration.Tests;

/// <summary>
/// The lighter witness (<c>witness.tcpTarget</c>) with real agents in namespaces and a TCP listener on the witness host:
/// with both links cut, the standby takes over only if it can open a connection to the target, and an active that
/// reaches neither its peer nor the target follows <c>onIsolation</c>. No lease: a takeover stays unfenced.
/// </summary>
[Collection("pair")]
public sealed class WitnessTcpTargetTests(ITestOutputHelper output)
{
    private static PairSpec Spec => new()
    {
        IntervalMs = 20, PeerTimeoutMs = 100, StartupWindowMs = 500, Netns = true, WitnessTcpTarget = true, WitnessConnectTimeoutMs = 20,
        ReplicationMode = "semi-sync", SyncTimeoutMs = 200,
    };

    [Fact]
    public void BothLinksCut_TheStandbyReachesTheTarget_TakesOver_Unfenced()
    {
        Assert.True(NetnsPair.Available(), "this test needs root and iproute2 (network namespaces)");
        using var pair = Start(Spec);
        var acceptedBefore = pair.TcpTarget!.Accepted;

        var cutAt = CutBothLinks(pair);
        var took = pair.B.WaitForTakeover(Wait, cutAt);
        Assert.True(took is not null, "B reaches the target: it should take over" + Dump(pair));
        Assert.True(Eventually(() => pair.DrivesAll("B"), Wait), Dump(pair));
        output.WriteLine($"B took over: detection {took.DetectionMs:F1} ms, takeover {took.TakeoverMs:F1} ms; A is {pair.A.Role} "
            + "(it reaches the target too: a heartbeat-only partition leaves two actives, as docs/witness.md says)");
        Assert.Contains(pair.B.EventsSince(cutAt), e => e.IsAlarmRaised("UnfencedTakeover")); // a target is no lease
        Assert.DoesNotContain(pair.B.EventsSince(cutAt), e => e.IsAlarmRaised("WitnessBlocksTakeover"));
        Assert.True(pair.TcpTarget.Accepted > acceptedBefore, "the target should have seen connections");
    }

    [Fact]
    public void BothLinksCut_TheTargetUnreachableFromTheStandby_ItDoesNotTakeOver()
    {
        Assert.True(NetnsPair.Available(), "this test needs root and iproute2 (network namespaces)");
        Assert.True(Nft.Available(), "this test needs nftables");
        using var pair = Start(Spec);
        var net = pair.Netns!;
        using var mute = Nft.DropTcpFrom(net.NamespaceWitness!, net.LanAddress("B"), PairHarness.TcpTargetPort);

        var cutAt = CutBothLinks(pair);
        var blocked = pair.B.WaitForAlarm("WitnessBlocksTakeover", Wait, cutAt);
        Assert.True(blocked is not null, Dump(pair));
        Assert.Contains("has not reached the TCP target", blocked.Reason);
        Hold(TimeSpan.FromSeconds(1));

        Assert.Equal("Active", pair.A.Role);
        Assert.Equal("Standby", pair.B.Role);
        Assert.DoesNotContain(pair.B.EventsSince(cutAt), e => e.IsRoleChange("Active"));
        Assert.DoesNotContain(pair.A.EventsSince(cutAt), e => e.Kind == NodeEventKind.RoleChanged);
        Assert.True(pair.DrivesAll("A"), Dump(pair));
        Assert.False(pair.Spec.Channels.Any(c => pair.Cabinet.IsDriving("B", c)), "B must not drive" + Dump(pair));
        Assert.Equal(TimeSpan.Zero, pair.Cabinet.SettledTimeline().Overlap());
        using var b = pair.Control("B");
        Assert.True(b.Status().Witness is { Mode: "tcp-target", Asking: true, Reachable: false }, $"{b.Status().Witness}");
    }

    [Fact]
    public void BothLinksCut_TheActiveReachesNeither_ReleasesAsConfigured_TheStandbyTakesOver_NeverTwoDrivers()
    {
        Assert.True(NetnsPair.Available(), "this test needs root and iproute2 (network namespaces)");
        Assert.True(Nft.Available(), "this test needs nftables");
        using var pair = Start(Spec with { WitnessOnIsolation = "release" });
        var net = pair.Netns!;
        var muteAt = pair.Cabinet.Mark("the target unreachable from A");
        using var mute = Nft.DropTcpFrom(net.NamespaceWitness!, net.LanAddress("A"), PairHarness.TcpTargetPort);
        Assert.True(pair.A.WaitForAlarm("WitnessUnreachable", Wait, muteAt) is not null, "A should say it cannot reach the target" + Dump(pair));
        Assert.DoesNotContain(pair.A.EventsSince(muteAt), e => e.Kind == NodeEventKind.RoleChanged); // links up: an alarm only

        var cutAt = CutBothLinks(pair);
        var released = pair.A.WaitForRole("Standby", Wait, cutAt);
        var took = pair.B.WaitForTakeover(Wait, cutAt);
        Assert.True(released is not null, "A should release (onIsolation release)" + Dump(pair));
        Assert.True(took is not null, "B should take over" + Dump(pair));
        Assert.True(Eventually(() => pair.DrivesAll("B"), Wait), Dump(pair));
        Hold(TimeSpan.FromMilliseconds(300));
        var overlap = pair.Cabinet.SettledTimeline().Overlap();
        output.WriteLine($"A released: {released.Reason}; B: detection {took.DetectionMs:F1} ms; overlap {overlap.TotalMilliseconds:F1} ms");
        Assert.Equal(TimeSpan.Zero, overlap);
    }

    private static PairHarness Start(PairSpec spec)
    {
        var pair = PairHarness.StartPair(spec);
        try
        {
            Assert.Equal("A", pair.WaitForActiveAndStandby(Wait));
            Assert.True(Eventually(() => pair.DrivesAll("A"), Wait), Dump(pair));
            using var a = pair.Control("A");
            Assert.True(Eventually(() => a.Status().Witness is { Mode: "tcp-target", Reachable: true }, Wait), $"A should reach the target: {a.Status().Witness}" + Dump(pair));
            return pair;
        }
        catch
        {
            pair.Dispose();
            throw;
        }
    }

    private static long CutBothLinks(PairHarness pair)
    {
        var at = pair.Cabinet.Mark("both heartbeat links cut");
        pair.Socat!.Pull();
        pair.Netns!.Pull();
        return at;
    }
}
