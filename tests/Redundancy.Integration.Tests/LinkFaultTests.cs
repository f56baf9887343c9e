using Redundancy.Protocol.Events;
using Redundancy.Simulation.Harness;
using static Redundancy.Integration.Tests.PairAssert;

namespace Redundancy.Integration.Tests;

/// <summary>One link down is an alarm, never a takeover.</summary>
[Collection("pair")]
public sealed class LinkFaultTests
{
    private static readonly PairSpec Spec = new() { IntervalMs = 20, PeerTimeoutMs = 100, StartupWindowMs = 500 };

    [Fact]
    public void SerialCablePulled_AlarmOnBothNodes_NoTakeover_ClearedWhenPluggedBack()
    {
        using var pair = PairHarness.StartPair(Spec);
        Assert.True(pair.A.WaitForEvent(e => e.Kind == NodeEventKind.LinkUp && e.Subject == "serial", Wait) is not null, Dump(pair));
        var changes = pair.A.RoleChanges.Count + pair.B.RoleChanges.Count;

        var pullAt = pair.Cabinet.Mark("kill socat");
        pair.Socat!.Pull();
        foreach (var node in new[] { pair.A, pair.B })
        {
            var alarm = node.WaitForEvent(e => e.Kind == NodeEventKind.AlarmRaised && e.Subject == "serial", Wait, pullAt);
            Assert.True(alarm is not null, $"{node.Node} raised no alarm" + Dump(pair));
            Assert.Equal("redundancy degraded: serial link down", alarm.Reason);
        }

        Hold(TimeSpan.FromMilliseconds(1000));
        Assert.Equal(changes, pair.A.RoleChanges.Count + pair.B.RoleChanges.Count);
        Assert.True(pair.DrivesAll("A"));
        Assert.DoesNotContain(pair.B.Received, e => e.T > pullAt && e.Event.IsAlarmRaised("PeerLost"));

        var plugAt = pair.Cabinet.Mark("socat back");
        pair.Socat.Plug();
        Assert.True(pair.B.WaitForEvent(e => e.Kind == NodeEventKind.AlarmCleared && e.Subject == "serial", Wait, plugAt) is not null, Dump(pair));
    }

    [Fact]
    public void UdpCablePulledBetweenNamespaces_Alarm_NoTakeover()
    {
        Assert.True(NetnsPair.Available(), "this test needs root and iproute2 (network namespaces)");
        using var pair = PairHarness.StartPair(Spec with { Netns = true });
        Assert.True(pair.A.WaitForEvent(e => e.Kind == NodeEventKind.LinkUp && e.Subject == "udp", Wait) is not null, Dump(pair));
        var changes = pair.A.RoleChanges.Count + pair.B.RoleChanges.Count;

        var pullAt = pair.Cabinet.Mark("ip link set down");
        pair.Netns!.Pull();
        var alarm = pair.B.WaitForEvent(e => e.Kind == NodeEventKind.AlarmRaised && e.Subject == "udp", Wait, pullAt);
        Assert.True(alarm is not null, Dump(pair));
        Assert.Equal("redundancy degraded: udp link down", alarm.Reason);

        Hold(TimeSpan.FromMilliseconds(1000));
        Assert.True(changes == pair.A.RoleChanges.Count + pair.B.RoleChanges.Count, Dump(pair));
        Assert.True(pair.DrivesAll("A"));

        var plugAt = pair.Cabinet.Mark("ip link set up");
        pair.Netns.Plug();
        Assert.True(pair.B.WaitForEvent(e => e.Kind == NodeEventKind.AlarmCleared && e.Subject == "udp", Wait, plugAt) is not null, Dump(pair));
    }

    [Fact]
    public void HandoverFramesDroppedByTheKernel_TheStandbyTakesOverByTheSilenceRule_TheOldActiveStaysStandby_NoOverlap()
    {
        Assert.True(NetnsPair.Available() && NetnsPair.NftAvailable(), "this test needs root, iproute2 (network namespaces) and nftables");
        using var pair = PairHarness.StartPair(Spec with { Netns = true });
        using (var a = pair.Control("A"))
        {
            Assert.True(Eventually(() => a.Status() is { Role: "Active", Peer.Readiness: "Hot" } s && s.Links.All(l => l.Up), Wait), Dump(pair));
        }

        // Only UDP carries heartbeats, and the kernel drops every frame of A that says "handing over".
        pair.Socat!.Pull();
        Assert.True(pair.B.WaitForAlarm("LinkDown", Wait) is not null, Dump(pair));
        pair.Netns!.DropHandoverFrames();
        var mark = pair.Cabinet.Mark("switchover with the handover frames dropped");

        Redundancy.Protocol.Control.SwitchoverResponse answer;
        using (var a = pair.Control("A"))
        {
            answer = a.Send<Redundancy.Protocol.Control.SwitchoverResponse>(new Redundancy.Protocol.Control.SwitchoverRequest());
        }

        Assert.True(answer.Ok, answer.Error + Dump(pair));
        var took = pair.B.WaitForTakeover(Wait, mark);
        Assert.NotNull(took);
        Assert.Contains("silent on all links", took!.Reason); // the ordinary rule, not the handover
        Assert.Null(answer.Leg!.OverlapMs); // the agent does not claim what it cannot show
        Assert.True(Eventually(() => pair.DrivesAll("B"), Wait), Dump(pair));
        Hold(TimeSpan.FromMilliseconds(Spec.PeerTimeoutMs * 4));
        Assert.Equal("Standby", pair.A.Role);
        Assert.Equal(TimeSpan.Zero, pair.Cabinet.SettledTimeline().Overlap());
        Assert.DoesNotContain(pair.A.EventsSince(mark), e => e.Kind == NodeEventKind.RoleChanged && e.To == "Active");
    }
}
